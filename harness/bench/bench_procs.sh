# Sourced by the scripts of harness/bench: a temporary directory and the
# processes a script starts, both cleaned up when it exits.
#
#   bench_start NAME   WORK=/tmp/NAME.XXXXXX, PIDS=(), cleanup on EXIT
#   PIDS+=("$!")       after starting a process: it is stopped at exit
#   stop_pid PID       SIGTERM, up to 10 s to exit, then SIGKILL; reaps it
#
# Only processes listed in PIDS are ever signalled, by PID.

bench_start() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  # Exited means gone or a zombie (kill -0 succeeds on a zombie until it is waited for).
  for _ in $(seq 100); do
    [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo Z) == Z ]] && break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

bench_cleanup() {
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
