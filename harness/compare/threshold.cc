#include "harness/compare/threshold.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "harness/compare/format.h"
#include "harness/compare/rules.h"
#include "harness/util/text.h"
#include "harness/util/units.h"

namespace h2soak::compare {

const char* op_symbol(ThresholdOp op) {
  switch (op) {
    case ThresholdOp::kLess: return "<";
    case ThresholdOp::kLessEqual: return "<=";
    case ThresholdOp::kGreater: return ">";
    case ThresholdOp::kGreaterEqual: return ">=";
    case ThresholdOp::kEqual: return "==";
    case ThresholdOp::kNotEqual: return "!=";
  }
  return "?";
}

bool holds(ThresholdOp op, double observed, double limit) {
  switch (op) {
    case ThresholdOp::kLess: return observed < limit;
    case ThresholdOp::kLessEqual: return observed <= limit;
    case ThresholdOp::kGreater: return observed > limit;
    case ThresholdOp::kGreaterEqual: return observed >= limit;
    case ThresholdOp::kEqual: return observed == limit;
    case ThresholdOp::kNotEqual: return observed != limit;
  }
  return false;
}

Result<Threshold> parse_threshold(std::string_view text) {
  Threshold t;
  t.text = std::string(trim(text));
  const std::string_view s = t.text;
  // The first operator character ends the metric name.
  std::size_t pos = s.find_first_of("<>=!");
  if (pos == std::string_view::npos) {
    return Error("threshold \"" + t.text + "\": expected METRIC OP VALUE with OP one of < <= > >= == !=");
  }
  t.metric = std::string(trim(s.substr(0, pos)));
  if (t.metric.empty()) return Error("threshold \"" + t.text + "\": no metric name before the operator");
  std::string_view rest = s.substr(pos);
  struct OpText { const char* text; ThresholdOp op; };
  static constexpr OpText kOps[] = {{"<=", ThresholdOp::kLessEqual}, {">=", ThresholdOp::kGreaterEqual},
                                    {"==", ThresholdOp::kEqual},     {"!=", ThresholdOp::kNotEqual},
                                    {"<", ThresholdOp::kLess},       {">", ThresholdOp::kGreater}};
  bool found = false;
  for (const auto& o : kOps) {
    std::string_view ot(o.text);
    if (rest.substr(0, ot.size()) == ot) {
      t.op = o.op;
      rest.remove_prefix(ot.size());
      found = true;
      break;
    }
  }
  if (!found) return Error("threshold \"" + t.text + "\": unknown operator (use < <= > >= == !=)");
  std::string value(trim(rest));
  if (value.empty()) return Error("threshold \"" + t.text + "\": no value after the operator");

  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  std::string_view suffix = trim(std::string_view(end));
  if (end == value.c_str() || !std::isfinite(number)) {
    return Error("threshold \"" + t.text + "\": \"" + value + "\" is not a number");
  }
  if (suffix.empty() || suffix == "%") {
    t.dimension = Threshold::Dimension::kPlain;
    t.value = number;
    return t;
  }
  if (number < 0) return Error("threshold \"" + t.text + "\": a negative duration or size");
  if (auto d = units::parse_duration(value)) {
    t.dimension = Threshold::Dimension::kTime;
    t.value = static_cast<double>(d->count());
    return t;
  }
  if (auto b = units::parse_size(value)) {
    t.dimension = Threshold::Dimension::kSize;
    t.value = static_cast<double>(*b);
    return t;
  }
  return Error("threshold \"" + t.text + "\": unknown unit \"" + std::string(suffix) +
               "\" (durations: ns us ms s m h; sizes: B KiB MiB GiB kB MB GB)");
}

Result<double> threshold_value_in(const Threshold& t, std::string_view unit) {
  switch (t.dimension) {
    case Threshold::Dimension::kPlain:
      return t.value;
    case Threshold::Dimension::kTime:
      if (auto ns = nanos_per_unit(unit)) return t.value / *ns;
      return Error("threshold \"" + t.text + "\" has a duration but " + t.metric + " is in \"" +
                   std::string(unit) + "\"");
    case Threshold::Dimension::kSize:
      if (unit == "bytes" || unit == "B") return t.value;
      return Error("threshold \"" + t.text + "\" has a size but " + t.metric + " is in \"" +
                   std::string(unit) + "\"");
  }
  return Error("unreachable");
}

ThresholdVerdict evaluate_threshold(const Threshold& t, const std::string& scenario,
                                    const std::vector<const RunMetrics*>& runs) {
  ThresholdVerdict v;
  v.scenario = scenario;
  v.expression = t.text;
  v.metric = t.metric;
  v.passed = true;
  if (runs.empty()) {
    v.passed = false;
    v.detail = "no runs";
    return v;
  }
  for (const RunMetrics* run : runs) {
    auto it = run->metrics.find(t.metric);
    if (it == run->metrics.end()) {
      v.passed = false;
      v.detail = "metric \"" + t.metric + "\" is not in " + run->source;
      return v;
    }
    const MetricValue& m = it->second;
    auto limit = threshold_value_in(t, m.unit);
    if (!limit) {
      v.passed = false;
      v.unit = m.unit;
      v.detail = limit.error().what();
      return v;
    }
    v.unit = m.unit;
    v.limit = *limit;
    bool ok = holds(t.op, m.value, *limit);
    // Report the worst run: the first failing one, else the one closest to the limit.
    if (!ok) {
      if (v.passed) {
        v.observed = m.value;
        v.detail = t.metric + " = " + format_value(m.value, m.unit) + " in " + run->source + ", not " +
                   op_symbol(t.op) + " " + format_value(*limit, m.unit);
      }
      v.passed = false;
    } else if (v.passed) {
      bool worse = !v.observed ||
                   ((t.op == ThresholdOp::kLess || t.op == ThresholdOp::kLessEqual) && m.value > *v.observed) ||
                   ((t.op == ThresholdOp::kGreater || t.op == ThresholdOp::kGreaterEqual) && m.value < *v.observed);
      if (worse) v.observed = m.value;
    }
  }
  return v;
}

}  // namespace h2soak::compare
