#!/usr/bin/env bash
# Connection churn over TLS: client CPU per new connection of Debian's h2load and of h2soak's
# short_connections workload (one request per connection), at the same offered rate of new
# connections, alternately (A B A B ..., PAIRS pairs). h2soak runs with TLS session resumption
# on (`tls_resume: true`, RESUME=false for full handshakes); h2load makes a full handshake per
# connection (it has no resumption). When the client is the bottleneck, the connections per
# second a core can open is 1 / (CPU per connection), so the CPU ratio is the churn ratio.
#
# Method as vs_h2load.sh: Debian's h2o as the server on CPU 0 (one thread), the client on
# CPU 1, TLS 1.3 with one cipher; client CPU = utime+stime of the client process over its
# whole run (h2soak's includes its start, warm-up and cool-down: it is charged, not excused).
#
# Usage: harness/bench/churn_vs_h2load.sh [BUILD_DIR]
#   env: RATE=400 (new connections per second)  SECONDS_=10 (steady)  PAIRS=3  RESUME=true
# Loopback only; every run is bounded by a count and a timeout; only processes started here
# are stopped, by PID.
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-build}}
H2SOAK=${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}
RATE=${RATE:-400}
STEADY=${SECONDS_:-10}
PAIRS=${PAIRS:-3}
RESUME=${RESUME:-true}
CIPHER=TLS_AES_128_GCM_SHA256
PY=/usr/bin/python3

[[ -x $H2SOAK ]] || { echo "churn_vs_h2load: no h2soak binary at $H2SOAK (give the build dir)" >&2; exit 2; }
for tool in h2load h2o openssl; do
  command -v "$tool" >/dev/null || { echo "churn_vs_h2load: $tool is missing (apt-get install -y nghttp2-client h2o)" >&2; exit 2; }
done

# shellcheck source=bench_procs.sh
. "$(dirname "$0")/bench_procs.sh"
bench_start churn_vs_h2load

PORT=$(free_port)
mkdir -p "$WORK/www"
head -c 2048 /dev/zero | tr '\0' 'a' > "$WORK/www/index.html"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
h2o_config "$WORK/h2o.conf" "$WORK/www" tls "$PORT" "$WORK/cert.pem" "$WORK/key.pem"
taskset -c 0 h2o -c "$WORK/h2o.conf" >"$WORK/h2o.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.05; done

# h2soak: one short_connections workload at RATE; warm-up and cool-down of 1 s.
cat > "$WORK/churn.yaml" <<YAML
name: churn
target: {url: "https://127.0.0.1:$PORT", remote: true, insecure: true}
phases: {warmup: 1s, steady: ${STEADY}s, cooldown: 1s}
workloads:
  - kind: short_connections
    rate: $RATE/s
    protocol: h2
    path: /index.html
    tls_resume: $RESUME
    max_in_flight: 512  # a late timer must not turn arrivals into drops
YAML
TOTAL=$((RATE * STEADY))

# One client run: prints "connections cpu_us_per_connection resumed_share"
run_h2load() {
  timeout 300 /usr/bin/time -f "%U %S" -o "$WORK/time.txt" taskset -c 1 h2load -t 1 -m 1 \
    -c "$TOTAL" -n "$TOTAL" -r "$RATE" --rate-period 1s --tls13-ciphers="$CIPHER" \
    "https://127.0.0.1:$PORT/index.html" >"$WORK/out.txt" 2>&1 || true
  local ok
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$WORK/out.txt" | head -n1)
  awk -v d="${ok:-0}" '{ if (d > 0) printf "%d %.1f 0\n", d, ($1 + $2) * 1e6 / d; else print "0 0 0" }' "$WORK/time.txt"
}
run_h2soak() {
  rm -rf "$WORK/res"
  timeout 300 /usr/bin/time -f "%U %S" -o "$WORK/time.txt" taskset -c 1 "$H2SOAK" run --quiet \
    --out "$WORK/res" "$WORK/churn.yaml" >"$WORK/out.txt" 2>&1 || true
  $PY - "$WORK/res" "$WORK/time.txt" <<'PYEOF'
import glob, json, sys
files = glob.glob(sys.argv[1] + "/*.json")
result = next((json.load(open(f)) for f in files if '"h2soak.result/v1"' in open(f).read()), None)
if result is None:
    print("0 0 0"); sys.exit()
opened = resumed = 0
for workload in result["workloads"]:
    for phase in workload["phases"]:
        opened += phase["counters"]["connections"]["opened"]
        resumed += phase.get("extra_counters", {}).get("tls_resumed", 0)
u, s = map(float, open(sys.argv[2]).read().split()[-2:])
print(f"{opened} {(u + s) * 1e6 / opened:.1f} {resumed / opened:.2f}" if opened else "0 0 0")
PYEOF
}

median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

: > "$WORK/a"; : > "$WORK/b"
for _ in $(seq "$PAIRS"); do
  run_h2load >> "$WORK/a"
  run_h2soak >> "$WORK/b"
done
ca=$(awk '{print $2}' "$WORK/a" | median); cb=$(awk '{print $2}' "$WORK/b" | median)
na=$(awk '{print $1}' "$WORK/a" | median); nb=$(awk '{print $1}' "$WORK/b" | median)
share=$(awk '{print $3}' "$WORK/b" | median)
cr=$(paste "$WORK/a" "$WORK/b" | awk '$2 > 0 && $5 > 0 { printf "%.4f\n", $5 / $2 }' | median)
printf "churn TLS at %s new connections/s (%s pairs)\n" "$RATE" "$PAIRS"
printf "  h2load: %s connections, %s us client CPU per connection (full handshakes)\n" "$na" "$ca"
printf "  h2soak: %s connections, %s us client CPU per connection (tls_resume %s, resumed share %s)\n" "$nb" "$cb" "$RESUME" "$share"
printf "  cpu x (h2soak/h2load, median of pairs): %.2f  -> connections per core-second x %.2f\n" "$cr" "$(awk -v r="$cr" 'BEGIN { print (r > 0) ? 1 / r : 0 }')"
