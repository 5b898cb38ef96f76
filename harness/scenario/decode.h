#pragma once
// Internal to harness/scenario: the YAML → struct decoder and the validator,
// shared by loader.cc (files, suites) and the tests. Not for other modules —
// they use loader.h.
//
// The decoder records, for every key it decoded, where its value was written
// ("workloads.2.think" → file:line:col) in a PositionTable; validate() takes
// that table to name the exact line and column of a value it rejects, and
// falls back to the SourcePos stored in the structs (or the file name) for
// values built without a file (CLI overrides, Python dicts).

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/scenario/env_subst.h"
#include "harness/scenario/scenario.h"
#include "harness/util/result.h"

namespace h2soak::scenario::detail {

// Keys: "target.url", "phases.steady" (the key), "phases.steady.duration"
// (the value), "sample.interval", "workloads.0" (the item),
// "workloads.0.users", "thresholds.1", "regression.rules.rss.slope.floor", ...
using PositionTable = std::map<std::string, SourcePos>;

struct ScenarioDoc {
  Scenario scenario;
  PositionTable positions;
};

struct SuiteDoc {
  Suite suite;  // entries filled, scenarios empty
  PositionTable positions;  // "scenarios.0", "scenarios.0.phases.steady", "budget"
};

// Decodes substituted text (no validation beyond types and syntax).
// `file` names it in messages; relative paths resolve against `base_dir`;
// `default_name` is the scenario's name when it has no `name:`.
Result<std::variant<ScenarioDoc, SuiteDoc>> decode(const SubstitutedText& text, const std::string& file,
                                                   const std::string& base_dir,
                                                   const std::string& default_name);

// Every semantic check (step 4 in loader.h). `positions` may be null.
Status validate(const Scenario& scenario, const PositionTable* positions);

// A metric name as thresholds and regression rules write it: dotted, first
// word a root of kMetricRoots or a workload name. The error says what is
// wrong, with a "did you mean" when a root is close.
Status check_metric_name(const std::string& metric, const std::vector<std::string>& workload_names);

}  // namespace h2soak::scenario::detail
