#pragma once
// Comparing current runs with a baseline: one MetricVerdict per scenario ×
// metric, threshold checks, and the overall pass/fail.
//
// Which rule decides (docs/compare.md explains why):
//   1. Leak metric (Rule::kind == kLeak) whose current runs all carry a
//      confidence interval → leak-interval rule: allowance = max(relative
//      tolerance × |ref|, floor, baseline spread); limit = ref + allowance
//      (lower is better). REGRESSION when the current interval lies entirely
//      above the limit (its lower bound > limit); IMPROVED when it lies
//      entirely below ref − allowance. With several current runs the interval
//      is [median of lower bounds, median of upper bounds].
//   2. ≥ 4 runs on both sides (kMinRunsForMannWhitney) → two-sided
//      Mann–Whitney U at the rule's alpha (default 0.05) AND the practical
//      tolerance: REGRESSION when p < alpha and the current median is beyond
//      ref ± max(relative tolerance × |ref|, floor) in the bad direction;
//      IMPROVED likewise in the good direction; else PASS. The spread does not
//      widen the limit here: the test already accounts for the noise.
//   3. Otherwise (1–3 runs on a side: no test can reach alpha = 0.05) →
//      interval rule: limit = ref ± max(relative tolerance × |ref|, floor,
//      baseline spread); REGRESSION when the current median is beyond it in
//      the bad direction, IMPROVED when beyond the mirrored limit in the good
//      direction.
//   "ref" is the baseline's median; "spread" the largest distance of a
//   baseline run from it (BaselineMetric::spread()).
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

enum class MetricStatus { kPass, kRegression, kImproved, kNew, kMissing };
enum class Method { kNone, kInterval, kMannWhitney, kLeakInterval };

const char* status_name(MetricStatus s);  // "PASS", "REGRESSION", "IMPROVED", "NEW", "MISSING"
const char* method_name(Method m);        // "none", "interval", "mann-whitney", "leak-interval"

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
  std::optional<Interval> current_ci;  // leak-interval rule only
  std::optional<double> p_value;       // Mann–Whitney rule only
  std::size_t baseline_runs = 0;
  std::size_t current_runs = 0;
  Method method = Method::kNone;
  MetricStatus status = MetricStatus::kPass;
  std::string reason;  // one line: why this status
};

struct CompareOptions {
  bool allow_hash_mismatch = false;
  std::vector<RulePatch> patches;        // override the baseline's stored rules
  std::vector<std::string> thresholds;   // extra gates for every scenario (besides the results' own)
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
  // True when any metric regressed or any threshold failed (exit code 1).
  bool failed() const;
};

// The current side of one metric: the values of the K current runs.
struct MetricSamples {
  std::string unit;
  std::vector<double> values;
  std::vector<Interval> cis;  // one per run when every run has an interval, else empty
};

// Judges one metric with the rules above. `current.values` must be non-empty.
MetricVerdict judge_metric(const BaselineMetric& base, const MetricSamples& current, const Rule& rule);

// Compares runs (any number of scenarios, K runs each) with a baseline.
// Errors: no runs; runs of one scenario with different hashes; a hash that
// differs from the baseline's (unless allowed); an unparsable threshold.
Result<Verdict> compare_runs(const Baseline& baseline, const std::vector<RunMetrics>& runs,
                             const CompareOptions& options, std::string baseline_source = {});

}  // namespace h2soak::compare
