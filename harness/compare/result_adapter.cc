#include "harness/compare/result_adapter.h"

#include <cmath>
#include <ctime>
#include <limits>

#include "harness/util/atomic_file.h"
#include "harness/compare/baseline_store.h"
#include "harness/result/result_json.h"

namespace h2soak::compare {

using nlohmann::json;

namespace {

std::string string_or(const json& obj, const char* key, std::string fallback = {}) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::optional<double> number_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  double d = it->get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

// Empty when unknown: absent, not positive, or past the year 9999 (where
// the conversion to time_t could also overflow).
std::string iso8601(double unix_seconds) {
  constexpr double kYear10000 = 253402300800.0;
  if (!(unix_seconds > 0 && unix_seconds < kYear10000)) return {};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Direction> direction_named(const std::string& dir) {
  if (dir == "lower" || dir == "lower_is_better") return Direction::kLowerIsBetter;
  if (dir == "higher" || dir == "higher_is_better") return Direction::kHigherIsBetter;
  return std::nullopt;
}

// One analysis figure as compare sees it; nullopt when it has no value.
// `direction` unset: the name-based default; `informational`: direction "none".
std::optional<MetricValue> metric_value(double value, std::string unit, std::optional<double> ci_low,
                                        std::optional<double> ci_high, std::optional<Direction> direction,
                                        bool informational, std::optional<bool> leak) {
  if (!std::isfinite(value)) return std::nullopt;  // the estimator had no data
  MetricValue mv;
  mv.value = value;
  mv.unit = std::move(unit);
  if (ci_low && ci_high && std::isfinite(*ci_low) && std::isfinite(*ci_high)) mv.ci = Interval{*ci_low, *ci_high};
  mv.direction = direction;
  mv.informational = informational;
  if (leak) mv.kind = *leak ? MetricKind::kLeak : MetricKind::kValue;
  return mv;
}

std::optional<Direction> direction_of(result::Direction d) {
  switch (d) {
    case result::Direction::kLowerIsBetter: return Direction::kLowerIsBetter;
    case result::Direction::kHigherIsBetter: return Direction::kHigherIsBetter;
    case result::Direction::kNone: break;
  }
  return std::nullopt;
}

int cores_of(double count) {
  // A count out of an int's range is as unknown as an absent one (0).
  return count >= 0 && count <= std::numeric_limits<int>::max() ? static_cast<int>(count) : 0;
}

std::string incomplete_reason(const std::string& state, const std::string& reason) {
  if (state == "completed") return {};
  return state + (reason.empty() ? "" : ": " + reason);
}

}  // namespace

RunMetrics run_metrics_of(const result::RunResult& r, const std::string& source) {
  RunMetrics m;
  m.source = source;
  const result::Metadata& meta = r.metadata;
  m.scenario = meta.scenario_name;
  m.scenario_hash = meta.scenario_hash;
  m.h2soak_version = meta.h2soak_version;
  m.git_revision = meta.git_revision;
  m.machine.hostname = meta.host;
  m.machine.kernel = meta.kernel;
  m.machine.cores = cores_of(meta.cpu_count);
  m.machine.cpu_model = meta.cpu_model;
  if (m.machine.cpu_model.empty()) {
    if (auto it = meta.extra.find("cpu_model"); it != meta.extra.end()) m.machine.cpu_model = it->second;
  }
  m.started_at = iso8601(meta.start_unix);
  m.incomplete_reason = incomplete_reason(result::to_string(r.status.state), r.status.reason);
  m.metrics = metric_values_of(r.analysis);
  m.thresholds = r.thresholds;
  return m;
}

std::map<std::string, MetricValue> metric_values_of(const std::map<std::string, result::AnalysisMetric>& analysis) {
  std::map<std::string, MetricValue> out;
  for (const auto& [name, a] : analysis) {
    auto mv = metric_value(a.value, a.unit, a.ci_low, a.ci_high, direction_of(a.direction),
                           a.direction == result::Direction::kNone, a.leak);
    if (mv) {
      mv->note = a.note;
      out.emplace(name, std::move(*mv));
    }
  }
  return out;
}

Result<RunMetrics> run_metrics_from_json(const json& j, const std::string& source) {
  if (!j.is_object()) return Error("not an h2soak result: the top level is not an object", source);
  const std::string schema = string_or(j, "schema");
  if (schema != kResultSchema) {
    if (schema.rfind("h2soak.baseline/", 0) == 0) {
      return Error("this is a baseline, not a result file (the baseline goes last on the command line)", source);
    }
    return Error("not an h2soak result: schema is \"" + schema + "\", expected \"" + kResultSchema + "\"", source);
  }
  auto meta_it = j.find("metadata");
  if (meta_it == j.end() || !meta_it->is_object()) return Error("/metadata: missing or not an object", source);
  const json& meta = *meta_it;

  RunMetrics r;
  r.source = source;
  r.scenario = string_or(meta, "scenario_name");
  if (r.scenario.empty()) return Error("/metadata/scenario_name: missing or empty", source);
  r.scenario_hash = string_or(meta, "scenario_hash");
  r.h2soak_version = string_or(meta, "h2soak_version");
  r.git_revision = string_or(meta, "git_revision");
  r.machine.hostname = string_or(meta, "host");
  r.machine.kernel = string_or(meta, "kernel");
  r.machine.cores = cores_of(number_at(meta, "cpu_count").value_or(0));
  r.machine.cpu_model = string_or(meta, "cpu_model");
  if (r.machine.cpu_model.empty()) {
    if (auto extra = meta.find("extra"); extra != meta.end() && extra->is_object()) {
      r.machine.cpu_model = string_or(*extra, "cpu_model");
    }
  }
  r.started_at = iso8601(number_at(meta, "start_unix").value_or(0));

  if (auto status = j.find("status"); status != j.end() && status->is_object()) {
    r.incomplete_reason = incomplete_reason(string_or(*status, "state", "completed"), string_or(*status, "reason"));
  }

  if (auto analysis = j.find("analysis"); analysis != j.end()) {
    if (!analysis->is_object()) return Error("/analysis: expected an object", source);
    for (const auto& [name, m] : analysis->items()) {
      if (!m.is_object()) return Error("/analysis/" + name + ": expected an object", source);
      std::optional<bool> leak;
      for (const char* key : {"leak", "is_leak_metric"}) {
        if (auto it = m.find(key); it != m.end() && it->is_boolean()) leak = it->get<bool>();
      }
      const std::string direction = string_or(m, "direction");
      auto mv = metric_value(number_at(m, "value").value_or(std::nan("")), string_or(m, "unit"),
                             number_at(m, "ci_low"), number_at(m, "ci_high"), direction_named(direction),
                             direction == "none", leak);
      if (mv) {
        mv->note = string_or(m, "note");
        r.metrics.emplace(name, std::move(*mv));
      }
    }
  }

  auto thresholds = result::thresholds_from_json(j, source);
  if (!thresholds) return thresholds.error();
  r.thresholds = std::move(*thresholds);
  return r;
}

Result<RunMetrics> load_run_metrics(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto json = parse_json_text(*text, path);
  if (!json) return json.error();
  return run_metrics_from_json(*json, path);
}

}  // namespace h2soak::compare
