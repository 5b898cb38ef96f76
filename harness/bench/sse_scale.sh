#!/usr/bin/env bash
# Holds CONNS x STREAMS mostly idle SSE streams against the reference server,
# first with one `h2soak run` process (sse workload), then with Debian's
# h2load holding the same streams, and prints for each client: the streams
# held (the server's h2soak_target_sse_streams_active gauge at plateau, and
# the client's own count), client and server RSS at plateau (VmRSS, VmHWM
# from /proc/PID/status), bytes per stream, and the events the server
# produced per second during the hold against the expected
# CONNS*STREAMS/INTERVAL, with the events it skipped because a client did not
# read (h2soak's own event count is in its line too). The time to plateau
# includes the client's start-up (for h2soak: readiness probe, sampler lead).
# Not a test: it prints figures.
#
# A fresh server is started for each client (h2c, --port 0, limits raised to
# fit the plan), so its RSS is comparable. Loopback only; every run is
# bounded by HOLD and a timeout; only processes started here are stopped, by PID.
#
# Usage: harness/bench/sse_scale.sh [BUILD_DIR]
#   env: CONNS=1000 STREAMS=100 HOLD=30s (time held at plateau, seconds or Ns)
#        INTERVAL=10s (server's --sse-interval)  THREADS=1 (client threads)
#        SERVER_THREADS=1  PEER=1 (0: h2soak only)  RAMP_MAX=120 (s to plateau)
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-build}}
H2SOAK=${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}
TARGET=${TARGET:-$BUILD_DIR/target_server/h2soak-target}
H2LOAD=${H2LOAD:-$(command -v h2load || true)}
CONNS=${CONNS:-1000}
STREAMS=${STREAMS:-100}
HOLD=${HOLD:-30s}
INTERVAL=${INTERVAL:-10s}
THREADS=${THREADS:-1}
SERVER_THREADS=${SERVER_THREADS:-1}
PEER=${PEER:-1}
RAMP_MAX=${RAMP_MAX:-120}
PY=/usr/bin/python3
TOTAL=$((CONNS * STREAMS))
HOLD_S=${HOLD%s}
INTERVAL_S=${INTERVAL%s}

die() { echo "sse_scale: $*" >&2; exit 2; }
[[ -x $H2SOAK ]] || die "no h2soak binary at $H2SOAK (give the build dir)"
[[ -x $TARGET ]] || die "no h2soak-target binary at $TARGET"
[[ $HOLD_S =~ ^[0-9]+$ && $INTERVAL_S =~ ^[0-9]+$ ]] || die "HOLD and INTERVAL are whole seconds (30 or 30s)"
if [[ $PEER == 1 && -z $H2LOAD ]]; then die "h2load not installed (apt-get install nghttp2-client), or PEER=0"; fi

# Both processes need a descriptor per connection (plus some); take the hard limit.
ulimit -n "$(ulimit -Hn)"
NEED=$((CONNS + 200))
[[ $(ulimit -n) -ge $NEED ]] || die "needs $NEED descriptors per process, the hard limit is $(ulimit -Hn)"

# shellcheck source=bench_procs.sh
. "$(dirname "$0")/bench_procs.sh"
bench_start sse_scale

# "rss_kib hwm_kib" of PID
mem_kib() { awk '/^VmRSS:/{r=$2} /^VmHWM:/{h=$2} END{print r+0, h+0}' "/proc/$1/status" 2>/dev/null || echo "0 0"; }
metric() { curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1==m{print $2; exit}'; }

start_server() {  # sets SERVER_PID, PORT
  "$TARGET" --no-tls --port 0 --threads "$SERVER_THREADS" --sse-interval "${INTERVAL_S}s" \
    --max-connections "$((CONNS + 100))" --max-concurrent-streams "$STREAMS" \
    --idle-timeout 600s --read-timeout 60s >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 400); do [[ -s $WORK/server.out ]] && break; sleep 0.05; done
  PORT=$(head -n1 "$WORK/server.out")
  [[ $PORT =~ ^[0-9]+$ ]] || die "server did not print its port: $(cat "$WORK/server.err")"
}

# Waits (at most RAMP_MAX s) until the server's gauge reaches TOTAL or stops
# rising for 5 s; sets PLATEAU (streams) and RAMP_S (seconds it took).
wait_plateau() {
  local start=$SECONDS last=-1 still=0 s
  PLATEAU=0
  while ((SECONDS - start < RAMP_MAX)); do
    sleep 1
    kill -0 "$1" 2>/dev/null || break
    s=$(metric h2soak_target_sse_streams_active); s=${s%.*}; s=${s:-0}
    PLATEAU=$s
    ((s >= TOTAL)) && break
    # A scrape can time out while the server accepts a burst of streams: 0 is no plateau.
    if ((s > 0 && s == last)); then ((++still >= 5)) && break; else still=0; fi
    last=$s
  done
  RAMP_S=$((SECONDS - start))
}

# Measures while the client holds the streams: sets STREAMS_AT, C_RSS, C_HWM,
# S_RSS, S_HWM, EV_RATE (server events produced per second during the hold).
measure_hold() {  # $1 = client pid
  local e0 e1 k0 k1 t0 t1 rss hwm
  C_RSS=0; S_RSS=0
  e0=$(metric h2soak_target_sse_events_total); k0=$(metric h2soak_target_sse_events_skipped_total); t0=$(date +%s.%N)
  local end=$((SECONDS + HOLD_S))
  while ((SECONDS < end)); do
    sleep 1
    read -r rss hwm <<<"$(mem_kib "$1")"; ((rss > C_RSS)) && C_RSS=$rss; C_HWM=$hwm
    read -r rss hwm <<<"$(mem_kib "$SERVER_PID")"; ((rss > S_RSS)) && S_RSS=$rss; S_HWM=$hwm
  done
  e1=$(metric h2soak_target_sse_events_total); k1=$(metric h2soak_target_sse_events_skipped_total); t1=$(date +%s.%N)
  STREAMS_AT=$(metric h2soak_target_sse_streams_active); STREAMS_AT=${STREAMS_AT%.*}
  EV_RATE=$($PY -c "print(f'{(${e1:-0}-${e0:-0})/($t1-$t0):.0f}')")
  SKIPPED=$($PY -c "print(f'{${k1:-0}-${k0:-0}:.0f}')")
}

report() {  # $1 = client name, $2 = client's own count
  $PY - "$@" <<PYEOF
import sys
name, own = sys.argv[1], sys.argv[2]
total, plateau, held = $TOTAL, $PLATEAU, ${STREAMS_AT:-0}
c_rss, c_hwm, s_rss, s_hwm = $C_RSS, ${C_HWM:-0}, $S_RSS, ${S_HWM:-0}
expected = total / $INTERVAL_S
per = lambda kib: kib * 1024 / max(1, held)
print(f"{name}: streams wanted {total:,}, server gauge at plateau {plateau:,} (after ${RAMP_S}s), "
      f"at end of hold {held:,}, client's own count {own}")
print(f"{name}: client RSS {c_rss/1024:.1f} MiB (VmHWM {c_hwm/1024:.1f}) = {per(c_rss):,.0f} B/stream; "
      f"server RSS {s_rss/1024:.1f} MiB (VmHWM {s_hwm/1024:.1f}) = {per(s_rss):,.0f} B/stream")
print(f"{name}: events {float('$EV_RATE'):,.0f}/s produced during the hold (the server's counter), "
      f"expected {expected:,.0f}/s; skipped for not reading: $SKIPPED")
print(f"RESULT {name} held={held} client_rss_kib={c_rss} client_hwm_kib={c_hwm} server_rss_kib={s_rss} "
      f"server_hwm_kib={s_hwm} events_per_s=$EV_RATE skipped=$SKIPPED expected_per_s={expected:.0f} ramp_s=$RAMP_S")
PYEOF
}

echo "# $TOTAL SSE streams: $CONNS connections x $STREAMS, held ${HOLD_S}s at plateau, h2c, interval ${INTERVAL_S}s," \
  "client threads $THREADS, server threads $SERVER_THREADS" >&2

# --- h2soak ----------------------------------------------------------------
start_server
STEADY=$((RAMP_MAX + HOLD_S + 10))
cat >"$WORK/sse_scale.yaml" <<EOF
name: sse_scale
description: $TOTAL idle SSE streams ($CONNS x $STREAMS), held past the end of the run
target:
  url: "http://127.0.0.1:{port}"
phases:
  warmup: 1s
  steady: ${STEADY}s
  cooldown: 1s
sample:
  interval: 1s
workloads:
  - kind: sse
    streams: $TOTAL
    streams_per_connection: $STREAMS
    hold: 1h
    leave: rst
    path: /events
EOF
"$H2SOAK" run "$WORK/sse_scale.yaml" --target-url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" \
  --threads "$THREADS" --out "$WORK/run" -q >"$WORK/h2soak.out" 2>"$WORK/h2soak.err" &
CLIENT=$!
PIDS+=("$CLIENT")
wait_plateau "$CLIENT"
measure_hold "$CLIENT"
# The client's own count: streams opened and not ended early, so far.
stop_pid "$CLIENT"  # SIGTERM: h2soak writes its result for what ran
OWN=$($PY - "$WORK/run" <<'PYEOF' || echo "?"
import glob, json, sys
files = glob.glob(sys.argv[1] + "/*.json")
if not files:
    print("?"); sys.exit()
r = json.load(open(files[0]))
c = {}
for w in r["workloads"]:
    for p in w["phases"]:
        for k, v in p.get("extra_counters", {}).items():
            c[k] = c.get(k, 0) + v
print(f"{c.get('sse.streams_opened', 0) - c.get('sse.ended_early', 0):,} "
      f"(opened {c.get('sse.streams_opened', 0):,}, ended early {c.get('sse.ended_early', 0):,}, "
      f"events {c.get('sse.events', 0):,})")
PYEOF
)
report h2soak "$OWN"
stop_pid "$SERVER_PID"
sleep 1

# --- h2load ----------------------------------------------------------------
if [[ $PEER == 1 ]]; then
  start_server
  # -D keeps h2load issuing requests for the duration; SSE responses never end,
  # so each connection holds its -m streams until -D expires.
  "$H2LOAD" -t "$THREADS" -c "$CONNS" -m "$STREAMS" -n "$TOTAL" -D "$((RAMP_MAX + HOLD_S + 10))" \
    "http://127.0.0.1:$PORT/events" >"$WORK/h2load.out" 2>&1 &
  CLIENT=$!
  PIDS+=("$CLIENT")
  wait_plateau "$CLIENT"
  measure_hold "$CLIENT"
  stop_pid "$CLIENT"
  report h2load "(h2load keeps no count of open streams)"
  stop_pid "$SERVER_PID"
fi
