#!/usr/bin/env bash
# The run command (README): build, start the reference server, put a bounded
# smoke load on it with Debian's h2load, stop it. (Interim: replaced by
# `h2soak run scenarios/nightly.yaml` against the stored baseline.)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
out=${H2SOAK_OUT_DIR:-$root/out/nightly-$(date -u +%Y%m%dT%H%M%SZ)}

"$root/ci/deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH2SOAK_TESTS=OFF -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target h2soak-target

mkdir -p "$out"
"$build/target_server/h2soak-target" --port 0 --no-tls >"$out/target.stdout" 2>"$out/target.log" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [[ -s "$out/target.stdout" ]] && break
  sleep 0.1
done
port=$(head -n1 "$out/target.stdout")
echo "nightly: reference server pid $pid on 127.0.0.1:$port"
h2load -n 20000 -c 8 -m 16 -t 1 "http://127.0.0.1:$port/" "http://127.0.0.1:$port/page/1" | tee "$out/h2load.txt"
grep -q "succeeded, 0 failed, 0 errored" "$out/h2load.txt" || { echo "nightly: smoke load had failures" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
trap - EXIT
echo "nightly: results in $out"
