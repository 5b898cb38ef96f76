#!/usr/bin/env bash
# The fuzz stage (docs/fuzzing.md): builds the libFuzzer targets of fuzz/ with
# clang (-DH2SOAK_FUZZ=ON: coverage, AddressSanitizer, UndefinedBehaviorSanitizer)
# in build-fuzz/, then runs each target for SECONDS_PER_TARGET (default 20) on
# a copy of its seed corpus and regression inputs (fuzz/corpus/TARGET/,
# fuzz/regressions/TARGET/), so the repository's corpus is never changed, with
# its dictionary when it has one (fuzz/dict/TARGET.dict).
# Prints, per target, the seconds, executions and coverage; fails when any
# target reports a crash, a sanitizer error, a leak, a timeout or running out
# of memory, and keeps the input that did it (and the log) in out/fuzz/TARGET/.
# CI runs it with the default; the nightly job can give it minutes per target.
#
# Usage: ci/fuzz.sh [SECONDS_PER_TARGET]
# Environment: H2SOAK_FUZZ_BUILD_DIR (default build-fuzz/), H2SOAK_FUZZ_OUT
# (default out/fuzz/), H2SOAK_FUZZ_TARGETS (names, default: all),
# H2SOAK_SKIP_DEPS=1 to skip the package check.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_FUZZ_BUILD_DIR:-$root/build-fuzz}
out=${H2SOAK_FUZZ_OUT:-$root/out/fuzz}
seconds=${1:-20}
if [[ ! $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: ci/fuzz.sh [SECONDS_PER_TARGET]  (a whole number of seconds, not '$seconds')" >&2
  exit 2
fi
# Every fuzz/NAME_fuzz.cc is a target (fuzz/CMakeLists.txt registers each).
all_targets=()
for f in "$root"/fuzz/*_fuzz.cc; do all_targets+=("$(basename "$f" .cc)"); done
read -r -a targets <<<"${H2SOAK_FUZZ_TARGETS:-${all_targets[*]}}"

# shellcheck source=ci/stages.sh
. "$root/ci/stages.sh"
stages_init fuzz.sh
rows=()
print_summary() {
  local code=$?
  if ((${#rows[@]})); then
    echo "fuzz.sh: results"
    printf 'fuzz.sh:   %-22s %5s %10s %8s %6s %7s %6s  %s\n' target secs execs exec/s cov ft corpus result
    for r in "${rows[@]}"; do echo "fuzz.sh:   $r"; done
  fi
  stages_print "$code"
}
trap print_summary EXIT

if [[ ${H2SOAK_SKIP_DEPS:-0} != 1 ]]; then
  # clang for the compiler; llvm for llvm-symbolizer (readable sanitizer
  # stacks); the libFuzzer, ASan and UBSan runtimes ship in libclang-rt-N-dev,
  # which nothing installs without recommends, N being clang's major version.
  "$root/ci/deps.sh" clang llvm
  "$root/ci/deps.sh" "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
fi
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
stage_done deps

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}" \
  -DH2SOAK_FUZZ=ON -DH2SOAK_TESTS=OFF -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
stage_done build

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
work=$(mktemp -d)
trap 'rm -rf "$work"; print_summary' EXIT
failed=()
for t in "${targets[@]}"; do
  corpus=$work/$t
  mkdir -p "$corpus" "$out/$t"
  rm -f "$out/$t"/*
  # Seeds and regressions together: a regression that fails again fails here.
  find "$root/fuzz/corpus/$t" "$root/fuzz/regressions/$t" -type f ! -name '.*' -exec cp {} "$corpus/" \;
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$out/$t/")
  if [[ -f $root/fuzz/dict/$t.dict ]]; then args+=(-dict="$root/fuzz/dict/$t.dict"); fi
  log=$out/$t/fuzz.log
  t0=$SECONDS
  status=0
  (cd "$work" && "$build/fuzz/$t" "${args[@]}" "$corpus") >"$log" 2>&1 || status=$?
  took=$((SECONDS - t0))
  # The last status line ("#N DONE cov: C ft: F corp: U/S ...") and the final stats.
  last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units:[[:space:]]+([0-9]+)/\1/p' "$log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec:[[:space:]]+([0-9]+)/\1/p' "$log")
  result=ok
  if ((status != 0)); then
    found=$(find "$out/$t" -type f ! -name fuzz.log | head -1)
    result="FAILED (exit $status${found:+, input $found}; log $log)"
    failed+=("$t")
    grep -E 'ERROR: |SUMMARY: |runtime error: |check failed' "$log" | head -5 >&2 || true
  fi
  rows+=("$(printf '%-22s %5d %10s %8s %6s %7s %6s  %s' "$t" "$took" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
  echo "fuzz.sh: $t: ${took}s, ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}: $result"
  stage_done "$t"
done

if ((${#failed[@]})); then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]} (inputs and logs in $out/)" >&2
  exit 1
fi
