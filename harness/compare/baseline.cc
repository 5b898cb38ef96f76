#include "harness/compare/baseline.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

#include "harness/compare/stats.h"

namespace h2soak::compare {

using nlohmann::json;

double BaselineMetric::spread() const {
  double s = 0;
  for (double v : values) s = std::max(s, std::fabs(v - reference));
  return s;
}

const BaselineScenario* Baseline::find(std::string_view scenario) const {
  for (const auto& s : scenarios) {
    if (s.name == scenario) return &s;
  }
  return nullptr;
}

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Baseline> build_baseline(const std::vector<RunMetrics>& runs, const BuildOptions& options) {
  if (runs.empty()) return Error("no result files to build a baseline from");
  Baseline b;
  b.created_at = options.created_at.empty() ? utc_now_iso8601() : options.created_at;
  b.h2soak_version = options.h2soak_version;
  b.git_revision = options.git_revision;
  b.machine = runs.front().machine;

  std::map<std::string, std::vector<const RunMetrics*>> by_scenario;
  for (const auto& run : runs) {
    const auto& m = run.machine;
    if (m.hostname != b.machine.hostname || m.cpu_model != b.machine.cpu_model ||
        m.cores != b.machine.cores) {
      return Error("recorded on a different machine (" + m.hostname + ", " + m.cpu_model + ", " +
                       std::to_string(m.cores) + " cores) than " + runs.front().source + " (" +
                       b.machine.hostname + ", " + b.machine.cpu_model + ", " +
                       std::to_string(b.machine.cores) +
                       " cores); a baseline holds runs of one machine profile",
                   run.source);
    }
    b.sources.push_back(run.source);
    by_scenario[run.scenario].push_back(&run);
  }

  std::size_t min_runs = runs.size();
  for (const auto& [name, scenario_runs] : by_scenario) {
    BaselineScenario s;
    s.name = name;
    s.hash = scenario_runs.front()->scenario_hash;
    for (const RunMetrics* run : scenario_runs) {
      if (run->scenario_hash != s.hash) {
        return Error("scenario \"" + name + "\" has hash " + run->scenario_hash + " here but " +
                         s.hash + " in " + scenario_runs.front()->source +
                         "; all runs of a baseline must use the same scenario version",
                     run->source);
      }
    }
    min_runs = std::min(min_runs, scenario_runs.size());
    // Union of metric names over the runs; a metric present in only some
    // runs is kept with the values it has.
    std::map<std::string, BaselineMetric> metrics;
    for (const RunMetrics* run : scenario_runs) {
      for (const auto& [metric, value] : run->metrics) {
        if (value.informational) continue;  // never compared, so never recorded
        auto& bm = metrics[metric];
        if (bm.values.empty()) {
          bm.unit = value.unit;
          bm.rule = default_rule(metric, value.unit);
          if (value.direction) bm.rule.direction = *value.direction;
          if (value.kind) bm.rule.kind = *value.kind;
        }
        bm.values.push_back(value.value);
        if (value.ci) bm.cis.push_back(*value.ci);
      }
    }
    for (auto& [metric, bm] : metrics) {
      bm.rule = apply_patches(bm.rule, metric, options.patches);
      bm.reference = median(bm.values);
      bm.min = *std::min_element(bm.values.begin(), bm.values.end());
      bm.max = *std::max_element(bm.values.begin(), bm.values.end());
      bm.mad = median_absolute_deviation(bm.values);
      bm.sd = sample_sd(bm.values);
      if (bm.cis.size() != bm.values.size()) bm.cis.clear();  // intervals only when every run has one
    }
    s.metrics = std::move(metrics);
    b.scenarios.push_back(std::move(s));
  }
  b.runs = min_runs;
  return b;  // by_scenario is a std::map, so scenarios are sorted by name
}

json baseline_to_json(const Baseline& b) {
  json scenarios = json::object();
  for (const auto& s : b.scenarios) {
    json metrics = json::object();
    for (const auto& [name, m] : s.metrics) {
      json jm = {
          {"unit", m.unit},
          {"direction", direction_name(m.rule.direction)},
          {"kind", kind_name(m.rule.kind)},
          {"reference", m.reference},
          {"min", m.min},
          {"max", m.max},
          {"mad", m.mad},
          {"sd", m.sd},
          {"values", m.values},
          {"rule",
           {{"relative_tolerance", m.rule.relative_tolerance},
            {"absolute_floor", m.rule.absolute_floor},
            {"alpha", m.rule.alpha},
            {"gate", gate_name(m.rule.gate)}}},
      };
      if (!m.cis.empty()) {
        json cis = json::array();
        for (const auto& ci : m.cis) cis.push_back({ci.lo, ci.hi});
        jm["cis"] = std::move(cis);
      }
      metrics[name] = std::move(jm);
    }
    scenarios[s.name] = {{"hash", s.hash}, {"metrics", std::move(metrics)}};
  }
  return {
      {"schema", kBaselineSchema},
      {"created_at", b.created_at},
      {"h2soak_version", b.h2soak_version},
      {"git_revision", b.git_revision},
      {"machine",
       {{"hostname", b.machine.hostname},
        {"cpu_model", b.machine.cpu_model},
        {"cores", b.machine.cores},
        {"kernel", b.machine.kernel}}},
      {"runs", b.runs},
      {"sources", b.sources},
      {"scenarios", std::move(scenarios)},
  };
}

namespace {

// Thrown inside baseline_from_json only and turned into an Error at its
// boundary: a parse is the one place STYLE.md allows exceptions.
struct ParseFailure {
  std::string pointer;
  std::string message;
};

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child(const std::string& ptr, std::string_view key) {
  return ptr + "/" + escape_pointer_token(key);
}

const json& field(const json& obj, const std::string& ptr, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) throw ParseFailure{ptr, std::string("missing field \"") + key + "\""};
  return *it;
}

[[noreturn]] void wrong_type(const std::string& ptr, const char* expected, const json& got) {
  throw ParseFailure{ptr, std::string("expected ") + expected + ", got " + got.type_name()};
}

const json& object_field(const json& obj, const std::string& ptr, const char* key) {
  const json& v = field(obj, ptr, key);
  if (!v.is_object()) wrong_type(child(ptr, key), "an object", v);
  return v;
}

double number_of(const json& v, const std::string& ptr) {
  if (!v.is_number()) wrong_type(ptr, "a number", v);
  double d = v.get<double>();
  if (!std::isfinite(d)) throw ParseFailure{ptr, "not a finite number"};
  return d;
}

double number_field(const json& obj, const std::string& ptr, const char* key) {
  return number_of(field(obj, ptr, key), child(ptr, key));
}

// A count (cores, runs): a whole number that fits an int. Checked before the
// conversion, which is undefined for a double out of range.
int count_field(const json& obj, const std::string& ptr, const char* key) {
  const std::string p = child(ptr, key);
  const double d = number_of(field(obj, ptr, key), p);
  constexpr int kMax = std::numeric_limits<int>::max();
  if (d < 0 || d > kMax || d != std::floor(d)) {
    throw ParseFailure{p, "expected a whole number from 0 to " + std::to_string(kMax) + ", got " +
                              field(obj, ptr, key).dump()};
  }
  return static_cast<int>(d);
}

std::string string_field(const json& obj, const std::string& ptr, const char* key) {
  const json& v = field(obj, ptr, key);
  if (!v.is_string()) wrong_type(child(ptr, key), "a string", v);
  return v.get<std::string>();
}

BaselineMetric parse_metric(const json& jm, const std::string& ptr) {
  if (!jm.is_object()) wrong_type(ptr, "an object", jm);
  BaselineMetric m;
  m.unit = string_field(jm, ptr, "unit");
  auto dir = parse_direction(string_field(jm, ptr, "direction"));
  if (!dir) throw ParseFailure{child(ptr, "direction"), dir.error().what()};
  m.rule.direction = *dir;
  auto kind = parse_kind(string_field(jm, ptr, "kind"));
  if (!kind) throw ParseFailure{child(ptr, "kind"), kind.error().what()};
  m.rule.kind = *kind;
  m.reference = number_field(jm, ptr, "reference");
  m.min = number_field(jm, ptr, "min");
  m.max = number_field(jm, ptr, "max");
  m.mad = number_field(jm, ptr, "mad");
  m.sd = number_field(jm, ptr, "sd");

  const std::string values_ptr = child(ptr, "values");
  const json& values = field(jm, ptr, "values");
  if (!values.is_array()) wrong_type(values_ptr, "an array", values);
  if (values.empty()) throw ParseFailure{values_ptr, "no values: a baseline metric needs at least one run"};
  for (std::size_t i = 0; i < values.size(); ++i) {
    m.values.push_back(number_of(values[i], values_ptr + "/" + std::to_string(i)));
  }

  if (auto it = jm.find("cis"); it != jm.end()) {
    const std::string cis_ptr = child(ptr, "cis");
    if (!it->is_array()) wrong_type(cis_ptr, "an array", *it);
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string p = cis_ptr + "/" + std::to_string(i);
      const json& pair = (*it)[i];
      if (!pair.is_array() || pair.size() != 2) wrong_type(p, "an array [lo, hi]", pair);
      m.cis.push_back({number_of(pair[0], p + "/0"), number_of(pair[1], p + "/1")});
    }
  }

  const std::string rule_ptr = child(ptr, "rule");
  const json& rule = object_field(jm, ptr, "rule");
  m.rule.relative_tolerance = number_field(rule, rule_ptr, "relative_tolerance");
  m.rule.absolute_floor = number_field(rule, rule_ptr, "absolute_floor");
  m.rule.alpha = number_field(rule, rule_ptr, "alpha");
  if (m.rule.relative_tolerance < 0) throw ParseFailure{child(rule_ptr, "relative_tolerance"), "must be >= 0"};
  if (m.rule.absolute_floor < 0) throw ParseFailure{child(rule_ptr, "absolute_floor"), "must be >= 0"};
  if (m.rule.alpha <= 0 || m.rule.alpha >= 1) throw ParseFailure{child(rule_ptr, "alpha"), "must be in (0, 1)"};
  // Absent in baselines written before gates existed: they failed on every metric.
  if (rule.contains("gate")) {
    auto gate = parse_gate(string_field(rule, rule_ptr, "gate"));
    if (!gate) throw ParseFailure{child(rule_ptr, "gate"), gate.error().what()};
    m.rule.gate = *gate;
  }
  return m;
}

Baseline parse_baseline(const json& j) {
  Baseline b;
  b.created_at = string_field(j, "", "created_at");
  b.h2soak_version = string_field(j, "", "h2soak_version");
  if (j.contains("git_revision")) b.git_revision = string_field(j, "", "git_revision");

  const json& machine = object_field(j, "", "machine");
  b.machine.hostname = string_field(machine, "/machine", "hostname");
  b.machine.cpu_model = string_field(machine, "/machine", "cpu_model");
  b.machine.cores = count_field(machine, "/machine", "cores");
  b.machine.kernel = string_field(machine, "/machine", "kernel");

  b.runs = static_cast<std::size_t>(count_field(j, "", "runs"));
  if (auto it = j.find("sources"); it != j.end()) {
    if (!it->is_array()) wrong_type("/sources", "an array", *it);
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& s = (*it)[i];
      if (!s.is_string()) wrong_type("/sources/" + std::to_string(i), "a string", s);
      b.sources.push_back(s.get<std::string>());
    }
  }

  const json& scenarios = object_field(j, "", "scenarios");
  for (const auto& [name, js] : scenarios.items()) {
    const std::string sptr = child("/scenarios", name);
    if (!js.is_object()) wrong_type(sptr, "an object", js);
    BaselineScenario s;
    s.name = name;
    s.hash = string_field(js, sptr, "hash");
    const std::string mptr = child(sptr, "metrics");
    const json& metrics = object_field(js, sptr, "metrics");
    for (const auto& [metric, jm] : metrics.items()) {
      s.metrics.emplace(metric, parse_metric(jm, child(mptr, metric)));
    }
    b.scenarios.push_back(std::move(s));
  }
  return b;
}

}  // namespace

Result<Baseline> baseline_from_json(const json& j, std::string_view source) {
  const std::string where(source);
  if (!j.is_object()) {
    return Error(std::string("not an h2soak baseline: the top level is ") + j.type_name() +
                     ", expected an object with \"schema\": \"" + kBaselineSchema + "\"",
                 where);
  }
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string()) {
    return Error(std::string("not an h2soak baseline: no \"schema\" string (expected \"") +
                     kBaselineSchema + "\")",
                 where);
  }
  const std::string s = schema->get<std::string>();
  if (s != kBaselineSchema) {
    if (s.rfind("h2soak.baseline/", 0) == 0) {
      return Error("baseline schema is \"" + s + "\" but this h2soak reads \"" + kBaselineSchema +
                       "\"; record the baseline again with this version",
                   where);
    }
    return Error("not an h2soak baseline: schema is \"" + s + "\", expected \"" + kBaselineSchema +
                     "\"" + (s.rfind("h2soak.result/", 0) == 0 ? " (this is a result file)" : ""),
                 where);
  }
  try {
    return parse_baseline(j);
  } catch (const ParseFailure& f) {
    return Error((f.pointer.empty() ? std::string("/") : f.pointer) + ": " + f.message, where);
  }
}

}  // namespace h2soak::compare
