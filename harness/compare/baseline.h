#pragma once
// The baseline model (schema "h2soak.baseline/v1"): for each scenario and
// metric, the reference value and spread of K repeated runs, the raw values,
// the rule to compare with, and where and when it was recorded.
//
// JSON layout (docs/compare.md has an example):
//   { "schema": "h2soak.baseline/v1", "created_at": "...Z", "h2soak_version": "0.1.0",
//     "git_revision": "...", "machine": {hostname, cpu_model, cores, kernel},
//     "runs": K, "sources": [...result files...],
//     "scenarios": { NAME: { "hash": "...", "metrics": { METRIC: {
//         "unit", "direction": "lower"|"higher", "kind": "value"|"leak",
//         "reference" (median), "min", "max", "mad", "sd", "values": [K],
//         "cis": [[lo, hi], ...] (leak metrics with intervals only),
//         "rule": {"relative_tolerance", "absolute_floor", "alpha", "gate": "fail"|"warn"} } } } } }
//   ("gate" may be absent in older files: "fail")
//
// Building (build_baseline) and JSON conversion are pure; file I/O lives in
// baseline_store.h.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/compare/rules.h"
#include "harness/compare/run_metrics.h"
#include "harness/util/result.h"

namespace h2soak::compare {

inline constexpr const char* kBaselineSchema = "h2soak.baseline/v1";

struct BaselineMetric {
  std::string unit;
  Rule rule;                  // direction, kind, tolerance, floor, alpha
  double reference = 0;       // median of values
  double min = 0;
  double max = 0;
  double mad = 0;             // median absolute deviation
  double sd = 0;              // sample standard deviation
  std::vector<double> values; // the K raw values, in run order
  std::vector<Interval> cis;  // per-run intervals (leak estimates), else empty

  // The largest distance of any baseline run from the reference: the noise
  // the interval rules must tolerate. 0 for a single run.
  double spread() const;
};

struct BaselineScenario {
  std::string name;
  std::string hash;
  std::map<std::string, BaselineMetric> metrics;
};

struct Baseline {
  std::string created_at;  // ISO 8601, UTC
  std::string h2soak_version;
  std::string git_revision;
  MachineProfile machine;
  std::size_t runs = 0;    // K: runs per scenario
  std::vector<std::string> sources;
  std::vector<BaselineScenario> scenarios;  // sorted by name

  const BaselineScenario* find(std::string_view scenario) const;
};

struct BuildOptions {
  std::string h2soak_version;
  std::string git_revision;
  std::string created_at;          // empty: now
  std::vector<RulePatch> patches;  // applied over default_rule()
};

// Builds a baseline from K runs of one or more scenarios. Errors: no runs;
// runs of one scenario with different scenario hashes; runs recorded on
// different machines (hostname, CPU model or core count differ).
Result<Baseline> build_baseline(const std::vector<RunMetrics>& runs, const BuildOptions& options);

nlohmann::json baseline_to_json(const Baseline& baseline);

// Validates the schema string and every field. Errors name the JSON Pointer
// of the offending field, e.g. "/scenarios/mixed/metrics/rss.peak/reference:
// expected a number, got string"; `source` (the file name) becomes the
// error's `where`.
Result<Baseline> baseline_from_json(const nlohmann::json& json, std::string_view source);

// Current UTC time as "2026-11-22T23:05:00Z".
std::string utc_now_iso8601();

}  // namespace h2soak::compare
