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

# Unit tests run in parallel; tests that put load on the machine or measure
# time are marked RUN_SERIAL in their CMakeLists so they never overlap.
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 ${CTEST_ARGS:-}
