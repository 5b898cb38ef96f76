#!/usr/bin/env bash
# The long soak: the mixed scenario (every workload at once) held for an hour
# against the reference server, while the generator's own RSS, threads and
# fds are sampled from /proc beside the target's (which h2soak samples). Fails
# if either process grows during steady load: a leak-hunting harness must not
# leak itself, and the "clean" reference server must stay flat far past the
# nightly suite's 90 s. Not part of CI (it takes the hour); ci/nightly.sh can
# run a short one with H2SOAK_SOAK_MINUTES.
#
# Usage: ci/soak.sh [--minutes M] [--scenario FILE] [--out DIR] [h2soak run options...]
#   --minutes M    steady minutes (default 60); warmup and cooldown as in FILE
#   --scenario F   default scenarios/mixed.yaml
# Environment: H2SOAK_BUILD_DIR (default build/), H2SOAK_SKIP_DEPS=1.
# Writes DIR/soak.json (figures and verdict), DIR/generator.csv, the result
# JSON and the target log; exit 0 when neither process grew, 1 when one did,
# 3 when the run did not complete.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
minutes=60
scenario=$root/scenarios/mixed.yaml
out=$root/out/soak-$(date -u +%Y%m%dT%H%M%SZ)
args=()
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 ]] || { echo "soak: --minutes must be a whole number ≥ 1, not '$minutes'" >&2; exit 2; }

t0=$SECONDS
[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
build_h2soak "$build"
echo "soak: build took $((SECONDS - t0)) s"

mkdir -p "$out"
exec /usr/bin/python3 "$root/ci/soak.py" --build "$build" --scenario "$scenario" --minutes "$minutes" \
  --out "$out" -- "${args[@]}"
