#include "harness/compare/threshold.h"

#include <map>

#include "harness/compare/format.h"
#include "harness/compare/rules.h"

namespace h2soak::compare {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_upper_bound(scenario::CompareOp op) { return op == scenario::CompareOp::kLt || op == scenario::CompareOp::kLe; }
bool is_lower_bound(scenario::CompareOp op) { return op == scenario::CompareOp::kGt || op == scenario::CompareOp::kGe; }

// One gate on one run; `detail` is empty when it passed.
struct RunCheck {
  bool passed = false;
  std::string unit;
  std::optional<double> observed;
  std::optional<double> limit;
  std::string detail;
};

std::string in_source(const RunMetrics& run) { return run.source.empty() ? "" : " in " + run.source; }

RunCheck check_run(const scenario::Threshold& t, const std::string& metric, const RunMetrics& run) {
  RunCheck c;
  auto it = run.metrics.find(metric);
  if (it == run.metrics.end()) {
    c.detail = "metric \"" + t.metric + "\" was not measured" + (run.source.empty() ? " in this run" : in_source(run));
    return c;
  }
  const MetricValue& m = it->second;
  c.unit = m.unit;
  c.observed = m.value;
  c.limit = quantity_in(t.value, m.unit);
  if (!c.limit) {
    c.detail = "the value's unit (" + std::string(scenario::to_string(t.value.unit)) + ") does not fit " + metric +
               ", which is in \"" + m.unit + "\"";
    return c;
  }
  c.passed = holds(t.op, m.value, *c.limit);
  if (!c.passed) {
    c.detail = metric + " = " + format_value(m.value, m.unit) + in_source(run) + ", not " + scenario::to_string(t.op) +
               " " + format_value(*c.limit, m.unit) + (t.pos.line > 0 ? " (" + t.pos.str() + ")" : "");
  }
  return c;
}

// Whether `candidate` lies closer to the limit than `current` (the run a
// passing verdict reports).
bool closer_to_limit(scenario::CompareOp op, double candidate, double current) {
  return (is_upper_bound(op) && candidate > current) || (is_lower_bound(op) && candidate < current);
}

}  // namespace

std::string canonical_metric_name(const std::string& written) {
  // The scenario grammar's spellings of analysis metrics (scenarios/README.md
  // built-in rules) → the names harness/analysis writes.
  static const std::map<std::string, std::string> kAliases = {
      {"cpu.per_request", "cpu.us_per_request"},
      {"cpu", "cpu.us_per_request"},
      {"vmhwm", "rss.peak"},
      {"rss.retained", "rss.retained_per_1k_requests"},
  };
  if (auto it = kAliases.find(written); it != kAliases.end()) return it->second;
  return written;
}

std::optional<double> quantity_in(const scenario::Quantity& q, std::string_view unit) {
  using scenario::Unit;
  switch (q.unit) {
    case Unit::kNumber:
      return q.value;
    case Unit::kDuration:
      if (auto ns = nanos_per_unit(unit)) return q.value * 1e9 / *ns;
      return std::nullopt;
    case Unit::kSize:
      if (unit == "bytes" || unit == "B") return q.value;
      return std::nullopt;
    case Unit::kSizeRate:
      if (unit == "bytes/s") return q.value;
      return std::nullopt;
    case Unit::kRate:
      if (ends_with(unit, "/s") && unit != "bytes/s") return q.value;
      return std::nullopt;
    case Unit::kPercent:
      if (unit == "fraction" || unit.empty()) return q.value;
      if (unit == "%") return q.value * 100;
      return std::nullopt;
  }
  return std::nullopt;
}

bool holds(scenario::CompareOp op, double observed, double limit) {
  switch (op) {
    case scenario::CompareOp::kLt: return observed < limit;
    case scenario::CompareOp::kLe: return observed <= limit;
    case scenario::CompareOp::kGt: return observed > limit;
    case scenario::CompareOp::kGe: return observed >= limit;
    case scenario::CompareOp::kEq: return observed == limit;
    case scenario::CompareOp::kNe: return observed != limit;
  }
  return false;
}

ThresholdVerdict evaluate_threshold(const scenario::Threshold& t, const std::string& scenario,
                                    const std::vector<const RunMetrics*>& runs) {
  ThresholdVerdict v;
  v.scenario = scenario;
  v.expression = t.text;
  v.metric = canonical_metric_name(t.metric);
  std::optional<RunCheck> reported;
  for (const RunMetrics* run : runs) {
    RunCheck c = check_run(t, v.metric, *run);
    if (!c.passed || !reported || closer_to_limit(t.op, *c.observed, *reported->observed)) reported = std::move(c);
    if (!reported->passed) break;
  }
  if (!reported) {
    v.detail = "no runs";
    return v;
  }
  v.passed = reported->passed;
  v.unit = reported->unit;
  v.observed = reported->observed;
  v.limit = reported->limit;
  v.detail = reported->detail;
  return v;
}

}  // namespace h2soak::compare
