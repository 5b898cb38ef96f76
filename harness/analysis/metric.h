#pragma once
// The unit of exchange between analysis, the result JSON and compare: a named
// number with its unit, the direction in which it is better, an optional
// confidence interval, and whether it measures a leak (compare applies the
// interval rules to leak metrics). Generic on purpose: adding a metric never
// changes this type, the JSON schema or the compare code.

#include <optional>
#include <string>

namespace h2soak::analysis {

// kNone: reported and usable in thresholds, never compared with a baseline.
enum class Direction { kLowerIsBetter, kHigherIsBetter, kNone };

inline const char* to_string(Direction d) {
  switch (d) {
    case Direction::kLowerIsBetter: return "lower_is_better";
    case Direction::kHigherIsBetter: return "higher_is_better";
    case Direction::kNone: break;
  }
  return "none";
}

struct Metric {
  std::string name;   // dotted, stable: "rss.slope", "threads.residual", "gauge.go_goroutines.peak"
  double value = 0;
  std::string unit;   // "bytes", "bytes/s", "count", "count/s", "us", or "" (a gauge's own unit)
  Direction direction = Direction::kLowerIsBetter;
  std::optional<double> ci_low;   // confidence interval of `value`, same unit
  std::optional<double> ci_high;
  bool is_leak_metric = false;
};

}  // namespace h2soak::analysis
