#pragma once
// Absolute gates on metric values, as scenarios write them:
//   "errors == 0"   "latency.request.p99 < 250ms"   "rss.peak <= 256MiB"
//   "throughput.rps >= 1000"
// Grammar: METRIC OP VALUE, OP one of < <= > >= == !=. VALUE is a number,
// optionally with a duration unit (ns us ms s m h) or a size unit (B KiB MiB
// GiB kB MB GB); a duration is converted into the metric's time unit
// (ns/us/ms/s), a size into bytes. A unit that does not fit the metric is an
// evaluation error, not a silent comparison of different units.
//
// A threshold holds for a scenario when it holds for every run of it; a
// threshold on a metric that a run does not have fails (a gate that cannot be
// checked must not pass silently).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/compare/run_metrics.h"
#include "harness/util/result.h"

namespace h2soak::compare {

enum class ThresholdOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

struct Threshold {
  std::string text;    // as written, for reports
  std::string metric;
  ThresholdOp op = ThresholdOp::kLess;
  enum class Dimension { kPlain, kTime, kSize } dimension = Dimension::kPlain;
  double value = 0;    // kPlain: as written; kTime: nanoseconds; kSize: bytes
};

Result<Threshold> parse_threshold(std::string_view text);

// The threshold's value in the unit of a metric, or an error when the units do not fit.
Result<double> threshold_value_in(const Threshold& t, std::string_view unit);

bool holds(ThresholdOp op, double observed, double limit);
const char* op_symbol(ThresholdOp op);

struct ThresholdVerdict {
  std::string scenario;
  std::string expression;      // the threshold as written
  std::string metric;
  std::string unit;
  std::optional<double> observed;  // the worst run's value, when any run had the metric
  std::optional<double> limit;     // in the metric's unit
  bool passed = false;
  std::string detail;              // why it failed, or empty
};

// Evaluates one threshold over all runs of one scenario.
ThresholdVerdict evaluate_threshold(const Threshold& t, const std::string& scenario,
                                    const std::vector<const RunMetrics*>& runs);

}  // namespace h2soak::compare
