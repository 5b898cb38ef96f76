#!/usr/bin/env bash
# The nightly job (README's run command): build h2soak and the reference
# server, run the nightly suite against the reference server (or the target
# given on the command line), compare with the stored baseline of this
# machine profile, write result JSON, target logs, a Markdown summary,
# JUnit XML and an HTML report (report/report.html: the verdict first, then
# the plots) under one output folder, and exit with the run's code:
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
# runs, after the suite, the ThreadSanitizer stage (ci/sanitize.sh thread) and
# the fuzz targets for 120 s each (ci/fuzz.sh 120); either failing makes the
# exit code 1 if the suite passed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
out=${H2SOAK_OUT_DIR:-$root/out/nightly-$(date -u +%Y%m%dT%H%M%SZ)}
suite=${H2SOAK_SUITE:-$root/scenarios/nightly.yaml}
profile=$("$root/ci/profile.sh")

matrix=0
args=()
for a in "$@"; do
  if [[ $a == --matrix ]]; then matrix=1; else args+=("$a"); fi
done

t0=$SECONDS
[[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
# shellcheck source=ci/build_env.sh
. "$root/ci/build_env.sh"
build_h2soak "$build"
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
fi

t1=$SECONDS
set +e
"$h2soak" "${run_args[@]}" "${args[@]}" 2>&1 | tee "$out/nightly.log"
code=${PIPESTATUS[0]}
set -e

# The report a person reads: the verdict first, then each scenario's plots.
# Its failure is said, but the suite's exit code stays the suite's.
report_line="nightly: HTML report  (none: no result was written)"
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
  else
    report_line="nightly: HTML report  FAILED, see $out/report.log"
  fi
fi

echo
echo "nightly: suite took $((SECONDS - t1)) s; exit code $code"
echo "nightly: results      $out/*.json (one per scenario), target logs $out/*.target.log"
echo "nightly: summary      $out/summary.md"
echo "nightly: JUnit XML    $out/junit.xml"
echo "nightly: verdict JSON $out/verdict.json"
echo "nightly: full log     $out/nightly.log"
echo "$report_line"

if [[ ${H2SOAK_NIGHTLY_EXTRAS:-0} == 1 ]]; then
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
