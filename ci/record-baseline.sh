#!/usr/bin/env bash
# Records the baseline of this machine profile for the nightly job:
# builds h2soak and the reference server as ci/nightly.sh does, runs the
# nightly suite K times (default 3; about 7 minutes per pass on 2 cores) and
# writes ci/baselines/<profile>.json atomically (profile from ci/profile.sh).
# An existing baseline is kept unless --force is given. Commit the file.
#
# Usage: ci/record-baseline.sh [--force] [--runs K] [target options of h2soak run]
# Environment: H2SOAK_BUILD_DIR, H2SOAK_SUITE, H2SOAK_BASELINE (output path),
# H2SOAK_OUT_DIR (the runs' result files), H2SOAK_SKIP_DEPS=1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
suite=${H2SOAK_SUITE:-$root/scenarios/nightly.yaml}
profile=$("$root/ci/profile.sh")
baseline=${H2SOAK_BASELINE:-$root/ci/baselines/$profile.json}
out=${H2SOAK_OUT_DIR:-$root/out/baseline-$profile-$(date -u +%Y%m%dT%H%M%SZ)}

[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
build_h2soak "$build"

mkdir -p "$(dirname "$baseline")" "$out"
echo "record-baseline: profile $profile -> $baseline (runs in $out)"
exec "$build/harness/cli/h2soak" baseline record "$suite" --out "$baseline" --results "$out" "$@"
