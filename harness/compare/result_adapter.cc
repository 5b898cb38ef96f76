#include "harness/compare/result_adapter.h"

#include <cmath>
#include <ctime>
#include <limits>

#include "harness/util/atomic_file.h"
#include "harness/compare/baseline_store.h"

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

}  // namespace

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
  // A count out of an int's range is as unknown as an absent one (0).
  const double cores = number_at(meta, "cpu_count").value_or(0);
  r.machine.cores = cores >= 0 && cores <= std::numeric_limits<int>::max() ? static_cast<int>(cores) : 0;
  r.machine.cpu_model = string_or(meta, "cpu_model");
  if (r.machine.cpu_model.empty()) {
    if (auto extra = meta.find("extra"); extra != meta.end() && extra->is_object()) {
      r.machine.cpu_model = string_or(*extra, "cpu_model");
    }
  }
  r.started_at = iso8601(number_at(meta, "start_unix").value_or(0));

  if (auto status = j.find("status"); status != j.end() && status->is_object()) {
    const std::string state = string_or(*status, "state", "completed");
    if (state != "completed") {
      std::string reason = string_or(*status, "reason");
      r.incomplete_reason = state + (reason.empty() ? "" : ": " + reason);
    }
  }

  if (auto analysis = j.find("analysis"); analysis != j.end()) {
    if (!analysis->is_object()) return Error("/analysis: expected an object", source);
    for (const auto& [name, m] : analysis->items()) {
      if (!m.is_object()) return Error("/analysis/" + name + ": expected an object", source);
      auto value = number_at(m, "value");
      if (!value) continue;  // null/NaN: the estimator had no data
      MetricValue mv;
      mv.value = *value;
      mv.unit = string_or(m, "unit");
      auto lo = number_at(m, "ci_low");
      auto hi = number_at(m, "ci_high");
      if (lo && hi) mv.ci = Interval{*lo, *hi};
      const std::string dir = string_or(m, "direction");
      if (dir == "lower" || dir == "lower_is_better") mv.direction = Direction::kLowerIsBetter;
      if (dir == "higher" || dir == "higher_is_better") mv.direction = Direction::kHigherIsBetter;
      if (dir == "none") mv.informational = true;
      for (const char* key : {"leak", "is_leak_metric"}) {
        if (auto it = m.find(key); it != m.end() && it->is_boolean()) {
          mv.kind = it->get<bool>() ? MetricKind::kLeak : MetricKind::kValue;
        }
      }
      r.metrics.emplace(name, std::move(mv));
    }
  }

  if (auto thresholds = j.find("thresholds"); thresholds != j.end() && thresholds->is_array()) {
    for (const auto& t : *thresholds) {
      if (t.is_string()) r.thresholds.push_back(t.get<std::string>());
    }
  }
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
