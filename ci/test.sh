#!/usr/bin/env bash
# The test command (README): installs missing Debian packages, configures,
# builds everything (harness, reference server, Python module, benchmarks) and
# runs every test through CTest — GoogleTest suites, the end-to-end tests that
# spawn the real binaries on loopback, and the pytest suites (registered in
# CTest, run with Debian's /usr/bin/python3).
#
# Environment: H2SOAK_BUILD_DIR (default: build/), H2SOAK_SANITIZE
# (address|undefined|thread), CTEST_ARGS (extra ctest arguments, e.g. "-R histogram").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}

"$root/ci/deps.sh"

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH2SOAK_TESTS=ON -DH2SOAK_BENCH=ON -DH2SOAK_PYTHON=ON \
  -DH2SOAK_SANITIZE="${H2SOAK_SANITIZE:-}"
cmake --build "$build" -j"$(nproc)"

# Two passes: unit tests in parallel, then every test labelled e2e (they
# spawn servers and put load on loopback, and some judge timing) one at a
# time, so no two loads compete for the 2 cores of a CI machine.
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 -LE e2e ${CTEST_ARGS:-}
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j1 --timeout 600 -L e2e ${CTEST_ARGS:-}
