#pragma once
// The scenario's absolute gates (`thresholds:`, already parsed and checked by
// harness/scenario into scenario::Threshold with values in SI base units)
// evaluated against one run's named metrics (RunResult::analysis).
//
// Unit rules: a duration is converted into the metric's time unit (us, ms, s,
// ns), a size or size rate compares with bytes or bytes/s, a rate with any
// "/s" unit, a percentage with a fraction; a bare number compares as is. A
// unit that does not fit the metric, or a metric the run does not have, fails
// the gate (a gate that cannot be checked must not pass silently).
//
// Names: a few aliases of the scenario grammar are mapped to the analysis
// module's names (cpu.per_request → cpu.us_per_request, vmhwm → rss.peak).
//
// Pure: no I/O.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/compare/threshold.h"
#include "harness/result/run_result.h"
#include "harness/scenario/scenario.h"

namespace h2soak::run {

// The analysis name for a metric as written in a threshold or rule.
std::string canonical_metric_name(const std::string& written);

// The threshold's value in `unit`, or nullopt when the units do not fit.
std::optional<double> quantity_in(const scenario::Quantity& q, const std::string& unit);

// One gate on one run. `scenario_name` fills ThresholdVerdict::scenario.
compare::ThresholdVerdict evaluate(const scenario::Threshold& t, const std::string& scenario_name,
                                   const std::map<std::string, result::AnalysisMetric>& metrics);

// The same gate over K runs of a scenario: it holds when it holds in every
// run; the verdict reports the first failing run, else the run closest to
// the limit.
compare::ThresholdVerdict evaluate_all(const scenario::Threshold& t, const std::string& scenario_name,
                                       const std::vector<const std::map<std::string, result::AnalysisMetric>*>& runs);

// The gate as written into the result's `thresholds` array: as written when
// compare::parse_threshold reads it the same way, else "METRIC OP NUMBER" with
// the number in the metric's unit (so `h2soak compare` can re-check it
// offline: "rps > 100/s" → "rps > 100").
std::string result_threshold_text(const scenario::Threshold& t,
                                  const std::map<std::string, result::AnalysisMetric>& metrics);

}  // namespace h2soak::run
