#pragma once
// Comparing current runs with a baseline: one MetricVerdict per scenario ×
// metric, threshold checks, and the overall pass/fail.
//
// Every rule below compares with a limit = anchor ± allowance:
//   anchor     the baseline's reference (median) — except for a leak metric
//              (Rule::kind == kLeak), whose anchor never lies on the good side
//              of zero: max(ref, 0) when lower is better. A baseline recorded
//              on a service whose memory settles during steady (a runtime
//              returning pages after warmup) has a negative slope; a limit
//              below zero would accuse a perfectly flat run.
//   allowance  the largest of: relative tolerance × |anchor| ("tolerance"),
//              the rule's absolute floor ("floor"), and — for rules 1 and 3 —
//              the baseline's spread, the largest distance of a baseline run
//              from its median ("spread"). MetricVerdict::limit_origin says
//              which one it was, so a reader sees why a limit is what it is.
// Which rule decides (docs/compare.md explains why):
//   1. Leak metric whose current runs all carry a confidence interval →
//      leak-interval rule: REGRESSION when the current interval lies entirely
//      beyond the limit (lower is better: its lower bound > limit); IMPROVED
//      when it lies entirely beyond ref ∓ allowance on the good side. With
//      several current runs the interval is [median of lower bounds, median
//      of upper bounds].
//   2. ≥ 4 runs on both sides (kMinRunsForMannWhitney) → two-sided
//      Mann–Whitney U at the rule's alpha (default 0.05) AND the practical
//      tolerance: REGRESSION when p < alpha and the current median is beyond
//      the limit (no spread term: the test already weighs the noise);
//      IMPROVED likewise in the good direction; else PASS.
//   3. Otherwise (1–3 runs on a side: no test can reach alpha = 0.05) →
//      interval rule: REGRESSION when the current median is beyond the limit,
//      IMPROVED when beyond the mirrored limit in the good direction.
//   A metric whose rule has Gate::kWarn (efficiency figures by default) gets
//   WARN where it would be a REGRESSION: shown, never failing the job.
//   A peak (`X.peak`: fds, threads, RSS, a gauge) beyond its limit while
//   X.residual and X.slope of the same scenario pass is a WARN too: a peak is
//   the maximum over the run, and a target that stalls for a moment (a busy
//   machine) holds more connections and requests at once (concurrency =
//   arrival rate x latency), so a peak alone cannot tell a leak from a slow
//   machine. A leak fails on its residual or slope, and then the peak stays a
//   REGRESSION beside them. A hard cap on a peak is a threshold's job.
//   NEW (metric not in the baseline) and MISSING (in the baseline, not in the
//   results) are reported but never fail the comparison. Informational
//   metrics (direction "none" in the result) get no row; thresholds may still
//   name them.
//
// A scenario hash in the results that differs from the baseline's is an
// error (the scenario changed; the numbers are not comparable) unless
// CompareOptions::allow_hash_mismatch, which turns it into a note.
// Compare is pure: it never touches the baseline file.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/compare/baseline.h"
#include "harness/compare/rules.h"
#include "harness/compare/run_metrics.h"
#include "harness/compare/threshold.h"
#include "harness/util/result.h"

namespace h2soak::compare {

enum class MetricStatus { kPass, kRegression, kImproved, kNew, kMissing, kWarning };
enum class Method { kNone, kInterval, kMannWhitney, kLeakInterval };
// Which term of the allowance set the limit (see above).
enum class LimitOrigin { kNone, kFloor, kTolerance, kSpread };

const char* status_name(MetricStatus s);  // "PASS", "REGRESSION", "IMPROVED", "NEW", "MISSING", "WARN"
const char* method_name(Method m);        // "none", "interval", "mann-whitney", "leak-interval"
const char* origin_name(LimitOrigin o);   // "none", "floor", "tolerance", "spread"

struct MetricVerdict {
  std::string scenario;
  std::string metric;
  std::string unit;
  Rule rule;
  std::optional<double> baseline;    // the baseline's reference (median)
  std::optional<double> current;     // median of the current runs
  std::optional<double> change_abs;  // current − baseline
  std::optional<double> change_pct;  // 100 × change / |baseline|; absent when baseline is 0
  std::optional<double> limit;       // the value beyond which the change is a regression
  std::optional<double> anchor;      // what the allowance is added to (see above)
  std::optional<double> allowance;   // |limit − anchor|
  LimitOrigin limit_origin = LimitOrigin::kNone;
  std::optional<Interval> current_ci;  // leak-interval rule only
  std::optional<double> p_value;       // Mann–Whitney rule only
  std::size_t baseline_runs = 0;
  std::size_t current_runs = 0;
  Method method = Method::kNone;
  MetricStatus status = MetricStatus::kPass;
  std::string reason;  // one line: why this status
  // Regressions and warnings of a resource metric in an attribution run:
  // which workload's events explain the growth ("+61.0 KiB per upload
  // [55.0 KiB, 67.0 KiB], 97 % of the steady growth over 230 uploads");
  // empty otherwise. See explain_by_attribution().
  std::string explanation;
};

// The attribution rows of `run` (attribution.<signal>.<workload>) for the
// resource `metric` ("rss.slope" -> signal rss; rss_anon and pss -> rss;
// "gauge.x.slope" -> gauge.x) whose interval excludes 0, largest share
// first, as one line; "" when the run has no attribution for that signal.
std::string explain_by_attribution(const std::string& metric, const RunMetrics& run);

struct CompareOptions {
  bool allow_hash_mismatch = false;
  std::vector<RulePatch> patches;        // override the baseline's stored rules
  std::vector<std::string> thresholds;   // extra gates for every scenario (besides the results' own), as written
};

struct Verdict {
  std::string baseline_source;
  std::string baseline_created_at;
  MachineProfile baseline_machine;
  std::vector<std::string> result_sources;
  std::vector<MetricVerdict> metrics;       // ordered by scenario, then metric name
  std::vector<ThresholdVerdict> thresholds;
  std::vector<std::string> notes;           // warnings: machine differs, hash mismatch allowed, ...

  std::size_t count(MetricStatus s) const;
  std::size_t failed_thresholds() const;
  // True when any metric regressed or any threshold failed (exit code 1);
  // WARN rows never fail.
  bool failed() const;
};

// The current side of one metric: the values of the K current runs.
struct MetricSamples {
  std::string unit;
  std::vector<double> values;
  std::vector<Interval> cis;  // one per run when every run has an interval, else empty
};

// "limit 439 us = baseline 367 us + spread 72.5 us" — how the limit was
// made, in the metric's unit; empty when the verdict has no limit.
std::string limit_explanation(const MetricVerdict& v);

// Judges one metric with the rules above. `current.values` must be non-empty.
MetricVerdict judge_metric(const BaselineMetric& base, const MetricSamples& current, const Rule& rule);

// Compares runs (any number of scenarios, K runs each) with a baseline.
// Errors: no runs; runs of one scenario with different hashes; a hash that
// differs from the baseline's (unless allowed); an unparsable threshold in
// CompareOptions::thresholds (read with scenario::parse_result_threshold).
Result<Verdict> compare_runs(const Baseline& baseline, const std::vector<RunMetrics>& runs,
                             const CompareOptions& options, std::string baseline_source = {});

}  // namespace h2soak::compare
