#!/usr/bin/env bash
# The sanitizer stage of CI: builds, with AddressSanitizer + UndefinedBehavior-
# Sanitizer, the parts that face input nobody vetted — the reference server
# (hostile clients) and the harness's parsers of scenarios, baselines and
# result files — and runs their tests. Any sanitizer report fails the stage
# (UBSan does not recover; a server that reports exits non-zero, which the
# e2e fixtures check). The "clean" RSS property test is left to the normal
# build: ASan's quarantine holds freed memory on purpose.
#
# Environment: H2SOAK_SAN_BUILD_DIR (default build-asan/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_SAN_BUILD_DIR:-$root/build-asan}

[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
t0=$SECONDS
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}" \
  -DH2SOAK_TESTS=ON -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF -DH2SOAK_SANITIZE=address+undefined >/dev/null
parsers=(scenario_loader_test scenario_errors_test scenario_threshold_test scenario_env_subst_test
         compare_rules_test compare_verdict_test compare_baseline_test compare_threshold_test
         compare_result_adapter_test result_json_test)
cmake --build "$build" -j"$(nproc)" --target h2soak-target target_server_unit_test "${parsers[@]}"
echo "sanitize: build took $((SECONDS - t0)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
t1=$SECONDS
regex=$(IFS='|'; echo "${parsers[*]}")
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 -L target -LE 'e2e' 
ctest --test-dir "$build" --output-on-failure -j1 --timeout 600 -L e2e -L target -LE clean
# The parser tests, by executable (their gtest cases are registered one by one).
for t in "${parsers[@]}"; do
  bin=$(find "$build/harness" -name "$t" -type f -perm -u+x | head -1)
  "$bin" --gtest_brief=1 >/dev/null || { echo "sanitize: $t failed" >&2; "$bin" --gtest_brief=1 | tail -40; exit 1; }
done
echo "sanitize: tests took $((SECONDS - t1)) s (${regex//|/, })"
