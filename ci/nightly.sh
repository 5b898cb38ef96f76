#!/usr/bin/env bash
# The nightly job (README's run command): build h2soak and the reference
# server, run the nightly suite against the reference server (or the target
# given on the command line), compare with the stored baseline of this
# machine profile, write result JSON, target logs, a Markdown summary,
# JUnit XML and an HTML report (report/report.html: the verdict first, then
# the plots; report/report.png: its screenshot in headless Chromium, checked
# by reports/screenshot.py --check) under one output folder, and exit with
# the run's code:
#   0 pass · 1 regression or failed threshold · 2 invalid scenario/baseline ·
#   3 the run could not be completed · 4 internal error
#
# Usage: ci/nightly.sh [--matrix] [--target-url URL] [--spawn CMD | --pid N | --pidfile F]
#                      [--target-args WORDS] [--metrics-url URL] [--gauge NAME]...
#                      [--insecure] [--threads N]
# Every argument but --matrix is passed to `h2soak run`. --matrix runs the
# full detection matrix instead (ci/detection_matrix.sh: every fault of the
# reference server against the whole suite, and clean runs that must pass).
#
# Environment: H2SOAK_BUILD_DIR (default build/), H2SOAK_OUT_DIR (default
# out/nightly-TIMESTAMP), H2SOAK_SUITE (default scenarios/nightly.yaml),
# H2SOAK_BASELINE (a file, or "none" for thresholds only; default for the
# nightly suite: ci/baselines/<profile>.json, profile from ci/profile.sh; no
# default for another suite), H2SOAK_SKIP_DEPS=1 to skip the Debian package
# check. H2SOAK_NIGHTLY_EXTRAS=1 (what a scheduled nightly CI job sets) also
# builds and runs the Google Benchmark micro-benchmarks (harness/bench/, JSON
# into bench/<name>.json; a failing one is said, the exit code stays), then
# the header self-compile check, the attribution tests CI leaves out
# (pytest -m nightly), the ThreadSanitizer stage (ci/sanitize.sh thread) and
# the fuzz targets for 120 s each (ci/fuzz.sh 120); any of those failing makes
# the exit code 1 if the suite passed.
#
# Without a baseline the summary (summary.md) starts with a warning saying
# so. When GITHUB_STEP_SUMMARY is set (GitHub Actions), summary.md is
# appended to it once the report is written, before the extras.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
out=${H2SOAK_OUT_DIR:-$root/out/nightly-$(date -u +%Y%m%dT%H%M%SZ)}
suite=${H2SOAK_SUITE:-$root/scenarios/nightly.yaml}
profile=$("$root/ci/profile.sh")
extras=${H2SOAK_NIGHTLY_EXTRAS:-0}
bench_min_time=0.2  # seconds per benchmark; libbenchmark 1.7 (Debian 12) takes a plain number

matrix=0
args=()
for a in "$@"; do
  if [[ $a == --matrix ]]; then matrix=1; else args+=("$a"); fi
done

t0=$SECONDS
[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
if [[ $extras == 1 ]]; then build_h2soak "$build" bench; else build_h2soak "$build"; fi
echo "nightly: build took $((SECONDS - t0)) s"

if ((matrix)); then
  exec "$root/ci/detection_matrix.sh" --build "$build" --out "$out" "${args[@]}"
fi

if [[ -n ${H2SOAK_BASELINE:-} ]]; then
  baseline=$H2SOAK_BASELINE
elif [[ $(realpath "$suite") == "$(realpath "$root/scenarios/nightly.yaml")" ]]; then
  baseline=$root/ci/baselines/$profile.json
else
  baseline=none
fi

h2soak=$build/harness/cli/h2soak
mkdir -p "$out"
no_baseline_md=""  # the warning summary.md starts with when nothing is compared
run_args=(run "$suite" --out "$out" --summary-md "$out/summary.md" --junit "$out/junit.xml"
          --verdict-json "$out/verdict.json")
if [[ $baseline != none && -f $baseline ]]; then
  run_args+=(--baseline "$baseline")
  echo "nightly: profile $profile, baseline $baseline"
else
  {
    echo "nightly: ############################################################"
    if [[ $baseline == none ]]; then
      echo "nightly: NO BASELINE for this run (H2SOAK_BASELINE=none or a suite without one):"
    else
      echo "nightly: NO BASELINE for machine profile $profile ($baseline does not exist):"
    fi
    echo "nightly: only the scenarios' thresholds are checked; leaks are NOT compared."
    echo "nightly: record one on this machine with ci/record-baseline.sh and commit it."
    echo "nightly: ############################################################"
  } >&2
  if [[ $baseline == none ]]; then
    why="This run has no baseline (H2SOAK_BASELINE=none, or a suite without one)"
  else
    why="There is no baseline for machine profile \`$profile\` (\`${baseline#"$root/"}\` does not exist)"
  fi
  no_baseline_md="## WARNING: NO BASELINE, nothing was compared

**$why. Only the scenarios' thresholds were checked: leaks and regressions
were NOT compared with a baseline, so this run can pass with a leak.**
Record a baseline on this machine profile with \`ci/record-baseline.sh\`
and commit it.

"
fi

t1=$SECONDS
set +e
"$h2soak" "${run_args[@]}" "${args[@]}" 2>&1 | tee "$out/nightly.log"
code=${PIPESTATUS[0]}
set -e
suite_took=$((SECONDS - t1))

# A missing baseline is said first in the summary, not only in the log.
if [[ -n $no_baseline_md && -f $out/summary.md ]]; then
  { printf '%s' "$no_baseline_md"; cat "$out/summary.md"; } >"$out/summary.md.tmp"
  mv "$out/summary.md.tmp" "$out/summary.md"
fi

# The report a person reads: the verdict first, then each scenario's plots,
# and its screenshot, checked as a reader would (verdict table, every image,
# not blank). Their failure is said, but the suite's exit code stays the
# suite's.
report_line="nightly: HTML report  (none: no result was written)"
screenshot_line="nightly: screenshot   (none: no HTML report)"
results=()
for f in "$out"/*.json; do
  [[ -e $f && $(basename "$f") != verdict.json ]] && results+=("$f")
done
if ((${#results[@]})); then
  report_args=("${results[@]}" --out "$out/report")
  [[ -f $out/verdict.json ]] && report_args+=(--verdict "$out/verdict.json")
  [[ $baseline != none && -f $baseline ]] && report_args+=(--baseline "$baseline")
  if /usr/bin/python3 "$root/reports/plot_run.py" "${report_args[@]}" >/dev/null 2>"$out/report.log"; then
    report_line="nightly: HTML report  $out/report/report.html"
    t2=$SECONDS
    set +e
    /usr/bin/python3 "$root/reports/screenshot.py" "$out/report/report.html" --out "$out/report/report.png" \
      --check >"$out/screenshot.log" 2>&1
    shot=$?
    set -e
    case $shot in
      0) screenshot_line="nightly: screenshot   $out/report/report.png (checked in $((SECONDS - t2)) s)" ;;
      1) screenshot_line="nightly: screenshot   $out/report/report.png CHECK FAILED, see $out/screenshot.log" ;;
      *) screenshot_line="nightly: screenshot   FAILED (exit $shot), see $out/screenshot.log" ;;
    esac
  else
    report_line="nightly: HTML report  FAILED, see $out/report.log"
  fi
fi

echo
echo "nightly: suite took $suite_took s; exit code $code"
echo "nightly: results      $out/*.json (one per scenario), target logs $out/*.target.log"
echo "nightly: summary      $out/summary.md"
echo "nightly: JUnit XML    $out/junit.xml"
echo "nightly: verdict JSON $out/verdict.json"
echo "nightly: full log     $out/nightly.log"
echo "$report_line"
echo "$screenshot_line"
if [[ $screenshot_line == *FAILED* ]]; then
  grep '^screenshot: ' "$out/screenshot.log" | tail -20 >&2 || true
fi

# The job summary of GitHub Actions: the Markdown summary, warning included.
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  if [[ -f $out/summary.md ]]; then
    cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
  else
    printf '%s**h2soak wrote no summary (exit code %s); see nightly.log in the artifact.**\n' \
      "$no_baseline_md" "$code" >>"$GITHUB_STEP_SUMMARY"
  fi
  echo "nightly: job summary  appended to \$GITHUB_STEP_SUMMARY"
fi

if [[ $extras == 1 ]]; then
  # The micro-benchmarks, for their numbers only: nothing is compared yet.
  mkdir -p "$out/bench"
  for name in "${H2SOAK_BENCH_TARGETS[@]}"; do
    bin=$build/harness/bench/$name
    if [[ ! -x $bin ]]; then
      echo "nightly: benchmark    $name was not built ($bin), skipped" >&2
      continue
    fi
    t2=$SECONDS
    set +e
    "$bin" --benchmark_format=console --benchmark_min_time="$bench_min_time" \
      --benchmark_out="$out/bench/$name.json" --benchmark_out_format=json 2>&1 | tee "$out/bench/$name.log"
    bench_code=${PIPESTATUS[0]}
    set -e
    if ((bench_code == 0)); then
      echo "nightly: benchmark    $name took $((SECONDS - t2)) s: $out/bench/$name.json"
    else
      echo "nightly: benchmark    $name FAILED (exit $bench_code) in $((SECONDS - t2)) s, see $out/bench/$name.log" >&2
    fi
  done

  # Every module header compiles on its own (cmake/H2soakHeaderCheck.cmake).
  t2=$SECONDS
  if cmake -S "$root" -B "$build" -DH2SOAK_HEADER_CHECK=ON >"$out/header_check.log" 2>&1 &&
     cmake --build "$build" -j"$(nproc)" --target h2soak_header_check >>"$out/header_check.log" 2>&1; then
    echo "nightly: header check passed in $((SECONDS - t2)) s ($out/header_check.log)"
  else
    echo "nightly: header check FAILED in $((SECONDS - t2)) s ($out/header_check.log)" >&2
    tail -30 "$out/header_check.log" >&2
    ((code != 0)) || code=1
  fi

  # The attribution cases CI leaves to the nightly (the tests marked nightly in
  # reports/tests_e2e/test_attribution.py; CI's ci/test.sh runs the others).
  t2=$SECONDS
  if H2SOAK_BIN=$h2soak H2SOAK_SRC=$root PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
      -m nightly "$root/reports/tests_e2e/test_attribution.py" >"$out/attribution.log" 2>&1; then
    echo "nightly: attribution  passed in $((SECONDS - t2)) s ($out/attribution.log)"
  else
    echo "nightly: attribution  FAILED in $((SECONDS - t2)) s ($out/attribution.log)" >&2
    tail -30 "$out/attribution.log" >&2
    ((code != 0)) || code=1
  fi

  for stage in "sanitize.sh thread" "fuzz.sh 120"; do
    t2=$SECONDS
    # shellcheck disable=SC2086
    if H2SOAK_SKIP_DEPS=${H2SOAK_SKIP_DEPS:-0} bash "$root/ci/"$stage >"$out/${stage%% *}.log" 2>&1; then
      echo "nightly: ci/$stage passed in $((SECONDS - t2)) s ($out/${stage%% *}.log)"
    else
      echo "nightly: ci/$stage FAILED in $((SECONDS - t2)) s ($out/${stage%% *}.log)" >&2
      tail -30 "$out/${stage%% *}.log" >&2
      ((code != 0)) || code=1
    fi
  done
fi
exit "$code"
