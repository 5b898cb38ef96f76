#include "harness/compare/rules.h"

namespace h2soak::compare {

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kKiB = 1024.0;

}  // namespace

std::optional<double> nanos_per_unit(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us" || unit == "µs") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

bool is_efficiency_metric(std::string_view metric, std::string_view unit) {
  const bool leak = contains(metric, "slope") || contains(metric, "per_1k") ||
                    contains(metric, "retained") || contains(metric, "residual");
  if (leak || contains(metric, "error")) return false;
  const bool bytes_rate = unit == "bytes/s" || unit == "B/s";
  const bool rate_unit = ends_with(unit, "/s") && !bytes_rate;
  return nanos_per_unit(unit).has_value() || contains(metric, "cpu") || contains(metric, "throughput") ||
         contains(metric, "rps") || contains(metric, "per_s") || rate_unit;
}

Rule default_rule(std::string_view metric, std::string_view unit) {
  Rule r;
  r.gate = is_efficiency_metric(metric, unit) ? Gate::kWarn : Gate::kFail;
  const bool leak = contains(metric, "slope") || contains(metric, "per_1k") ||
                    contains(metric, "retained") || contains(metric, "residual");
  r.kind = leak ? MetricKind::kLeak : MetricKind::kValue;

  const bool bytes_unit = unit == "bytes" || unit == "B";
  const bool bytes_rate = unit == "bytes/s" || unit == "B/s";
  const bool per_1k = contains(metric, "per_1k") || contains(unit, "1k") || contains(unit, "1000");
  const bool rate_unit = ends_with(unit, "/s") && !bytes_rate;
  const bool higher = !leak && !contains(metric, "error") &&
                      (contains(metric, "throughput") || contains(metric, "rps") ||
                       contains(metric, "per_s") || rate_unit);
  r.direction = higher ? Direction::kHigherIsBetter : Direction::kLowerIsBetter;

  if (per_1k) {
    r.absolute_floor = 64 * kKiB;
  } else if (bytes_rate && !higher) {
    r.absolute_floor = 16 * kKiB;
  } else if (bytes_unit) {
    r.absolute_floor = 2 * kMiB;
  } else if (contains(metric, "cpu")) {
    // CPU per request: µs of server CPU; 2 µs absorbs scheduler noise.
    auto ns = nanos_per_unit(unit);
    r.absolute_floor = ns ? 2e3 / *ns : 0;
  } else if (auto ns = nanos_per_unit(unit)) {
    r.absolute_floor = 1e6 / *ns;  // 1 ms in the metric's unit
  } else if (leak && ends_with(unit, "/s")) {
    r.absolute_floor = 0.05;  // count/s slopes: 3 per minute; residuals catch slower leaks
  } else if (contains(metric, "residual")) {
    // Counts left after the cooldown (threads, fds, a gauge's goroutines or
    // connections): one or two may be a runtime's housekeeping (an idle pool
    // thread kept, a file cached); a leak leaves many, and its slope shows it.
    r.absolute_floor = 2;
  } else {
    r.absolute_floor = 0;  // other counts: errors, peaks — any change beyond the tolerance matters
  }

  if (nanos_per_unit(unit) &&
      (contains(metric, "p99") || contains(metric, "max"))) {  // p99 also matches p999
    r.relative_tolerance = 0.25;
  }
  if (metric == kCapacityMetric) {
    // `h2soak capacity`'s figure is what a capacity run is for: a drop fails.
    // Its noise is the search's: bisection stops within 1/8 of a growth step
    // (12.5 % at the defaults), so the tolerance is two such steps.
    r.gate = Gate::kFail;
    r.relative_tolerance = 0.25;
  }
  return r;
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative wildcard match with backtracking to the last '*'.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Rule apply_patches(Rule rule, std::string_view metric, const std::vector<RulePatch>& patches) {
  for (const auto& patch : patches) {
    if (!glob_match(patch.pattern, metric)) continue;
    if (patch.direction) rule.direction = *patch.direction;
    if (patch.kind) rule.kind = *patch.kind;
    if (patch.relative_tolerance) rule.relative_tolerance = *patch.relative_tolerance;
    if (patch.absolute_floor) rule.absolute_floor = *patch.absolute_floor;
    if (patch.alpha) rule.alpha = *patch.alpha;
    if (patch.gate) rule.gate = *patch.gate;
  }
  return rule;
}

const char* direction_name(Direction d) {
  return d == Direction::kHigherIsBetter ? "higher" : "lower";
}

const char* kind_name(MetricKind k) { return k == MetricKind::kLeak ? "leak" : "value"; }

const char* gate_name(Gate g) { return g == Gate::kWarn ? "warn" : "fail"; }

Result<Gate> parse_gate(std::string_view text) {
  if (text == "fail") return Gate::kFail;
  if (text == "warn") return Gate::kWarn;
  return Error("expected \"fail\" or \"warn\", got \"" + std::string(text) + "\"");
}

Result<Direction> parse_direction(std::string_view text) {
  if (text == "lower") return Direction::kLowerIsBetter;
  if (text == "higher") return Direction::kHigherIsBetter;
  return Error("expected \"lower\" or \"higher\", got \"" + std::string(text) + "\"");
}

Result<MetricKind> parse_kind(std::string_view text) {
  if (text == "value") return MetricKind::kValue;
  if (text == "leak") return MetricKind::kLeak;
  return Error("expected \"value\" or \"leak\", got \"" + std::string(text) + "\"");
}

}  // namespace h2soak::compare
