#pragma once
// Absolute gates evaluated on runs: the one evaluator of thresholds. Its
// callers: `h2soak run`, `ab` and `baseline record` (harness/run/gate.cc and
// pairwise.cc: the scenario's gates on runs in memory), `h2soak compare` (the
// gates stored in result files, and --threshold), `h2soak capacity` (its
// objectives on each stage). The grammar is harness/scenario/threshold.h;
// nothing here parses text.
//
// Names: the metric as written is mapped to the analysis module's name
// (canonical_metric_name: cpu.per_request → cpu.us_per_request, vmhwm →
// rss.peak, rss.retained → rss.retained_per_1k_requests).
//
// Unit rules (quantity_in), the threshold's value into the metric's unit:
//   number     as written, whatever the metric's unit
//   duration   into the metric's time unit (ns, us or µs, ms, s)
//   size       bytes ("bytes" or "B")
//   size/s     bytes per second ("bytes/s")
//   rate       any other unit ending in "/s" ("req/s", "count/s")
//   percent    a fraction ("fraction", or no unit) as stored (5% = 0.05); "%" × 100
// A unit that does not fit the metric, or a metric that a run does not have
// (or has no finite value for), fails the gate: a gate that cannot be checked
// must not pass silently.
//
// A threshold holds for a scenario when it holds in every run of it; the
// verdict reports the first failing run, else the run closest to the limit.
// Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/compare/run_metrics.h"
#include "harness/scenario/threshold.h"

namespace h2soak::compare {

// The analysis name for a metric as written in a threshold or rule.
std::string canonical_metric_name(const std::string& written);

// The quantity in `unit` (the rules above), or nullopt when it does not fit.
std::optional<double> quantity_in(const scenario::Quantity& q, std::string_view unit);

bool holds(scenario::CompareOp op, double observed, double limit);

struct ThresholdVerdict {
  std::string scenario;
  std::string expression;      // the threshold as written
  std::string metric;          // the analysis name (canonical_metric_name)
  std::string unit;
  std::optional<double> observed;  // the reported run's value, when it had the metric
  std::optional<double> limit;     // in the metric's unit
  bool passed = false;
  std::string detail;              // why it failed, or empty
};

// Evaluates one threshold over all runs of one scenario. A run's `source`
// names it in the detail ("latency.p99 = 300 ms in b.json, not < 250 ms");
// a threshold with a known position in its scenario file adds it.
ThresholdVerdict evaluate_threshold(const scenario::Threshold& t, const std::string& scenario,
                                    const std::vector<const RunMetrics*>& runs);

}  // namespace h2soak::compare
