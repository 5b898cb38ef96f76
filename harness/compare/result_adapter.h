#pragma once
// The one place that knows the result JSON schema (h2soak.result/v1,
// docs/result-schema.md) on the compare side: it turns a result file into
// RunMetrics. If the result schema changes, this file (and its test) is what
// needs fixing.
//
// What is read:
//   schema                      must be "h2soak.result/v1"
//   metadata.scenario_name / scenario_hash, host, kernel, cpu_count, cpu_model
//   (or extra.cpu_model), h2soak_version, git_revision, start_unix
//   status.state / status.reason  anything but "completed" → incomplete_reason
//   analysis.NAME.{value, unit, direction, ci_low, ci_high, leak} → metrics
//                               (direction "none" → informational: thresholds only)
//   parsed_thresholds, or (older results) the texts of thresholds → thresholds
//                               (result::thresholds_from_json: one decoder)
// Non-finite values are skipped (an estimator without data), never compared.
//
// Why compare reads the file itself rather than through result_json's full
// reader: a comparison needs only the metadata, the status and the analysis,
// and accepts a result trimmed to those (as CI artifacts often are), while
// the full reader insists on every section. The reduction from an analysis
// figure to a MetricValue is shared (metric_value below in the .cc).

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/compare/run_metrics.h"
#include "harness/result/run_result.h"
#include "harness/util/result.h"

namespace h2soak::compare {

inline constexpr const char* kResultSchema = "h2soak.result/v1";

// `source` (the file name) becomes the Error's `where` and RunMetrics::source.
Result<RunMetrics> run_metrics_from_json(const nlohmann::json& json, const std::string& source);

// Reads and parses a result file (read-only).
Result<RunMetrics> load_run_metrics(const std::string& path);

// The same reduction from a run in memory (what `h2soak run` gates on), with
// no JSON in between: every finite analysis figure, its interval, direction
// ("none" → informational) and leak flag; the machine, the scenario and the
// status as above.
RunMetrics run_metrics_of(const result::RunResult& r, const std::string& source);

// Only the analysis part of that: the finite figures of `analysis` as
// MetricValues (what `h2soak capacity` judges a stage's objectives on).
std::map<std::string, MetricValue> metric_values_of(const std::map<std::string, result::AnalysisMetric>& analysis);

}  // namespace h2soak::compare
