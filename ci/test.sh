#!/usr/bin/env bash
# The test command (README): installs missing Debian packages, configures,
# builds everything (harness, reference server, Python module, benchmarks),
# runs every test through CTest — GoogleTest suites, the end-to-end tests that
# spawn the real binaries on loopback, and the pytest suites (registered in
# CTest, run with Debian's /usr/bin/python3) — and then the quick detection
# matrix (ci/detection_matrix.sh --quick): every seeded leak of the reference
# server must be flagged, and the clean server must pass.
#
# Environment: H2SOAK_BUILD_DIR (default: build/), H2SOAK_SANITIZE
# (address|undefined|thread), CTEST_ARGS (extra ctest arguments, e.g. "-R
# histogram"), H2SOAK_NO_MATRIX=1 to skip the quick matrix (e.g. with a
# sanitizer build, whose speed is not what the baseline was recorded at),
# H2SOAK_HEADER_CHECK=OFF to skip compiling each header alone (.ci/run does:
# the nightly job's extras compile them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}

# shellcheck source=ci/stages.sh
. "$root/ci/stages.sh"
stages_init test.sh

"$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
stage_done deps

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}" \
  -DH2SOAK_TESTS=ON -DH2SOAK_BENCH=ON -DH2SOAK_PYTHON=ON \
  -DH2SOAK_HEADER_CHECK="${H2SOAK_HEADER_CHECK:-ON}" \
  -DH2SOAK_SANITIZE="${H2SOAK_SANITIZE:-}"
cmake --build "$build" -j"$(nproc)"
stage_done build

# Two passes: unit tests in parallel, then every test labelled e2e (they
# spawn servers and put load on loopback, and some judge timing) one at a
# time, so no two loads compete for the 2 cores of a CI machine.
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 -LE e2e ${CTEST_ARGS:-}
stage_done unit
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j1 --timeout 600 -L e2e ${CTEST_ARGS:-}
stage_done e2e

if [[ ${H2SOAK_NO_MATRIX:-0} != 1 && -z ${CTEST_ARGS:-} ]]; then
  H2SOAK_SKIP_DEPS=1 "$root/ci/detection_matrix.sh" --quick --build "$build" \
    --out "${H2SOAK_MATRIX_OUT:-$build/matrix-quick}"
  stage_done quick-matrix
fi
