#!/usr/bin/env bash
# The nightly job (README's run command): build h2soak and the reference
# server, run the nightly suite against the reference server (or the target
# given on the command line), compare with the stored baseline of this
# machine profile, write result JSON, target logs, a Markdown summary and
# JUnit XML under one output folder, and exit with the run's code:
#   0 pass · 1 regression or failed threshold · 2 invalid scenario/baseline ·
#   3 the run could not be completed · 4 internal error
#
# Usage: ci/nightly.sh [--target-url URL] [--spawn CMD | --pid N | --pidfile F]
#                      [--metrics-url URL] [--gauge NAME]... [--threads N]
# (every argument is passed to `h2soak run`).
# Environment: H2SOAK_BUILD_DIR (default build/), H2SOAK_OUT_DIR (default
# out/nightly-TIMESTAMP), H2SOAK_SUITE (default scenarios/nightly.yaml),
# H2SOAK_BASELINE (default ci/baselines/<profile>.json, profile from
# ci/profile.sh), H2SOAK_SKIP_DEPS=1 to skip the Debian package check.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
out=${H2SOAK_OUT_DIR:-$root/out/nightly-$(date -u +%Y%m%dT%H%M%SZ)}
suite=${H2SOAK_SUITE:-$root/scenarios/nightly.yaml}
profile=$("$root/ci/profile.sh")
baseline=${H2SOAK_BASELINE:-$root/ci/baselines/$profile.json}

[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# A fresh build folder gets a lean configuration; an existing one keeps its
# options (a developer's tree with tests), only the build type is pinned
# because baselines are recorded with RelWithDebInfo.
config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ ! -f $build/CMakeCache.txt ]]; then
  config+=(-DH2SOAK_TESTS=OFF -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF)
fi
cmake -S "$root" -B "$build" -G Ninja "${config[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target h2soak h2soak-target

h2soak=$build/harness/cli/h2soak
mkdir -p "$out"
args=(run "$suite" --out "$out" --summary-md "$out/summary.md" --junit "$out/junit.xml"
      --verdict-json "$out/verdict.json")
if [[ -f $baseline ]]; then
  args+=(--baseline "$baseline")
  echo "nightly: profile $profile, baseline $baseline"
else
  echo "nightly: no baseline for profile $profile ($baseline); thresholds only." >&2
  echo "nightly: record one with ci/record-baseline.sh on this machine and commit it." >&2
fi

set +e
"$h2soak" "${args[@]}" "$@" 2>&1 | tee "$out/nightly.log"
code=${PIPESTATUS[0]}
set -e

echo
echo "nightly: exit code $code"
echo "nightly: results      $out/*.json (one per scenario), target logs $out/*.target.log"
echo "nightly: summary      $out/summary.md"
echo "nightly: JUnit XML    $out/junit.xml"
echo "nightly: verdict JSON $out/verdict.json"
echo "nightly: full log     $out/nightly.log"
exit "$code"
