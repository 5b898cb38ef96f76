#!/usr/bin/env bash
# The sampler's own CPU: `h2soak sample` (the sampler alone, no load) reads
# an idle reference server's /proc files at INTERVAL for SECONDS, and this
# prints the sampler process's CPU over that time as a share of one core.
# CPU is the sum of every thread's run time from /proc/PID/task/*/schedstat
# (nanoseconds), between 3 s after the start (start-up excluded) and 1 s
# before the planned end. Not a test: it prints a figure.
#
# Usage: harness/bench/sampler_overhead.sh [BUILD_DIR]
#   env: SECONDS_RUN=60  INTERVAL=100ms  GAUGES=0 (1: also scrape two /metrics gauges)
# Loopback only; bounded by SECONDS_RUN; only processes started here are stopped, by PID.
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-build}}
H2SOAK=${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}
TARGET=${TARGET:-$BUILD_DIR/target_server/h2soak-target}
SECONDS_RUN=${SECONDS_RUN:-60}
INTERVAL=${INTERVAL:-100ms}
GAUGES=${GAUGES:-0}

die() { echo "sampler_overhead: $*" >&2; exit 2; }
[[ -x $H2SOAK ]] || die "no h2soak binary at $H2SOAK (give the build dir)"
[[ -x $TARGET ]] || die "no h2soak-target binary at $TARGET"
((SECONDS_RUN >= 10)) || die "SECONDS_RUN must be at least 10"

# shellcheck source=bench_procs.sh
. "$(dirname "$0")/bench_procs.sh"
bench_start sampler_overhead

# Nanoseconds every thread of PID has run, and of those the main thread's
# (the agent's 200 ms watch of the target and the stop flag; the sampler
# proper is the other thread).
run_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s+=$1} END{print s+0}'; }
main_ns() { awk '{print $1}' /proc/"$1"/task/"$1"/schedstat 2>/dev/null || echo 0; }

"$TARGET" --no-tls --port 0 --threads 1 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for _ in $(seq 400); do [[ -s $WORK/server.out ]] && break; sleep 0.05; done
PORT=$(head -n1 "$WORK/server.out")
[[ $PORT =~ ^[0-9]+$ ]] || die "server did not print its port: $(cat "$WORK/server.err")"

SAMPLE="  interval: $INTERVAL"
if [[ $GAUGES == 1 ]]; then
  SAMPLE="$SAMPLE
  metrics_url: /metrics
  gauges: [h2soak_target_sse_streams_active, h2soak_target_streams_active]"
fi
cat >"$WORK/idle.yaml" <<EOF
name: sampler_overhead
description: no load; the sampler alone reads an idle target
target:
  url: "http://127.0.0.1:{port}"
phases:
  warmup: 1s
  steady: $((SECONDS_RUN - 2))s
  cooldown: 1s
sample:
$SAMPLE
workloads:
  - kind: idle
    connections: 1
EOF

"$H2SOAK" sample --pid "$SERVER_PID" "$WORK/idle.yaml" --target-url "http://127.0.0.1:$PORT" \
  --out "$WORK/samples.json" -q >"$WORK/sample.out" 2>"$WORK/sample.err" &
SAMPLER=$!
PIDS+=("$SAMPLER")
sleep 3
A=$(run_ns "$SAMPLER"); AM=$(main_ns "$SAMPLER"); TA=$(date +%s%N)
sleep $((SECONDS_RUN - 4))
B=$(run_ns "$SAMPLER"); BM=$(main_ns "$SAMPLER"); TB=$(date +%s%N)
kill -0 "$SAMPLER" 2>/dev/null || die "the sampler ended early: $(cat "$WORK/sample.err")"
wait "$SAMPLER" || die "h2soak sample failed: $(cat "$WORK/sample.err")"
SAMPLES=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['target']['samples']['count'])" \
  "$WORK/samples.json" 2>/dev/null || echo "?")
/usr/bin/python3 - <<PYEOF
cpu = ($B - $A) / 1e9
wall = ($TB - $TA) / 1e9
print(f"sampler at $INTERVAL (gauges: ${GAUGES}): {cpu*1e3:.1f} ms CPU over {wall:.1f} s = {100*cpu/wall:.3f} % of one core "
      f"({$SAMPLES if '$SAMPLES' != '?' else 0} samples in the result)")
main = ($BM - $AM) / 1e9
print(f"  of which the main thread (phase marks, Ctrl-C and liveness every 200 ms) {100*main/wall:.3f} %, "
      f"the sampler thread(s) {100*(cpu-main)/wall:.3f} %")
print(f"RESULT sampler_cpu_percent={100*cpu/wall:.4f} main_thread_percent={100*main/wall:.4f} "
      f"sampler_threads_percent={100*(cpu-main)/wall:.4f} interval=$INTERVAL gauges=$GAUGES")
PYEOF
