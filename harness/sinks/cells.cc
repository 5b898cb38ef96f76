#include "harness/sinks/cells.h"

#include "harness/compare/format.h"

namespace h2soak::sinks {

using compare::format_value;

namespace {

std::string signed_value(double v, const std::string& unit) {
  std::string s = format_value(v, unit);
  return v > 0 ? "+" + s : s;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Cells cells_of(const compare::MetricVerdict& v) {
  Cells c;
  c.scenario = v.scenario;
  c.metric = v.metric;
  c.baseline = v.baseline ? format_value(*v.baseline, v.unit) : "-";
  c.current = v.current ? format_value(*v.current, v.unit) : "-";
  if (v.current_ci) {
    c.current += " [" + format_value(v.current_ci->lo, v.unit) + ", " + format_value(v.current_ci->hi, v.unit) + "]";
  }
  if (v.change_abs) {
    c.change = signed_value(*v.change_abs, v.unit);
    if (v.change_pct) c.change += " (" + compare::format_percent(*v.change_pct) + ")";
  } else {
    c.change = "-";
  }
  if (v.limit) {
    const bool lower = v.rule.direction == compare::Direction::kLowerIsBetter;
    c.limit = std::string(lower ? "<= " : ">= ") + format_value(*v.limit, v.unit);
    if (v.limit_origin != compare::LimitOrigin::kNone) c.limit += std::string(" (") + compare::origin_name(v.limit_origin) + ")";
  } else {
    c.limit = "-";
  }
  c.status = compare::status_name(v.status);
  return c;
}

std::string threshold_observed(const compare::ThresholdVerdict& t) {
  return t.observed ? format_value(*t.observed, t.unit) : "-";
}

std::string summary_line(const compare::Verdict& v) {
  using compare::MetricStatus;
  const std::size_t regressions = v.count(MetricStatus::kRegression);
  const std::size_t failed = v.failed_thresholds();
  std::string s = v.failed() ? "FAIL: " : "PASS: ";
  s += plural(regressions, "regression", "regressions") + ", " +
       plural(failed, "failed threshold", "failed thresholds") + " (" +
       std::to_string(v.count(MetricStatus::kPass)) + " pass, " +
       plural(v.count(MetricStatus::kWarning), "warning", "warnings") + ", " +
       std::to_string(v.count(MetricStatus::kImproved)) + " improved, " +
       std::to_string(v.count(MetricStatus::kNew)) + " new, " +
       std::to_string(v.count(MetricStatus::kMissing)) + " missing; " +
       plural(v.thresholds.size() - failed, "threshold met", "thresholds met") + ")";
  return s;
}

}  // namespace h2soak::sinks
