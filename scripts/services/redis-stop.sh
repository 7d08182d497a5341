#!/usr/bin/env bash
# Stops the server started by redis-start.sh, by its PID file.
set -uo pipefail
DIR=${WSLBENCH_REDIS_DIR:-/tmp/wslbench-redis}
[ -s "$DIR/redis.pid" ] || exit 0
pid=$(cat "$DIR/redis.pid")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
rm -f "$DIR/redis.pid"
