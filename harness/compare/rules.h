#pragma once
// Per-metric comparison rules: which direction is better, how much change is
// tolerated, and whether the metric is a leak figure (see docs/compare.md).
//
// A Rule is fully resolved; a RulePatch is a partial override that applies to
// every metric whose name matches a glob pattern ('*' matches any run of
// characters, so "latency.*" or "*.residual"). Rules are resolved in this
// order: default_rule(name, unit) → the rule stored in the baseline for that
// metric → the patches given to the comparison, in order (last wins).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/util/result.h"

namespace h2soak::compare {

enum class Direction { kLowerIsBetter, kHigherIsBetter };
// kLeak: a figure that a clean server keeps near zero (slopes, bytes retained
// per 1k requests, residuals after cooldown). When a leak metric carries a
// confidence interval, the interval decides (see verdict.h).
enum class MetricKind { kValue, kLeak };
// What a metric beyond its limit does to the verdict. kFail: a REGRESSION
// (exit 1). kWarn: a WARN row that never fails the job — for efficiency
// figures (CPU per request, latency, throughput) whose level depends on what
// else the machine is doing; `h2soak ab` judges those pair by pair, where
// machine drift cancels out, and gates on them (docs/compare.md).
enum class Gate { kFail, kWarn };

struct Rule {
  Direction direction = Direction::kLowerIsBetter;
  MetricKind kind = MetricKind::kValue;
  double relative_tolerance = 0.10;  // fraction of |baseline|
  double absolute_floor = 0;         // in the metric's unit; changes below it never count
  double alpha = 0.05;               // significance level of the Mann–Whitney test
  Gate gate = Gate::kFail;
  bool operator==(const Rule&) const = default;
};

struct RulePatch {
  std::string pattern;  // glob over metric names
  std::optional<Direction> direction;
  std::optional<MetricKind> kind;
  std::optional<double> relative_tolerance;
  std::optional<double> absolute_floor;
  std::optional<double> alpha;
  std::optional<Gate> gate;
};

// The built-in rule for a metric, from its name and unit:
//   direction  higher is better for throughput/rate figures ("throughput",
//              "rps", "per_s" in the name or a "/s" unit other than bytes/s
//              on a non-leak metric); lower otherwise.
//   kind       leak for names containing "slope", "per_1k", "retained", "residual".
//   floor      bytes 2 MiB; bytes/s 16 KiB; bytes per 1k requests 64 KiB;
//              CPU per request ("cpu" in the name, time unit) 2 us; other
//              time units (latency) 1 ms; slopes of counts (count/s) 0.05/s;
//              residual counts (threads, fds, count gauges) 2; other counts
//              (errors, peaks) 0.
//   tolerance  10 %; 25 % for tail latencies (p99, p999, max).
//   gate       warn for efficiency figures (CPU per request, latencies,
//              throughput: is_efficiency_metric()); fail otherwise.
//   capacity   the metric `capacity` (h2soak capacity, req/s): higher is
//              better, fails, tolerance 25 % (two bisection steps of the
//              default search).
Rule default_rule(std::string_view metric, std::string_view unit);

// The analysis metric of an `h2soak capacity` result.
inline constexpr std::string_view kCapacityMetric = "capacity";

// Applies every patch whose pattern matches `metric`, in order.
Rule apply_patches(Rule rule, std::string_view metric, const std::vector<RulePatch>& patches);

bool glob_match(std::string_view pattern, std::string_view name);

// CPU per request, a latency (a time unit) or a throughput: figures that move
// with the machine's load as much as with the code.
bool is_efficiency_metric(std::string_view metric, std::string_view unit);

// Stable names used in JSON and tables: "lower"/"higher", "value"/"leak".
const char* direction_name(Direction d);
const char* kind_name(MetricKind k);
const char* gate_name(Gate g);  // "fail" / "warn"
Result<Direction> parse_direction(std::string_view text);
Result<MetricKind> parse_kind(std::string_view text);
Result<Gate> parse_gate(std::string_view text);

// Time units understood for unit conversion: ns, us (or µs), ms, s. Returns
// the number of nanoseconds in one unit, or nothing for a non-time unit.
std::optional<double> nanos_per_unit(std::string_view unit);

}  // namespace h2soak::compare
