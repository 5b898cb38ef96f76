#pragma once
// The analysis step of a run: from the target's sample series, the phases and
// the workloads' counts to the named metrics of RunResult::analysis —
// harness/analysis for the target's figures (slopes, residuals, peaks, CPU per
// request), client_metrics.h for throughput, latency and errors.
//
// Who calls: the runner after every run, and `h2soak analyze`, which re-reads
// a stored result — e.g. with the steady phase cut short, to see after how
// many seconds of steady load a leak would have been flagged (the detection
// matrix's time to detection).
//
// Pure: no I/O, no clock.

#include <optional>

#include "harness/result/run_result.h"
#include "harness/scenario/plan.h"

namespace h2soak::run {

struct AnalyzeOptions {
  // Judge only the first N seconds of the steady phase: slopes and retained
  // bytes use the samples and the requests of [steady start, start + N). The
  // cooldown and its residuals, and the client figures (latency histograms
  // cover the whole phase), are left as they were.
  std::optional<double> steady_seconds;
  // The steady duration the client rates (rps, connections per second) are
  // computed over: the plan's, when known; else the phase marks'.
  std::optional<double> rate_seconds;
};

// Replaces r.analysis (every metric it computes) from r.target.samples,
// r.phases and r.workloads; notes go to metadata.extra["analysis_notes"].
// A result without samples gets the client figures only.
void analyze_result(result::RunResult& r, const AnalyzeOptions& options = {});

// What a finished run (runner.cc) and a merged one (merge.h) both end with:
// analyze_result with the client rates over the plan's steady duration, then
// the plan's thresholds (typed, as the result stores them) appended to
// r.thresholds.
void analyze_for_plan(const scenario::Plan& plan, result::RunResult& r);

}  // namespace h2soak::run
