#include "harness/run/thresholds.h"

#include <cmath>
#include <cstdio>

#include "harness/compare/rules.h"

namespace h2soak::run {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

compare::ThresholdOp to_compare_op(scenario::CompareOp op) {
  switch (op) {
    case scenario::CompareOp::kLt: return compare::ThresholdOp::kLess;
    case scenario::CompareOp::kLe: return compare::ThresholdOp::kLessEqual;
    case scenario::CompareOp::kGt: return compare::ThresholdOp::kGreater;
    case scenario::CompareOp::kGe: return compare::ThresholdOp::kGreaterEqual;
    case scenario::CompareOp::kEq: return compare::ThresholdOp::kEqual;
    case scenario::CompareOp::kNe: return compare::ThresholdOp::kNotEqual;
  }
  return compare::ThresholdOp::kLess;
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

std::optional<double> quantity_in(const scenario::Quantity& q, const std::string& unit) {
  using scenario::Unit;
  switch (q.unit) {
    case Unit::kNumber:
      return q.value;
    case Unit::kDuration:
      if (auto ns = compare::nanos_per_unit(unit)) return q.value * 1e9 / *ns;
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

compare::ThresholdVerdict evaluate(const scenario::Threshold& t, const std::string& scenario_name,
                                   const std::map<std::string, result::AnalysisMetric>& metrics) {
  compare::ThresholdVerdict v;
  v.scenario = scenario_name;
  v.expression = t.text;
  v.metric = canonical_metric_name(t.metric);
  auto it = metrics.find(v.metric);
  if (it == metrics.end() || !std::isfinite(it->second.value)) {
    v.passed = false;
    v.detail = "metric \"" + t.metric + "\" was not measured in this run";
    return v;
  }
  const auto& m = it->second;
  v.unit = m.unit;
  v.observed = m.value;
  auto limit = quantity_in(t.value, m.unit);
  if (!limit) {
    v.passed = false;
    v.detail = "the value's unit (" + std::string(scenario::to_string(t.value.unit)) + ") does not fit " +
               v.metric + ", which is in \"" + m.unit + "\"";
    return v;
  }
  v.limit = *limit;
  v.passed = compare::holds(to_compare_op(t.op), m.value, *limit);
  if (!v.passed) {
    v.detail = v.metric + " = " + number(m.value) + " " + m.unit + ", not " + scenario::to_string(t.op) + " " +
               number(*limit) + (t.pos.line > 0 ? " (" + t.pos.str() + ")" : "");
  }
  return v;
}

compare::ThresholdVerdict evaluate_all(const scenario::Threshold& t, const std::string& scenario_name,
                                       const std::vector<const std::map<std::string, result::AnalysisMetric>*>& runs) {
  std::optional<compare::ThresholdVerdict> chosen;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    auto v = evaluate(t, scenario_name, *runs[i]);
    if (!v.passed) {
      if (runs.size() > 1) v.detail += " in run " + std::to_string(i + 1) + " of " + std::to_string(runs.size());
      return v;
    }
    const bool upper = t.op == scenario::CompareOp::kLt || t.op == scenario::CompareOp::kLe;
    const bool lower = t.op == scenario::CompareOp::kGt || t.op == scenario::CompareOp::kGe;
    if (!chosen || (upper && v.observed > chosen->observed) || (lower && v.observed < chosen->observed)) {
      chosen = v;
    }
  }
  if (!chosen) {
    compare::ThresholdVerdict v;
    v.scenario = scenario_name;
    v.expression = t.text;
    v.metric = canonical_metric_name(t.metric);
    v.detail = "no runs";
    return v;
  }
  return *chosen;
}

std::string result_threshold_text(const scenario::Threshold& t,
                                  const std::map<std::string, result::AnalysisMetric>& metrics) {
  const std::string name = canonical_metric_name(t.metric);
  auto it = metrics.find(name);
  if (it == metrics.end()) return t.text;
  auto limit = quantity_in(t.value, it->second.unit);
  if (!limit) return t.text;
  // Keep the text when compare reads it the same way (same metric, same value).
  if (auto parsed = compare::parse_threshold(t.text); parsed && parsed->metric == name) {
    if (auto v = compare::threshold_value_in(*parsed, it->second.unit); v && std::fabs(*v - *limit) <= 1e-9 * std::fabs(*limit)) {
      return t.text;
    }
  }
  return name + " " + scenario::to_string(t.op) + " " + number(*limit);
}

}  // namespace h2soak::run
