# shellcheck shell=bash
# Sourced by the benchmark scripts (harness/bench, target_server/bench): a
# temporary directory and the processes a script starts, both cleaned up when
# it exits, and the configuration of the h2o they compare against.
#
#   bench_start NAME   WORK=/tmp/NAME.XXXXXX, PIDS=(), cleanup on EXIT
#   PIDS+=("$!")       after starting a process: it is stopped at exit
#   stop_pid PID       SIGTERM, up to 10 s to exit, then SIGKILL; reaps it
#                      and drops it from PIDS
#   free_port          prints a TCP port that is free on 127.0.0.1 now (for a
#                      server that is given its port)
#   h2o_config FILE DOCROOT LISTENER...
#                      writes an h2o configuration to FILE: one worker thread,
#                      running as the current user, serving the files of
#                      DOCROOT, errors logged beside FILE (h2o.conf ->
#                      h2o-error.log). Each LISTENER, on 127.0.0.1, is either
#                      `h2c PORT` or `tls PORT CERT KEY` (PEM files).
#
# Only processes listed in PIDS are ever signalled, by PID.

bench_start() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}

stop_pid() {
  # Forgotten first: a reaped PID can be reused, so the exit cleanup must not signal it again.
  local kept=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
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

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

h2o_config() {
  local file=$1 docroot=$2
  shift 2
  {
    printf 'num-threads: 1\nuser: %s\nerror-log: %s\n' "$(id -un)" "${file%.conf}-error.log"
    while (($# >= 2)); do
      printf 'listen:\n  host: 127.0.0.1\n  port: %s\n' "$2"
      case $1 in
        h2c) shift 2 ;;
        tls) (($# >= 4)) || break
             printf '  ssl:\n    certificate-file: %s\n    key-file: %s\n' "$3" "$4"
             shift 4 ;;
        *) break ;;
      esac
    done
    printf 'hosts:\n  "127.0.0.1":\n    paths:\n      /:\n        file.dir: %s\n' "$docroot"
  } >"$file"
  (($# == 0)) || { echo "h2o_config: expected h2c PORT or tls PORT CERT KEY, not: $*" >&2; return 2; }
}
