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

// nullopt for none (informational) and for not stated (the name decides).
std::optional<Direction> direction_of(std::optional<result::Direction> d) {
  if (!d) return std::nullopt;
  switch (*d) {
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
    if (!std::isfinite(a.value)) continue;  // the estimator had no data
    MetricValue mv;
    mv.value = a.value;
    mv.unit = a.unit;
    if (a.ci_low && a.ci_high && std::isfinite(*a.ci_low) && std::isfinite(*a.ci_high)) {
      mv.ci = Interval{*a.ci_low, *a.ci_high};
    }
    mv.direction = direction_of(a.direction);  // unset: the name-based default
    mv.informational = a.direction == result::Direction::kNone;
    if (a.leak) mv.kind = *a.leak ? MetricKind::kLeak : MetricKind::kValue;
    mv.note = a.note;
    out.emplace(name, std::move(mv));
  }
  return out;
}

Result<RunMetrics> run_metrics_from_json(const json& j, const std::string& source) {
  auto run = result::summary_from_json(j, source);
  if (!run) return run.error();
  return run_metrics_of(*run, source);
}

Result<RunMetrics> load_run_metrics(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto json = parse_json_text(*text, path);
  if (!json) return json.error();
  return run_metrics_from_json(*json, path);
}

}  // namespace h2soak::compare
