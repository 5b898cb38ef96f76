#!/usr/bin/env bash
# Compares h2soak-target with h2o (Debian's package) serving the same 2,048-byte page, and
# measures h2soak-target holding 10,000 SSE streams. Not a test: it prints figures.
#
#   target_server/bench/vs_h2o.sh [PATH/TO/h2soak-target]
#
# Method: server pinned to CPU 0 with one worker thread, h2load
# pinned to CPU 1 with -t 1; shapes -c 8 -m 16 and -c 64 -m 1, over h2c and TLS (TLS 1.3,
# TLS_AES_128_GCM_SHA256 forced on the client, same certificate for both servers); runs
# alternate A B A B ... (PAIRS pairs, default 3) and the summary quotes medians and the median of
# the per-pair ratios. Server CPU per request = (utime+stime) of every thread and child
# process, from /proc/PID/stat, over requests that succeeded.
#
# Environment: PAIRS (default 3), SCALE (request counts multiplier, default 1),
# SSE_SECONDS (default 30; 0 skips the SSE part), SKIP_H2O=1 (only the SSE part).
# Everything listens on 127.0.0.1 and every run is bounded by -n or -D. Only processes this
# script started are stopped, by PID.
set -euo pipefail

BIN=${1:-$(dirname "$0")/../../../build-server/target_server/h2soak-target}
BIN=$(readlink -f "$BIN")
PAIRS=${PAIRS:-3}
SCALE=${SCALE:-1}
SSE_SECONDS=${SSE_SECONDS:-30}
PY=/usr/bin/python3
# shellcheck source=../../harness/bench/bench_procs.sh
. "$(dirname "$0")/../../harness/bench/bench_procs.sh"
bench_start h2soak-bench  # WORK, PIDS: every process started here is stopped at exit

die() { echo "vs_h2o.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "not an executable: $BIN"
for tool in h2load taskset openssl curl; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on 0, h2load on 1)"

install_h2o() {
  command -v h2o >/dev/null && return
  echo "# installing Debian's h2o (service start blocked by policy-rc.d)" >&2
  local saved=""
  if [ -e /usr/sbin/policy-rc.d ]; then saved=$WORK/policy-rc.d.saved; cp -p /usr/sbin/policy-rc.d "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends h2o >"$WORK/apt.log" 2>&1 || {
    apt-get update >>"$WORK/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends h2o >>"$WORK/apt.log" 2>&1
  } || rc=$?
  if [ -n "$saved" ]; then cp -p "$saved" /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi
  [ $rc -eq 0 ] || die "apt-get install h2o failed; see $WORK/apt.log"
}

# utime+stime ticks of PID, all its threads and its direct children (h2o forks under TLS).
cpu_ticks() {
  $PY - "$1" <<'PYEOF'
import os, sys
root = int(sys.argv[1])
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[1]), int(rest[11]) + int(rest[12])  # ppid, utime+stime
total = 0
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        ppid, ticks = stat(int(p))
    except (OSError, IndexError):
        continue
    if int(p) == root or ppid == root:
        total += ticks
print(total)
PYEOF
}

# "rss_kib hwm_kib" of PID plus its direct children.
mem_kib() {
  $PY - "$1" <<'PYEOF'
import os, sys
root = int(sys.argv[1])
rss = hwm = 0
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        with open(f"/proc/{p}/status") as f:
            st = dict(l.split(":", 1) for l in f if ":" in l)
    except OSError:
        continue
    if int(p) == root or int(st["PPid"]) == root:
        rss += int(st.get("VmRSS", "0 kB").split()[0])
        hwm += int(st.get("VmHWM", "0 kB").split()[0])
print(rss, hwm)
PYEOF
}

start_target() {  # start_target ARGS... -> sets TARGET_PID, TARGET_PORT
  taskset -c 0 "$BIN" --port 0 "$@" >"$WORK/target.out" 2>"$WORK/target.err" &
  TARGET_PID=$!
  PIDS+=("$TARGET_PID")
  for _ in $(seq 100); do
    [ -s "$WORK/target.out" ] && break
    sleep 0.05
  done
  TARGET_PORT=$(head -1 "$WORK/target.out")
  [ -n "$TARGET_PORT" ] || die "h2soak-target did not start: $(cat "$WORK/target.err")"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
TLS_OPTS=(--tls13-ciphers=TLS_AES_128_GCM_SHA256)

# One measured h2load run: run_one NAME PID URL N C M [extra...] -> appends a row to results.tsv
run_one() {
  local name=$1 pid=$2 url=$3 n=$4 c=$5 m=$6
  shift 6
  local before after out ok rps
  before=$(cpu_ticks "$pid")
  out=$(taskset -c 1 h2load -t 1 -n "$n" -c "$c" -m "$m" "$@" "$url" 2>&1) || die "h2load failed: $out"
  after=$(cpu_ticks "$pid")
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  [ "${ok:-0}" -gt 0 ] || die "no request succeeded: $out"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SHAPE" "$PROTO" "$name" "$ok" "$((after - before))" "$rps" >>"$WORK/results.tsv"
  printf '  %-14s %-8s %-6s %8s req/s  %6.2f us/req\n' "$SHAPE" "$PROTO" "$name" "$rps" \
    "$($PY -c "print(($after-$before)*1e6/$(getconf CLK_TCK)/$ok)")" >&2
}

if [ "${SKIP_H2O:-0}" != 1 ]; then
  install_h2o
  # The same bytes from both servers.
  start_target --threads 1 --cert "$WORK/cert.pem" --key "$WORK/key.pem" --idle-timeout 120s
  mkdir -p "$WORK/docroot/static"
  curl -sf -o "$WORK/docroot/static/bench-2k.html" "http://127.0.0.1:$TARGET_PORT/static/bench-2k.html"
  [ "$(stat -c %s "$WORK/docroot/static/bench-2k.html")" = 2048 ] || die "bench page is not 2,048 bytes"
  H2O_PLAIN=$(free_port)
  H2O_TLS=$(free_port)
  h2o_config "$WORK/h2o.conf" "$WORK/docroot" h2c "$H2O_PLAIN" tls "$H2O_TLS" "$WORK/cert.pem" "$WORK/key.pem"
  taskset -c 0 h2o -c "$WORK/h2o.conf" >"$WORK/h2o.out" 2>&1 &
  H2O_PID=$!
  PIDS+=("$H2O_PID")
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$H2O_PLAIN/static/bench-2k.html" && break
    sleep 0.05
  done
  cmp -s <(curl -s "http://127.0.0.1:$H2O_PLAIN/static/bench-2k.html") "$WORK/docroot/static/bench-2k.html" ||
    die "h2o does not serve the page: $(cat "$WORK/h2o-error.log" 2>/dev/null)"

  scaled() { $PY -c "print(max(1000, int($1 * $SCALE)))"; }
  echo "# A = h2soak-target (pid $TARGET_PID), B = h2o $(h2o --version | head -1 | awk '{print $3}') (pid $H2O_PID)" >&2
  for shape in "8 16" "64 1"; do
    read -r C M <<<"$shape"
    SHAPE="-c $C -m $M"
    for PROTO in h2c tls; do
      if [ "$PROTO" = h2c ]; then
        [ "$C" = 8 ] && N=$(scaled 600000) || N=$(scaled 200000)
        A_URL="http://127.0.0.1:$TARGET_PORT/static/bench-2k.html"
        B_URL="http://127.0.0.1:$H2O_PLAIN/static/bench-2k.html"
        EXTRA=()
      else
        [ "$C" = 8 ] && N=$(scaled 400000) || N=$(scaled 150000)
        A_URL="https://127.0.0.1:$TARGET_PORT/static/bench-2k.html"
        B_URL="https://127.0.0.1:$H2O_TLS/static/bench-2k.html"
        EXTRA=("${TLS_OPTS[@]}")
      fi
      for _ in $(seq "$PAIRS"); do
        run_one A "$TARGET_PID" "$A_URL" "$N" "$C" "$M" "${EXTRA[@]}"
        run_one B "$H2O_PID" "$B_URL" "$N" "$C" "$M" "${EXTRA[@]}"
      done
    done
  done
  read -r A_RSS A_HWM <<<"$(mem_kib "$TARGET_PID")"
  read -r B_RSS B_HWM <<<"$(mem_kib "$H2O_PID")"
  $PY - "$WORK/results.tsv" "$(getconf CLK_TCK)" "$A_RSS" "$A_HWM" "$B_RSS" "$B_HWM" <<'PYEOF'
import collections, statistics, sys
path, hz = sys.argv[1], int(sys.argv[2])
a_rss, a_hwm, b_rss, b_hwm = (int(x) / 1024 for x in sys.argv[3:7])
runs = collections.defaultdict(lambda: {"A": [], "B": []})
for line in open(path):
    shape, proto, name, ok, ticks, rps = line.rstrip("\n").split("\t")
    runs[(shape, proto)][name].append((int(ticks) * 1e6 / hz / int(ok), float(rps)))
print()
print("| shape | proto | A h2soak-target µs/req | B h2o µs/req | A/B (median of pairs) | A req/s | B req/s |")
print("|---|---|---|---|---|---|---|")
for (shape, proto), r in runs.items():
    a = [x[0] for x in r["A"]]; b = [x[0] for x in r["B"]]
    ratios = [x / y for x, y in zip(a, b) if y > 0]
    print(f"| {shape} | {proto} | {statistics.median(a):.2f} | {statistics.median(b):.2f} | "
          f"{statistics.median(ratios):.2f} | {statistics.median(x[1] for x in r['A']):,.0f} | "
          f"{statistics.median(x[1] for x in r['B']):,.0f} |")
print()
print(f"RSS after the runs: h2soak-target {a_rss:.1f} MiB (peak {a_hwm:.1f}), h2o {b_rss:.1f} MiB (peak {b_hwm:.1f}, master + children)")
PYEOF
  stop_pid "$H2O_PID"
  stop_pid "$TARGET_PID"
fi

if [ "$SSE_SECONDS" != 0 ]; then
  echo >&2
  echo "# 10,000 SSE streams: 100 connections x 100 streams held ${SSE_SECONDS}s (h2c, --threads 1, interval 100ms)" >&2
  start_target --threads 1 --no-tls --idle-timeout 120s
  read -r RSS0 _ <<<"$(mem_kib "$TARGET_PID")"
  T0=$(cpu_ticks "$TARGET_PID")
  taskset -c 1 h2load -t 1 -c 100 -m 100 -n 10000 -D "$SSE_SECONDS" \
    "http://127.0.0.1:$TARGET_PORT/events" >"$WORK/sse.out" 2>&1 &
  LOAD_PID=$!
  PIDS+=("$LOAD_PID")
  # Sample while the streams are held (bounded by time, not by iterations: a busy machine
  # makes each iteration slower).
  PEAK_STREAMS=0
  RSS_LOAD=0
  END=$((SECONDS + SSE_SECONDS - 3))
  while [ "$SECONDS" -lt "$END" ]; do
    sleep 1
    S=$(curl -s --max-time 2 "http://127.0.0.1:$TARGET_PORT/metrics" |
      awk '$1=="h2soak_target_sse_streams_active"{print $2}')
    [ "${S:-0}" -gt "$PEAK_STREAMS" ] && PEAK_STREAMS=$S
    read -r R _ <<<"$(mem_kib "$TARGET_PID")"
    [ "$R" -gt "$RSS_LOAD" ] && RSS_LOAD=$R
  done
  read -r _ HWM <<<"$(mem_kib "$TARGET_PID")"
  EVENTS=$(curl -s "http://127.0.0.1:$TARGET_PORT/metrics" | awk '$1=="h2soak_target_sse_events_total"{print $2}')
  T1=$(cpu_ticks "$TARGET_PID")
  HELD=$((SSE_SECONDS - 3))
  wait "$LOAD_PID" || true
  sleep 3
  read -r RSS_AFTER _ <<<"$(mem_kib "$TARGET_PID")"
  LEFT=$(curl -s "http://127.0.0.1:$TARGET_PORT/metrics" | awk '$1=="h2soak_target_sse_streams_active"{print $2}')
  $PY - <<PYEOF
hz = $(getconf CLK_TCK)
cpu = ($T1 - $T0) / hz
secs = $HELD
print(f"SSE: peak streams {$PEAK_STREAMS}, events produced {int($EVENTS):,}")
print(f"SSE: server RSS start {$RSS0/1024:.1f} MiB, max sampled under load {$RSS_LOAD/1024:.1f} MiB (VmHWM {$HWM/1024:.1f}), "
      f"after {$RSS_AFTER/1024:.1f} MiB; streams left {$LEFT}")
print(f"SSE: server CPU {cpu:.2f} s over {secs} s = {100*cpu/secs:.0f}% of one core, "
      f"{cpu*1e6/max(1, $EVENTS):.2f} us per event")
PYEOF
  stop_pid "$TARGET_PID"
fi
