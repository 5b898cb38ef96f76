#!/usr/bin/env bash
# User-space instructions per request of h2soak-target and of Debian's h2o, serving the same
# 2,048-byte page over h2c, counted by callgrind. Unlike CPU time, the count does not depend on
# what else the machine runs, so it is the figure to compare on a shared machine.
#
#   target_server/bench/instructions_vs_h2o.sh [PATH/TO/h2soak-target]
#
# Method: each server runs under `valgrind --tool=callgrind` with one worker thread; h2load
# (-t 1) warms it up with WARM requests, `callgrind_control --zero` clears the counters, h2load
# sends N requests of the shape, `callgrind_control --dump` writes the counts, and the figure
# is total Ir / N — startup, TLS setup and the warm-up are outside the window. Shapes:
# -c 8 -m 16 and -c 64 -m 1 (SHAPES="8x16 64x1"). With LIBS=1 the target's count is also split
# by object (libnghttp2, libc, the server itself).
#
# Environment: N (default 20000), WARM (default 2000), SHAPES, LIBS. Loopback only; every
# h2load run is bounded by -n and a timeout; only the processes started here are stopped, by PID.
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
BIN=$(readlink -f "${1:-build/target_server/h2soak-target}")
N=${N:-20000}
WARM=${WARM:-2000}
SHAPES=${SHAPES:-"8x16 64x1"}
PY=/usr/bin/python3
# shellcheck source=../../harness/bench/bench_procs.sh
. "$HERE/../../harness/bench/bench_procs.sh"
bench_start h2soak-callgrind  # WORK, PIDS: every server started here is stopped at exit
SERVER_PID=""

die() { echo "instructions_vs_h2o.sh: $*" >&2; exit 1; }

[ -x "$BIN" ] || die "not an executable: $BIN (give the built h2soak-target)"
for tool in valgrind callgrind_control h2load h2o curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y valgrind nghttp2-client h2o curl)"
done

wait_http() {  # URL: up to 60 s (valgrind starts slowly)
  for _ in $(seq 600); do curl -sf -o /dev/null --http2-prior-knowledge "$1" && return 0; sleep 0.1; done
  return 1
}

# measure NAME URL: prints "NAME SHAPE instructions/request" per shape; the server must be up.
measure() {
  local name=$1 url=$2 shape c m out total
  for shape in $SHAPES; do
    c=${shape%x*}
    m=${shape#*x}
    timeout 300 h2load -t 1 -c "$c" -m "$m" -n "$WARM" "$url" >/dev/null 2>&1 || die "$name: warm-up failed"
    timeout 60 callgrind_control --zero "$SERVER_PID" >/dev/null 2>&1 || die "$name: callgrind_control --zero failed"
    out=$(timeout 600 h2load -t 1 -c "$c" -m "$m" -n "$N" "$url" 2>&1) || die "$name: h2load failed: $out"
    grep -q "^requests: .* $N succeeded" <<<"$out" || die "$name: not every request succeeded: $(grep '^requests:' <<<"$out")"
    rm -f "$WORK"/callgrind.out.*
    timeout 60 callgrind_control --dump="$name-$shape" "$SERVER_PID" >/dev/null 2>&1 || die "$name: callgrind_control --dump failed"
    local dump=""
    for _ in $(seq 100); do
      dump=$(compgen -G "$WORK/callgrind.out.*" | head -n1 || true)
      [ -n "$dump" ] && grep -q '^totals:' "$dump" && break
      sleep 0.1
    done
    [ -n "$dump" ] || die "$name: callgrind wrote no dump"
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$dump")
    printf '%-14s -c %-3s -m %-3s %8.0f instructions/request\n' "$name" "$c" "$m" "$($PY -c "print($total / $N)")"
    if [ "${LIBS:-0}" = 1 ] && [ "$name" = h2soak-target ]; then
      # exclusive Ir per object (ob= of the cost lines; the line after calls= is a call's
      # inclusive cost and is skipped; cob= lines also define compressed object names)
      $PY "$HERE/callgrind_by_object.py" "$dump" "$N"
    fi
  done
}

cd "$WORK"

PORT=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out.%p" --dump-instr=no \
  "$BIN" --threads 1 --no-tls --port "$PORT" --idle-timeout 600s >"$WORK/target.out" 2>"$WORK/target.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_http "http://127.0.0.1:$PORT/static/bench-2k.html" || die "h2soak-target did not start: $(tail -5 "$WORK/target.err")"
mkdir -p "$WORK/docroot/static"
curl -sf --http2-prior-knowledge -o "$WORK/docroot/static/bench-2k.html" "http://127.0.0.1:$PORT/static/bench-2k.html"
[ "$(stat -c %s "$WORK/docroot/static/bench-2k.html")" = 2048 ] || die "bench page is not 2,048 bytes"
measure h2soak-target "http://127.0.0.1:$PORT/static/bench-2k.html"
stop_pid "$SERVER_PID"

PORT=$(free_port)
h2o_config "$WORK/h2o.conf" "$WORK/docroot" h2c "$PORT"
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out.%p" --dump-instr=no \
  h2o -c "$WORK/h2o.conf" >"$WORK/h2o.out" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_http "http://127.0.0.1:$PORT/static/bench-2k.html" || die "h2o did not start: $(tail -5 "$WORK/h2o.out")"
measure h2o "http://127.0.0.1:$PORT/static/bench-2k.html"
