#!/usr/bin/env bash
# CI step: start a local Slurm and Redis with the repo's scripts, run the grid executors' end-to-end test against
# them, and stop both daemons at exit (by PID). Needs the packages built (npm run build / npm test) and the Debian
# packages slurmctld slurmd slurm-client munge redis-server. A service that cannot start FAILS the step.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/services
cleanup() {
  bash "$here/slurm-stop.sh" || true
  bash "$here/redis-stop.sh" || true
}
trap cleanup EXIT
# An assignment keeps the script's exit status (eval "$(...)" would hide a failed start).
slurm_env=$(bash "$here/slurm-start.sh")
redis_env=$(bash "$here/redis-start.sh")
eval "$slurm_env"
eval "$redis_env"
export SLURM_CONF WSLBENCH_REDIS_URL WSLBENCH_GRID_IT=1
node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js packages/cli/src/commands/grid.integration.test.ts
