#!/usr/bin/env bash
# How far apart repeated capacity searches land: starts the reference server
# made slow on purpose (h2soak-target --no-tls --threads 1 --page-cost 2ms:
# one worker thread at 2 ms of CPU a page, a ceiling of about 500 pages/s),
# runs `h2soak capacity` against it K times in a row, and prints each run's
# capacity, interval, stop and first broken objective, then the median, min,
# max and the spread (max - min) / median. The search's own resolution
# (--growth 2 --refine 3: 1/8 of a growth step) is the floor of that spread;
# more than that is the machine or the service moving under the search.
#
# Run it on a quiet machine: a neighbour's load lowers the figure of the runs
# it overlaps and widens the spread. Loopback only; every run is bounded by a
# timeout; only the server started here is stopped, by PID.
#
# Usage: harness/bench/capacity_spread.sh [BUILD_DIR] [-- CAPACITY_ARGS...]
#   env: K=5  STAGE=2s  WARMUP=500ms  PAGE_COST=2ms  TIMEOUT=300 (s per search)
#   CAPACITY_ARGS go to every search (e.g. --objective 'p99 < 50ms' --refine 4).
# Exit: 0 when every search gave a figure; 1 when one did not; 2 bad usage.
set -euo pipefail

BUILD_DIR=build
if [[ $# -gt 0 && $1 != -- ]]; then BUILD_DIR=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
EXTRA=("$@")
H2SOAK=${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}
TARGET=${TARGET:-$BUILD_DIR/target_server/h2soak-target}
K=${K:-5}
STAGE=${STAGE:-2s}
WARMUP=${WARMUP:-500ms}
PAGE_COST=${PAGE_COST:-2ms}
TIMEOUT=${TIMEOUT:-300}
PYTHON=/usr/bin/python3

[[ -x $H2SOAK ]] || { echo "capacity_spread: no h2soak binary at $H2SOAK (give the build dir)" >&2; exit 2; }
[[ -x $TARGET ]] || { echo "capacity_spread: no h2soak-target at $TARGET (give the build dir)" >&2; exit 2; }
[[ $K =~ ^[1-9][0-9]*$ ]] || { echo "capacity_spread: K must be a positive whole number, got '$K'" >&2; exit 2; }

WORK=$(mktemp -d /tmp/capacity_spread.XXXXXX)
SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$TARGET" --no-tls --threads 1 --page-cost "$PAGE_COST" --port 0 >"$WORK/target.out" 2>"$WORK/target.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do  # at most 5 s
  PORT=$(head -n1 "$WORK/target.out" 2>/dev/null || true)
  [[ $PORT =~ ^[0-9]+$ ]] && break
  sleep 0.05
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "capacity_spread: h2soak-target did not start:" >&2; cat "$WORK/target.err" >&2; exit 3; }
URL="http://127.0.0.1:$PORT/page/1"

# One line per result file: "capacity low high stop first_broken" (high "-" when none failed).
summarise() {
  "$PYTHON" - "$1" <<'PY'
import json, math, sys
c = json.load(open(sys.argv[1]))["capacity"]
low, high = c["interval"]
high = "-" if high is None or not math.isfinite(high) else f"{high:g}"
print(f"{c['capacity']:g} {low:g} {high} {c['stop']} {c['first_broken'] or 'none'}")
PY
}

echo "capacity_spread: $K search(es) of $URL (--page-cost $PAGE_COST, --stage $STAGE --warm-up $WARMUP${EXTRA[*]:+ ${EXTRA[*]}})"
printf "%3s %10s %20s %-20s %s\n" run "req/s" interval stop "first broken objective"
: > "$WORK/figures"
failed=0
for i in $(seq "$K"); do
  json="$WORK/run-$i.json"
  code=0
  timeout "$TIMEOUT" "$H2SOAK" capacity "$URL" --stage "$STAGE" --warm-up "$WARMUP" --target-pid "$SERVER_PID" \
    --no-progress --json "$json" "${EXTRA[@]}" >"$WORK/run-$i.log" 2>&1 || code=$?
  if [[ ! -s $json ]]; then
    printf "%3d %10s  (no result: h2soak exited %d; last lines below)\n" "$i" "-" "$code"
    tail -n 3 "$WORK/run-$i.log" | sed 's/^/      /'
    failed=1
    continue
  fi
  read -r cap low high stop broken < <(summarise "$json")
  printf "%3d %10s %20s %-20s %s\n" "$i" "$cap" "[$low, $high]" "$stop" "$broken"
  # A lower bound (the generator ran out) or a failed first stage is no figure of the service.
  if [[ $stop == refined || $stop == max-rate ]]; then echo "$cap" >> "$WORK/figures"; else failed=1; fi
done

n=$(wc -l < "$WORK/figures")
if [[ $n -eq 0 ]]; then
  echo "no search gave a figure"
  exit 1
fi
sort -g "$WORK/figures" | awk -v n="$n" '
  { a[NR] = $1 }
  END {
    median = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    spread = median > 0 ? (a[n] - a[1]) / median : 0
    printf "median %g req/s, min %g, max %g, (max - min) / median = %.1f %% (%d of the searches)\n",
           median, a[1], a[n], 100 * spread, n
  }'
exit "$failed"
