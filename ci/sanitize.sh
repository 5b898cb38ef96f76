#!/usr/bin/env bash
# The sanitizer stage of CI: builds, with AddressSanitizer + UndefinedBehavior-
# Sanitizer, the parts that face input nobody vetted — the reference server
# (hostile clients) and the harness's parsers of scenarios, baselines and
# result files — and runs their tests. Any sanitizer report fails the stage
# (UBSan does not recover; a server that reports exits non-zero, which the
# e2e fixtures check). The "clean" RSS property test is left to the normal
# build: ASan's quarantine holds freed memory on purpose.
#
# `ci/sanitize.sh thread` is the nightly ThreadSanitizer stage instead: the
# threaded parts — the engine's worker loops, the plan runner, the sampler and
# the scraper, the target process watcher — built with -fsanitize=thread, and
# their tests run (build-tsan/). ci/nightly.sh runs it after the suite when
# H2SOAK_NIGHTLY_EXTRAS=1 (the scheduled nightly workflow sets it).
#
# Environment: H2SOAK_SAN_BUILD_DIR (default build-asan/ or build-tsan/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-address}

[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
t0=$SECONDS

if [[ $mode == thread ]]; then
  build=${H2SOAK_SAN_BUILD_DIR:-$root/build-tsan}
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}" \
    -DH2SOAK_TESTS=ON -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF -DH2SOAK_SANITIZE=thread >/dev/null
  threaded=(sampler_test plan_runner_test engine_e2e_test launch_process_test)
  cmake --build "$build" -j"$(nproc)" --target h2soak-target "${threaded[@]}"
  echo "sanitize (thread): build took $((SECONDS - t0)) s"
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:exitcode=66}
  t1=$SECONDS
  for t in "${threaded[@]}"; do
    bin=$(find "$build/harness" "$build/common" -name "$t" -type f -perm -u+x | head -1)
    [[ -n $bin ]] || { echo "sanitize: no $t in $build" >&2; exit 1; }
    # A race halts the test with exit 66. Under TSan's 5-15x slowdown the
    # tests' load figures (requests done in a 1 s warmup, ...) may fall short:
    # those assertions are the normal build's to judge, so here they only warn.
    rc=0
    "$bin" --gtest_brief=1 >"$build/$t.log" 2>&1 || rc=$?
    if ((rc == 66)) || grep -q "WARNING: ThreadSanitizer" "$build/$t.log"; then
      echo "sanitize (thread): $t: ThreadSanitizer report" >&2; grep -A40 "WARNING: ThreadSanitizer" "$build/$t.log" | head -80 >&2; exit 1
    elif ((rc != 0)); then
      echo "sanitize (thread): $t: no race; some load assertions fell short under TSan's slowdown (exit $rc, see $build/$t.log)"
    else
      echo "sanitize (thread): $t passed"
    fi
  done
  echo "sanitize (thread): tests took $((SECONDS - t1)) s"
  exit 0
fi

build=${H2SOAK_SAN_BUILD_DIR:-$root/build-asan}
# -O1 -g1: what AddressSanitizer's authors recommend (reports keep file:line),
# and about a third less compile time than -O2 -g on CI's 2 cores.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DH2SOAK_TESTS=ON -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF -DH2SOAK_SANITIZE=address+undefined >/dev/null
# The parsers' tests, the h2 client session's (fed by a real nghttp2 server in
# memory: interim responses, resets, GOAWAY, malformed :status) and those of
# nghttp2's free-list allocator (common/; here nghttp2 itself uses libc, but
# the tests drive the free lists directly).
parsers=(scenario_loader_test scenario_errors_test scenario_threshold_test scenario_env_subst_test
         compare_rules_test compare_verdict_test compare_baseline_test compare_threshold_test
         compare_result_adapter_test result_json_test h2_session_pair_test session_memory_test)
# The fuzz targets' seeds and past findings, replayed under the sanitizers
# (fuzz/CMakeLists.txt: every NAME_replay, built by h2soak-fuzz-replay; CTest label fuzz-replay).
cmake --build "$build" -j"$(nproc)" --target h2soak-target target_server_unit_test "${parsers[@]}" h2soak-fuzz-replay
echo "sanitize: build took $((SECONDS - t0)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
t1=$SECONDS
regex=$(IFS='|'; echo "${parsers[*]}")
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 -L target -LE 'e2e' 
ctest --test-dir "$build" --output-on-failure -j1 --timeout 600 -L e2e -L target -LE 'clean|bounds'
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 -L fuzz-replay
# The parser tests, by executable (their gtest cases are registered one by one).
for t in "${parsers[@]}"; do
  bin=$(find "$build/harness" "$build/common" -name "$t" -type f -perm -u+x | head -1)
  "$bin" --gtest_brief=1 >/dev/null || { echo "sanitize: $t failed" >&2; "$bin" --gtest_brief=1 | tail -40; exit 1; }
done
echo "sanitize: tests took $((SECONDS - t1)) s (${regex//|/, })"
