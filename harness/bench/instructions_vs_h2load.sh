#!/usr/bin/env bash
# User-space instructions per request of the client: `h2soak bench` against Debian's h2load,
# same shape, same server (h2soak-target, h2c, the 2,048-byte page), counted by callgrind.
# Unlike CPU time, the count does not depend on what else the machine runs, so this is the
# client figure to compare on a shared machine, and the one to take before and after a change
# to the hot path.
#
#   harness/bench/instructions_vs_h2load.sh [BUILD_DIR]
#
# Method: each client runs under `valgrind --tool=callgrind` twice, with -n N and -n 2N; the
# figure is (Ir(2N) - Ir(N)) / N, so start-up, connection setup and exit cancel out and what
# remains is the cost of one more request. The server runs natively on its own thread. Shapes:
# SHAPES="8x16 1x100 64x1" (-c x -m). With LIBS=1 the same difference is split by object
# (libnghttp2, libc, the executable, ...).
#
# Environment: N (default 20000), SHAPES, LIBS, H2SOAK (default BUILD_DIR/harness/cli/h2soak),
# TARGET (default BUILD_DIR/target_server/h2soak-target). Loopback only; every client run is
# bounded by -n and a timeout; only the server started here is stopped, by PID.
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
BUILD_DIR=${1:-${BUILD_DIR:-build}}
H2SOAK=$(readlink -f "${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}")
TARGET=$(readlink -f "${TARGET:-$BUILD_DIR/target_server/h2soak-target}")
N=${N:-20000}
SHAPES=${SHAPES:-"8x16 1x100 64x1"}
PY=/usr/bin/python3
BY_OBJECT="$HERE/../../target_server/bench/callgrind_by_object.py"

die() { echo "instructions_vs_h2load.sh: $*" >&2; exit 1; }
[ -x "$H2SOAK" ] || die "no h2soak at $H2SOAK (give the build dir)"
[ -x "$TARGET" ] || die "no h2soak-target at $TARGET (give the build dir)"
for tool in valgrind h2load curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y valgrind nghttp2-client curl)"
done

# shellcheck source=bench_procs.sh
. "$HERE/bench_procs.sh"
bench_start h2soak-client-callgrind  # WORK, PIDS: the server is stopped at exit

PORT=$(free_port)
"$TARGET" --threads 1 --no-tls --port "$PORT" --idle-timeout 600s >"$WORK/target.out" 2>"$WORK/target.err" &
PIDS+=("$!")
URL="http://127.0.0.1:$PORT/static/bench-2k.html"
for _ in $(seq 100); do curl -sf -o /dev/null --http2-prior-knowledge "$URL" && break; sleep 0.1; done
curl -sf -o /dev/null --http2-prior-knowledge "$URL" || die "h2soak-target did not start: $(tail -5 "$WORK/target.err")"

# total_ir OUT CMD...: runs CMD under callgrind, writes the dump to OUT, prints its total Ir.
total_ir() {
  local out=$1
  shift
  timeout 900 valgrind --tool=callgrind --callgrind-out-file="$out" --dump-instr=no "$@" \
    >"$out.log" 2>&1 || die "failed under callgrind: $* (see $(tail -3 "$out.log"))"
  sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out"
}

# client NAME C M N: the command line of one client run
client() {
  case $1 in
    h2soak) echo "$H2SOAK bench -t 1 -c $2 -m $3 -n $4 $URL" ;;
    h2load) echo "h2load -t 1 -c $2 -m $3 -n $4 $URL" ;;
  esac
}

printf '%-8s %-12s %14s\n' client shape instr/request
for shape in $SHAPES; do
  c=${shape%x*}
  m=${shape#*x}
  for name in h2soak h2load; do
    # shellcheck disable=SC2046  # the command line is split on purpose
    one=$(total_ir "$WORK/$name-$shape-1" $(client "$name" "$c" "$m" "$N"))
    # shellcheck disable=SC2046
    two=$(total_ir "$WORK/$name-$shape-2" $(client "$name" "$c" "$m" $((2 * N))))
    grep -q "^requests: .* $((2 * N)) succeeded" "$WORK/$name-$shape-2.log" ||
      die "$name -c $c -m $m: not every request succeeded: $(grep -m1 'requests:' "$WORK/$name-$shape-2.log")"
    printf '%-8s -c %-3s -m %-3s %12.0f\n' "$name" "$c" "$m" "$($PY -c "print(($two - $one) / $N)")"
    if [ "${LIBS:-0}" = 1 ]; then
      $PY "$BY_OBJECT" "$WORK/$name-$shape-2" "$N" "$WORK/$name-$shape-1"
    fi
  done
done
