#pragma once
// Compare's view of a result: a result file, or a run in memory, reduced to
// the RunMetrics that compare judges. The result schema itself is known only
// to harness/result (result_json.h): a file is read there, in its summary
// mode, which accepts a result trimmed to metadata, status and analysis (as CI
// artifacts often are), and reduced here like a run in memory.
//
// The reduction:
//   metadata.scenario_name / scenario_hash, host, kernel, cpu_count, cpu_model
//   (or extra.cpu_model), h2soak_version, git_revision, start_unix
//   status.state / status.reason  anything but "completed" → incomplete_reason
//   analysis NAME: value, unit, direction, ci_low, ci_high, leak → metrics
//                               (direction none → informational: thresholds
//                               only; direction or leak not stated → compare
//                               decides by the metric's name)
//   thresholds                  → thresholds
// Non-finite values are skipped (an estimator without data), never compared.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/compare/run_metrics.h"
#include "harness/result/run_result.h"
#include "harness/util/result.h"

namespace h2soak::compare {

// A result document (result::summary_from_json, then run_metrics_of).
// `source` (the file name) becomes the Error's `where` and RunMetrics::source.
Result<RunMetrics> run_metrics_from_json(const nlohmann::json& json, const std::string& source);

// Reads and parses a result file (read-only).
Result<RunMetrics> load_run_metrics(const std::string& path);

// The reduction of a run in memory (what `h2soak run` gates on; no JSON in
// between) or read from a file: every finite analysis figure, its interval,
// direction and leak flag; the machine, the scenario and the status as above.
RunMetrics run_metrics_of(const result::RunResult& r, const std::string& source);

// Only the analysis part of that: the finite figures of `analysis` as
// MetricValues (what `h2soak capacity` judges a stage's objectives on).
std::map<std::string, MetricValue> metric_values_of(const std::map<std::string, result::AnalysisMetric>& analysis);

}  // namespace h2soak::compare
