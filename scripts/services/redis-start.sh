#!/usr/bin/env bash
# A Redis server on loopback for `wslbench grid submit --executor bullmq` and `wslbench worker`.
# Runs from $WSLBENCH_REDIS_DIR (default /tmp/wslbench-redis), no persistence, nothing in /etc.
# Prints the line to eval for clients: export WSLBENCH_REDIS_URL=...
set -euo pipefail
DIR=${WSLBENCH_REDIS_DIR:-/tmp/wslbench-redis}
PORT=${WSLBENCH_REDIS_PORT:-6390}
command -v redis-server >/dev/null 2>&1 || { echo "redis-start: redis-server not found (apt-get install redis-server)" >&2; exit 1; }
mkdir -p "$DIR"
if ! { [ -s "$DIR/redis.pid" ] && kill -0 "$(cat "$DIR/redis.pid")" 2>/dev/null; }; then
  # BullMQ needs noeviction: an evicted job key would lose a cell.
  redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no --dir "$DIR" \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --maxmemory-policy noeviction
fi
for _ in $(seq 1 100); do
  if [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]; then echo "export WSLBENCH_REDIS_URL=redis://127.0.0.1:$PORT"; exit 0; fi
  sleep 0.1
done
echo "redis-start: no PONG on port $PORT after 10 s; log in $DIR/redis.log" >&2
exit 1
