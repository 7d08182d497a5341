#!/usr/bin/env bash
# Stops the daemons started by slurm-start.sh, each by its PID file (nothing else is touched).
set -uo pipefail
DIR=${WSLBENCH_SLURM_DIR:-/tmp/wslbench-slurm}
stop() {
  local pidfile=$1 pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}
stop "$DIR/run/slurmd.pid"
stop "$DIR/run/slurmctld.pid"
stop "$DIR/run/munged.pid"
