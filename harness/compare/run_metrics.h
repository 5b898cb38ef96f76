#pragma once
// The input of baseline building and comparison: what one run of one scenario
// measured, reduced to named scalar metrics. This is deliberately independent
// of the result JSON schema (h2soak.result/v1); result_adapter.h is the one
// place that turns a result file into RunMetrics.
//
// Metric names are dotted paths chosen by the result schema, e.g.
// "rss.slope_bytes_per_s", "latency.request.p99", "threads.residual".
// Values are in the unit named by `unit` ("bytes", "ms", "us", "count",
// "req/s", "bytes/s", ...). Leak metrics (slopes, bytes per 1k requests)
// may carry the confidence interval of the estimate in the same unit.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/compare/rules.h"
#include "harness/scenario/threshold.h"

namespace h2soak::compare {

struct Interval {
  double lo = 0;
  double hi = 0;
  bool operator==(const Interval&) const = default;
};

struct MetricValue {
  double value = 0;
  std::string unit;
  std::optional<Interval> ci;  // set for estimates with an interval (leak slopes)
  // Set when the result says which way is better; overrides the name-based
  // default of default_rule() (but not explicit rule patches).
  std::optional<Direction> direction;
  // Set when the result says whether this is a leak figure; overrides the
  // name-based default kind.
  std::optional<MetricKind> kind;
  // Direction "none" in the result: shown and usable in thresholds, but never
  // recorded in a baseline nor compared with one.
  bool informational = false;
  std::string note;  // the result's own text ("97 % of the steady growth ..." for attribution)
};

// The machine a run (or a baseline) was recorded on. Comparing across
// profiles is allowed but noted in the verdict.
struct MachineProfile {
  std::string hostname;
  std::string cpu_model;
  int cores = 0;
  std::string kernel;
  bool operator==(const MachineProfile&) const = default;
};

struct RunMetrics {
  std::string source;         // where it came from (file name), for messages
  std::string scenario;       // scenario name
  std::string scenario_hash;  // hash of the scenario's canonical form
  MachineProfile machine;
  std::string h2soak_version;
  std::string git_revision;
  std::string started_at;     // ISO 8601, as written by the result
  // Empty for a completed run; else why it stopped early (target died, ...).
  // Such a run's metrics are partial and must not be compared or recorded.
  std::string incomplete_reason;
  std::map<std::string, MetricValue> metrics;
  // Absolute gates from the scenario ("errors == 0", "latency.p99 < 250ms"),
  // when the result carries them; evaluated by threshold.h.
  std::vector<scenario::Threshold> thresholds;
};

}  // namespace h2soak::compare
