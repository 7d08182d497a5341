# Sourced by the *-stop.sh scripts: stop_pidfile FILE TENTHS stops the process a PID file names (TERM, then KILL
# after TENTHS tenths of a second) and removes the file; nothing else is touched.
stop_pidfile() {
  local pidfile=$1 tenths=$2 pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}
