// Quantities with units, threshold expressions, metric names and the
// built-in regression rules.
#include "harness/scenario/threshold.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "harness/scenario/decode.h"
#include "harness/scenario/loader.h"
#include "harness/util/text.h"
#include "harness/util/units.h"

namespace h2soak::scenario {
namespace {

std::optional<double> whole_number(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> per_second_factor(std::string_view unit) {
  if (unit == "s") return 1.0;
  if (unit == "ms") return 1e3;
  if (unit == "m" || unit == "min") return 1.0 / 60;
  if (unit == "h") return 1.0 / 3600;
  return std::nullopt;
}

bool is_duration_unit(std::string_view u) {
  return u == "s" || u == "ms" || u == "us" || u == "µs" || u == "ns" || u == "m" || u == "min" || u == "h";
}

bool is_metric_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-';
}

const std::vector<std::string> kTimeRoots{"latency", "ttfb", "connect", "tls"};
const std::vector<std::string> kMemoryRoots{"rss", "rss_anon", "vmhwm", "pss"};

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Catches the commonest slip — a latency without a time unit, a memory
// figure without a size — for the roots whose unit is unambiguous.
Status check_unit(const std::vector<std::string>& segments, std::size_t root, const Quantity& q) {
  const std::string& r = segments[root];
  bool zero = q.value == 0 && q.unit == Unit::kNumber;
  if (contains(kTimeRoots, r) && q.unit != Unit::kDuration && !zero) {
    return Error(r + " is a time: write a duration such as 250ms");
  }
  if (contains(kMemoryRoots, r) && !zero) {
    bool slope = segments.back() == "slope";
    if (slope && q.unit != Unit::kSizeRate) return Error(r + ".slope is a size per second: write e.g. 10KiB/s");
    if (!slope && q.unit != Unit::kSize) return Error(r + " is a size: write e.g. 64MiB");
  }
  return {};
}

std::vector<std::string> split_metric(const std::string& metric) {
  std::vector<std::string> segments;
  for (std::size_t start = 0;;) {
    std::size_t dot = metric.find('.', start);
    segments.push_back(metric.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

// parse_quantity() without its range check.
Result<Quantity> read_quantity(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return Error("expected a value such as 250ms, 64MiB, 10KiB/s, 500/s, 5% or 3");
  double sign = 1;
  if (t.front() == '-') {
    sign = -1;
    t = trim(t.substr(1));
  }
  if (auto n = whole_number(t)) return Quantity{sign * *n, Unit::kNumber};
  if (t.back() == '%') {
    auto n = whole_number(trim(t.substr(0, t.size() - 1)));
    if (!n) return Error("invalid percentage \"" + std::string(text) + "\"");
    return Quantity{sign * *n / 100.0, Unit::kPercent};
  }
  if (auto slash = t.find('/'); slash != std::string_view::npos) {
    std::string_view num = trim(t.substr(0, slash));
    std::string_view den = trim(t.substr(slash + 1));
    auto factor = per_second_factor(den);
    if (!factor) return Error("unknown unit \"/" + std::string(den) + "\" in \"" + std::string(text) + "\" (use /ms, /s, /m or /h)");
    if (auto n = whole_number(num)) return Quantity{sign * *n * *factor, Unit::kRate};
    auto size = units::parse_size(num);
    if (!size) return Error("invalid value \"" + std::string(text) + "\": " + size.error().what());
    return Quantity{sign * static_cast<double>(*size) * *factor, Unit::kSizeRate};
  }
  std::size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  std::string_view unit = trim(t.substr(i));
  if (is_duration_unit(unit)) {
    auto d = units::parse_duration(t);
    if (!d) return Error("invalid value \"" + std::string(text) + "\": " + d.error().what());
    return Quantity{sign * static_cast<double>(d->count()) / 1e9, Unit::kDuration};
  }
  auto size = units::parse_size(t);
  if (!size) {
    return Error("invalid value \"" + std::string(text) +
                 "\" (expected a number, a duration such as 250ms, a size such as 64MiB, "
                 "a rate such as 500/s or 10KiB/s, or a percentage)");
  }
  return Quantity{sign * static_cast<double>(*size), Unit::kSize};
}

// A threshold cut into its three parts, the value not parsed yet (so that a
// scenario's unknown metric is reported before a bad value).
struct Parts {
  std::string text;  // trimmed
  std::string metric;
  CompareOp op = CompareOp::kLt;
  std::string value;
};

// METRIC OP VALUE with any metric name: the grammar itself, shared by both
// entry points. The metric is checked no further than its characters.
Result<Parts> split_threshold(std::string_view text) {
  Parts p;
  p.text = std::string(trim(text));
  const std::string_view t = p.text;
  const std::string shape = " (write METRIC OP VALUE, e.g. \"latency.p99 < 250ms\")";
  std::size_t i = 0;
  while (i < t.size() && (is_metric_char(t[i]) || t[i] == '.')) ++i;
  p.metric = std::string(t.substr(0, i));
  if (p.metric.empty()) return Error("threshold \"" + p.text + "\" does not start with a metric name" + shape);
  std::string_view rest = trim(t.substr(i));
  std::optional<CompareOp> op;
  for (std::string_view sym : {"<=", ">=", "==", "!=", "<", ">"}) {
    if (rest.substr(0, sym.size()) == sym) {
      op = compare_op_named(sym);
      rest = trim(rest.substr(sym.size()));
      break;
    }
  }
  if (!op) return Error("threshold \"" + p.text + "\" has no comparison (<, <=, >, >=, ==, !=)" + shape);
  if (rest.empty()) return Error("threshold \"" + p.text + "\" has no value" + shape);
  p.op = *op;
  p.value = std::string(rest);
  return p;
}

Result<Threshold> with_value(Parts p) {
  auto q = parse_quantity(p.value);
  if (!q) return Error("threshold \"" + p.text + "\": " + q.error().what());
  Threshold th;
  th.metric = std::move(p.metric);
  th.op = p.op;
  th.value = *q;
  th.text = std::move(p.text);
  return th;
}

}  // namespace

namespace detail {

Status check_metric_name(const std::string& metric, const std::vector<std::string>& workload_names) {
  if (metric.empty()) return Error("empty metric name");
  for (char c : metric) {
    if (!is_metric_char(c) && c != '.') return Error("metric \"" + metric + "\" has an invalid character '" + std::string(1, c) + "'");
  }
  std::vector<std::string> segments = split_metric(metric);
  for (const auto& s : segments) {
    if (s.empty()) return Error("metric \"" + metric + "\" has an empty part");
  }
  std::size_t root = 0;
  if (contains(workload_names, segments[0]) && segments.size() > 1 && contains(kMetricRoots, segments[1])) {
    root = 1;  // scoped to a workload: "tabs.latency.p99"
  } else if (!contains(kMetricRoots, segments[0]) && !contains(workload_names, segments[0])) {
    std::vector<std::string> candidates = kMetricRoots;
    candidates.insert(candidates.end(), workload_names.begin(), workload_names.end());
    std::string msg = "unknown metric '" + metric + "'";
    if (auto m = closest_match(segments[0], candidates)) {
      msg += "; did you mean '" + *m + "'?";
    } else {
      msg += " (a metric starts with one of: errors, latency, rss, threads, fds, cpu, rps, gauge, ... "
             "or a workload name)";
    }
    return Error(msg);
  }
  if (segments[root] == "gauge" && segments.size() < root + 2) {
    return Error("metric \"" + metric + "\": write gauge.NAME or gauge.NAME.slope|residual|peak");
  }
  return {};
}

}  // namespace detail

const std::vector<std::string> kMetricRoots{
    "errors", "error_rate", "requests", "rps",    "latency", "ttfb",    "connect",
    "tls",    "rss",        "rss_anon", "vmhwm",  "pss",     "threads", "fds",
    "cpu",    "dropped",    "sse",      "upload", "connections", "gauge",   "idle",
    "short"};

Result<Quantity> parse_quantity(std::string_view text) {
  auto q = read_quantity(text);
  // "1e308/ms" overflows: a gate on infinity could not be written to a
  // result (JSON has no infinity) nor mean anything.
  if (q && !std::isfinite(q->value)) return Error("value \"" + std::string(trim(text)) + "\" is out of range");
  return q;
}

Result<Threshold> parse_threshold(std::string_view text, const std::vector<std::string>& workload_names) {
  auto parts = split_threshold(text);
  if (!parts) return parts.error();
  if (auto ok = detail::check_metric_name(parts->metric, workload_names); !ok) return ok.error();
  auto th = with_value(std::move(*parts));
  if (!th) return th;
  std::vector<std::string> segments = split_metric(th->metric);
  std::size_t root = contains(workload_names, segments[0]) && segments.size() > 1 &&
                             contains(kMetricRoots, segments[1]) ? 1 : 0;
  if (auto unit_ok = check_unit(segments, root, th->value); !unit_ok) {
    return Error("threshold \"" + th->text + "\": " + unit_ok.error().what());
  }
  return th;
}

Result<Threshold> parse_result_threshold(std::string_view text) {
  auto parts = split_threshold(text);
  if (!parts) return parts.error();
  return with_value(std::move(*parts));
}

const char* to_string(Unit u) {
  switch (u) {
    case Unit::kNumber: return "number";
    case Unit::kDuration: return "duration";
    case Unit::kSize: return "size";
    case Unit::kSizeRate: return "size/s";
    case Unit::kRate: return "rate";
    case Unit::kPercent: return "percent";
  }
  return "?";
}

std::optional<Unit> unit_named(std::string_view name) {
  for (Unit u : {Unit::kNumber, Unit::kDuration, Unit::kSize, Unit::kSizeRate, Unit::kRate, Unit::kPercent}) {
    if (name == to_string(u)) return u;
  }
  return std::nullopt;
}

const char* to_string(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
  }
  return "?";
}

std::optional<CompareOp> compare_op_named(std::string_view symbol) {
  for (CompareOp op : {CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe, CompareOp::kEq, CompareOp::kNe}) {
    if (symbol == to_string(op)) return op;
  }
  return std::nullopt;
}

std::vector<RegressionRule> default_regression_rules() {
  auto rule = [](const char* metric, Direction d, double tol, Quantity floor, bool leak, Gate gate = Gate::kFail) {
    RegressionRule r;
    r.metric = metric;
    r.direction = d;
    r.tolerance = tol;
    r.floor = floor;
    r.leak = leak;
    r.gate = gate;
    return r;
  };
  constexpr auto kLower = Direction::kLowerIsBetter;
  constexpr auto kHigher = Direction::kHigherIsBetter;
  constexpr double kKiB = 1024, kMiB = 1024 * 1024;
  return {
      rule("rss.slope", kLower, 0.10, {16 * kKiB, Unit::kSizeRate}, true),
      rule("rss.residual", kLower, 0.10, {4 * kMiB, Unit::kSize}, false),
      rule("rss.peak", kLower, 0.20, {8 * kMiB, Unit::kSize}, false),
      // Residual counts: one or two left may be a runtime's housekeeping (an
      // idle pool thread, a cached file); a leak leaves many.
      rule("threads.residual", kLower, 0.0, {2, Unit::kNumber}, false),
      rule("threads.peak", kLower, 0.20, {2, Unit::kNumber}, false),
      rule("fds.residual", kLower, 0.0, {2, Unit::kNumber}, false),
      rule("fds.peak", kLower, 0.20, {8, Unit::kNumber}, false),
      // Efficiency: warnings in a baseline comparison (they move with the
      // machine's load); `h2soak ab` gates them pair by pair.
      rule("cpu.per_request", kLower, 0.15, {2e-6, Unit::kDuration}, false, Gate::kWarn),
      rule("latency.p99", kLower, 0.25, {5e-3, Unit::kDuration}, false, Gate::kWarn),
      rule("rps", kHigher, 0.10, {0, Unit::kRate}, false, Gate::kWarn),
      rule("errors", kLower, 0.0, {0, Unit::kNumber}, false),
  };
}

}  // namespace h2soak::scenario
