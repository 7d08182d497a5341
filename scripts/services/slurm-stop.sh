#!/usr/bin/env bash
# Stops the daemons started by slurm-start.sh, each by its PID file (nothing else is touched).
set -uo pipefail
DIR=${WSLBENCH_SLURM_DIR:-/tmp/wslbench-slurm}
. "$(dirname "$0")/stop-pidfile.sh"
stop_pidfile "$DIR/run/slurmd.pid" 100
stop_pidfile "$DIR/run/slurmctld.pid" 100
stop_pidfile "$DIR/run/munged.pid" 100
