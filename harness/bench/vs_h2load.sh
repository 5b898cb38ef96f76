#!/usr/bin/env bash
# Runs Debian's h2load and `h2soak bench` alternately (A B A B ..., PAIRS
# pairs) against the same server and prints, per server and shape, the median
# req/s and client CPU per request (utime+stime of the client process /
# requests done) of each, and the ratios h2soak/h2load.
#
# Method: server pinned to CPU 0 with one worker
# thread, client pinned to CPU 1 with -t 1, one TLS 1.3 cipher on both sides,
# runs of >= 2 s. Servers: h2o (Debian's, 127.0.0.1 only, started here) and
# h2soak-target when built. Loopback only; every run is bounded by -n and a
# timeout; only processes started here are stopped, by PID.
#
# Usage: harness/bench/vs_h2load.sh [BUILD_DIR]
#   env: PAIRS=3  SHAPES="c8m16 c64m1 c1m100 big"  SERVERS="h2o target"
#        PROTOS="h2c tls"  N=600000 (N_BIG=60000)  QUICK=1 (N/10, 3 pairs)
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-build}}
H2SOAK=${H2SOAK:-$BUILD_DIR/harness/cli/h2soak}
TARGET=${TARGET:-$BUILD_DIR/target_server/h2soak-target}
H2LOAD=${H2LOAD:-$(command -v h2load || true)}
H2O=${H2O:-$(command -v h2o || true)}
PAIRS=${PAIRS:-3}
SHAPES=${SHAPES:-"c8m16 c64m1 c1m100 big"}
SERVERS=${SERVERS:-"h2o target"}
PROTOS=${PROTOS:-"h2c tls"}
N=${N:-600000}
N_BIG=${N_BIG:-60000}
if [[ ${QUICK:-0} == 1 ]]; then N=$((N / 10)); N_BIG=$((N_BIG / 10)); fi
CIPHER=TLS_AES_128_GCM_SHA256
TIMEOUT=${TIMEOUT:-120}

[[ -x $H2SOAK ]] || { echo "vs_h2load: no h2soak binary at $H2SOAK (give the build dir)" >&2; exit 2; }
[[ -n $H2LOAD ]] || { echo "vs_h2load: h2load not installed (apt-get install nghttp2-client)" >&2; exit 2; }

# shellcheck source=bench_procs.sh
. "$(dirname "$0")/bench_procs.sh"
bench_start vs_h2load  # WORK, PIDS: every server started here is stopped at exit

wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

mkdir -p "$WORK/www"
head -c 2048 /dev/zero | tr '\0' 'a' > "$WORK/www/index.html"
head -c 102400 /dev/urandom > "$WORK/www/big.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1

start_h2o() {  # $1 = h2c|tls; sets PORT, SERVER_PID
  PORT=$(free_port)
  local listener=("$1" "$PORT")
  [[ $1 == tls ]] && listener+=("$WORK/cert.pem" "$WORK/key.pem")
  h2o_config "$WORK/h2o.conf" "$WORK/www" "${listener[@]}"
  taskset -c 0 "$H2O" -c "$WORK/h2o.conf" >"$WORK/h2o.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$PORT" || { echo "h2o did not start:" >&2; cat "$WORK/h2o.log" "$WORK/h2o-error.log" >&2; exit 3; }
}

start_target() {  # $1 = h2c|tls
  local flags=(--threads 1 --port 0)
  [[ $1 == h2c ]] && flags+=(--no-tls)
  [[ $1 == tls ]] && flags+=(--tls-only)
  taskset -c 0 "$TARGET" "${flags[@]}" >"$WORK/target.out" 2>"$WORK/target.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do PORT=$(head -n1 "$WORK/target.out" 2>/dev/null || true); [[ $PORT =~ ^[0-9]+$ ]] && break; sleep 0.05; done
  wait_port "$PORT" || { echo "h2soak-target did not start" >&2; exit 3; }
}

# One client run: prints "req_per_s cpu_us_per_req done"
run_client() {  # $1 = h2load|h2soak, rest = args
  local tool=$1; shift
  local out="$WORK/out.txt" tfile="$WORK/time.txt"
  if [[ $tool == h2load ]]; then
    timeout "$TIMEOUT" /usr/bin/time -f "%U %S" -o "$tfile" taskset -c 1 "$H2LOAD" "$@" >"$out" 2>&1 || true
  else
    timeout "$TIMEOUT" /usr/bin/time -f "%U %S" -o "$tfile" taskset -c 1 "$H2SOAK" bench --no-progress "$@" >"$out" 2>&1 || true
  fi
  local rps ok cpu
  rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$out" | head -n1)
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$out" | head -n1)
  cpu=$(awk '{print $1 + $2}' "$tfile" 2>/dev/null | tail -n1)
  if [[ -z $rps || -z $ok || $ok == 0 ]]; then echo "0 0 0"; return; fi
  awk -v r="$rps" -v c="$cpu" -v d="$ok" 'BEGIN { printf "%.0f %.3f %d\n", r, c * 1e6 / d, d }'
}

median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

printf "%-7s %-4s %-7s | %10s %10s | %9s %9s | %6s %6s\n" server proto shape "h2load r/s" "h2soak r/s" "h2load us" "h2soak us" "r/s x" "cpu x"
for server in $SERVERS; do
  if [[ $server == h2o && -z $H2O ]]; then echo "(h2o not installed: skipped)"; continue; fi
  if [[ $server == target && ! -x $TARGET ]]; then echo "(h2soak-target not built: skipped)"; continue; fi
  for proto in $PROTOS; do
    "start_$( [[ $server == h2o ]] && echo h2o || echo target )" "$proto"
    scheme=http; tlsargs_h2load=(); tlsargs_h2soak=()
    if [[ $proto == tls ]]; then
      scheme=https; tlsargs_h2load=(--tls13-ciphers="$CIPHER"); tlsargs_h2soak=(-k --tls13-ciphers "$CIPHER")
    fi
    path=/index.html; [[ $server == target ]] && path=/static/bench-2k.html
    for shape in $SHAPES; do
      case $shape in
        c8m16) args=(-c 8 -m 16 -t 1 -n "$N"); url="$scheme://127.0.0.1:$PORT$path" ;;
        c64m1) args=(-c 64 -m 1 -t 1 -n "$N"); url="$scheme://127.0.0.1:$PORT$path" ;;
        c1m100) args=(-c 1 -m 100 -t 1 -n "$N"); url="$scheme://127.0.0.1:$PORT$path" ;;
        big) [[ $server == target ]] && continue
             args=(-c 8 -m 8 -t 1 -n "$N_BIG"); url="$scheme://127.0.0.1:$PORT/big.bin" ;;
        *) echo "unknown shape $shape" >&2; exit 2 ;;
      esac
      : > "$WORK/a"; : > "$WORK/b"
      for _ in $(seq "$PAIRS"); do
        run_client h2load "${tlsargs_h2load[@]}" "${args[@]}" "$url" >> "$WORK/a"
        run_client h2soak "${tlsargs_h2soak[@]}" "${args[@]}" "$url" >> "$WORK/b"
      done
      ra=$(awk '{print $1}' "$WORK/a" | median); rb=$(awk '{print $1}' "$WORK/b" | median)
      ca=$(awk '{print $2}' "$WORK/a" | median); cb=$(awk '{print $2}' "$WORK/b" | median)
      # Medians of the per-pair ratios (drift cancels within a pair).
      rr=$(paste "$WORK/a" "$WORK/b" | awk '$1 > 0 { printf "%.4f\n", $4 / $1 }' | median)
      cr=$(paste "$WORK/a" "$WORK/b" | awk '$2 > 0 { printf "%.4f\n", $5 / $2 }' | median)
      printf "%-7s %-4s %-7s | %10s %10s | %9s %9s | %6.2f %6.2f\n" "$server" "$proto" "$shape" "$ra" "$rb" "$ca" "$cb" "$rr" "$cr"
    done
    stop_pid "$SERVER_PID"
  done
done
echo "(r/s x = h2soak/h2load throughput; cpu x = h2soak/h2load client CPU per request, lower is better; medians of $PAIRS pairs)"
