#!/usr/bin/env bash
# Stops the server started by redis-start.sh, by its PID file.
set -uo pipefail
DIR=${WSLBENCH_REDIS_DIR:-/tmp/wslbench-redis}
. "$(dirname "$0")/stop-pidfile.sh"
stop_pidfile "$DIR/redis.pid" 50
