// The top level of "h2soak.result/v1": metadata, status, phases, workloads,
// target with its sample series, analysis, thresholds (thresholds_json.cc),
// verdict. Layout documented in docs/result-schema.md. The full read and the
// summary read share every section's decoder; they differ only in which
// sections and fields they require (Reading).
#include "harness/result/result_json.h"

#include <cmath>
#include <ctime>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/util/atomic_file.h"
#include "harness/result/json_node.h"
#include "harness/result/metrics_json_internal.h"
#include "harness/result/thresholds_json_internal.h"

namespace h2soak::result {

using nlohmann::json;
using detail::DecodeError;
using detail::Node;

namespace {

// RFC 3339 UTC with milliseconds, for humans; start_unix is what readers use.
// Empty for a time beyond the years 0000..9999 (a file read back with a wild
// start_unix), where the conversion to time_t could also overflow.
std::string iso_time(double unix_seconds) {
  constexpr double kYear10000 = 253402300800.0;
  if (!(std::fabs(unix_seconds) < kYear10000)) return {};
  const auto secs = static_cast<std::time_t>(std::floor(unix_seconds));
  const int ms = static_cast<int>((unix_seconds - std::floor(unix_seconds)) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, ms);
  return out;
}

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

template <typename T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json string_map(const std::map<std::string, std::string>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::map<std::string, std::string> string_map_from(const Node& n) {
  n.expect_object();
  std::map<std::string, std::string> m;
  for (const auto& [key, value] : n.json().items()) m[key] = n.at(key).str();
  return m;
}

json phases_to_json(const std::vector<sampler::PhaseMark>& phases) {
  json a = json::array();
  for (const auto& p : phases) a.push_back({{"name", p.name}, {"start", p.start}, {"end", p.end}});
  return a;
}

std::vector<sampler::PhaseMark> phases_from(const Node& n) {
  std::vector<sampler::PhaseMark> out;
  for (std::size_t i = 0, e = n.array_size(); i < e; ++i) {
    const Node p = n.element(i);
    out.push_back({p.at("name").str(), p.at("start").number(), p.at("end").number()});
  }
  return out;
}

// Samples are stored column-wise ({"t": [...], "rss": [...]}) so that a
// reader gets one array per quantity (numpy, plots) and the file stays small.
json samples_to_json(const sampler::SampleSeries& s) {
  json t = json::array(), rss = json::array(), hwm = json::array(), anon = json::array(),
       pss = json::array(), threads = json::array(), fds = json::array(), ut = json::array(),
       st = json::array();
  std::set<std::string> gauge_names(s.gauge_names.begin(), s.gauge_names.end());
  for (const auto& x : s.samples) {
    t.push_back(x.t);
    rss.push_back(x.rss);
    hwm.push_back(x.hwm);
    anon.push_back(x.rss_anon);
    pss.push_back(x.pss);
    threads.push_back(x.threads);
    fds.push_back(x.fds);
    ut.push_back(x.utime);
    st.push_back(x.stime);
    for (const auto& [name, v] : x.gauges) gauge_names.insert(name);
  }
  json gauges = json::object();
  for (const auto& name : gauge_names) {
    json col = json::array();
    for (const auto& x : s.samples) {
      auto it = x.gauges.find(name);
      col.push_back(it == x.gauges.end() ? json(nullptr) : number_or_null(it->second));
    }
    gauges[name] = std::move(col);
  }
  return json{{"pid", s.pid},
              {"interval", s.interval},
              {"pss_interval", s.pss_interval},
              {"scrape_interval", s.scrape_interval},
              {"metrics_url", s.metrics_url},
              {"gauge_names", s.gauge_names},
              {"fds_readable", s.fds_readable},
              {"scrape_failures", s.scrape_failures},
              {"late_ticks", s.late_ticks},
              {"target_vanished", s.target_vanished},
              {"vanished_at", s.vanished_at},
              {"phases", phases_to_json(s.phases)},
              {"count", s.samples.size()},
              {"t", t},
              {"rss", rss},
              {"hwm", hwm},
              {"rss_anon", anon},
              {"pss", pss},
              {"threads", threads},
              {"fds", fds},
              {"utime", ut},
              {"stime", st},
              {"gauges", gauges}};
}

sampler::SampleSeries samples_from(const Node& n) {
  sampler::SampleSeries s;
  s.pid = static_cast<int>(n.at("pid").i64());
  s.interval = n.at("interval").number();
  s.pss_interval = n.at("pss_interval").number();
  s.scrape_interval = n.at("scrape_interval").number();
  s.metrics_url = n.at("metrics_url").str();
  const Node names = n.at("gauge_names");
  for (std::size_t i = 0, e = names.array_size(); i < e; ++i) s.gauge_names.push_back(names.element(i).str());
  s.fds_readable = n.at("fds_readable").boolean();
  s.scrape_failures = n.at("scrape_failures").u64();
  s.late_ticks = n.at("late_ticks").u64();
  s.target_vanished = n.at("target_vanished").boolean();
  s.vanished_at = n.at("vanished_at").number();
  s.phases = phases_from(n.at("phases"));
  const Node t = n.at("t");
  const std::size_t len = t.array_size();
  s.samples.resize(len);
  auto check_len = [&](const Node& col) {
    if (col.array_size() != len) {
      col.fail("has " + std::to_string(col.array_size()) + " entries, \"t\" has " + std::to_string(len));
    }
  };
  auto u64_column = [&](const char* name, std::uint64_t sampler::Sample::*field) {
    const Node col = n.at(name);
    check_len(col);
    for (std::size_t i = 0; i < len; ++i) s.samples[i].*field = col.element(i).u64();
  };
  auto double_column = [&](const char* name, double sampler::Sample::*field) {
    const Node col = n.at(name);
    check_len(col);
    for (std::size_t i = 0; i < len; ++i) s.samples[i].*field = col.element(i).number();
  };
  double_column("t", &sampler::Sample::t);
  u64_column("rss", &sampler::Sample::rss);
  u64_column("hwm", &sampler::Sample::hwm);
  u64_column("rss_anon", &sampler::Sample::rss_anon);
  u64_column("pss", &sampler::Sample::pss);
  u64_column("threads", &sampler::Sample::threads);
  u64_column("fds", &sampler::Sample::fds);
  double_column("utime", &sampler::Sample::utime);
  double_column("stime", &sampler::Sample::stime);
  const Node gauges = n.at("gauges");
  gauges.expect_object();
  for (const auto& [name, value] : gauges.json().items()) {
    const Node col = gauges.at(name);
    check_len(col);
    for (std::size_t i = 0; i < len; ++i) {
      const Node v = col.element(i);
      if (!v.is_null()) s.samples[i].gauges[name] = v.number();
    }
  }
  return s;
}

json target_to_json(const TargetInfo& t) {
  return json{{"url", t.url},
              {"mode", t.mode},
              {"command", t.command},
              {"pid", t.pid},
              {"log_path", t.log_path},
              {"exit_code", optional_json(t.exit_code)},
              {"exit_signal", optional_json(t.exit_signal)},
              {"samples", t.samples ? samples_to_json(*t.samples) : json(nullptr)}};
}

TargetInfo target_from(const Node& n) {
  TargetInfo t;
  t.url = n.at("url").str();
  t.mode = n.at("mode").str();
  t.command = n.at("command").str();
  t.pid = static_cast<int>(n.at("pid").i64());
  t.log_path = n.at("log_path").str();
  if (auto v = n.find("exit_code")) t.exit_code = static_cast<int>(v->i64());
  if (auto v = n.find("exit_signal")) t.exit_signal = static_cast<int>(v->i64());
  if (auto v = n.find("samples")) t.samples = samples_from(*v);
  return t;
}

json generator_to_json(const Generator& g) {
  json workers = json::array();
  for (const auto& w : g.workers) {
    json busy = json::array();
    for (double b : w.busy) busy.push_back(number_or_null(b));
    workers.push_back({{"t", w.t}, {"busy", busy}, {"lag_max", w.lag_max},
                       {"loop_lag", histogram_to_json(w.loop_lag, "us")}});
  }
  return json{{"samples", g.samples ? samples_to_json(*g.samples) : json(nullptr)},
              {"workers", workers},
              {"warnings", g.warnings}};
}

std::vector<double> numbers_from(const Node& n) {
  std::vector<double> out;
  for (std::size_t i = 0, e = n.array_size(); i < e; ++i) out.push_back(n.element(i).number_or_nan());
  return out;
}

Generator generator_from(const Node& n) {
  Generator g;
  if (auto v = n.find("samples")) g.samples = samples_from(*v);
  const Node workers = n.at("workers");
  for (std::size_t i = 0, e = workers.array_size(); i < e; ++i) {
    const Node w = workers.element(i);
    GeneratorWorker gw;
    gw.t = numbers_from(w.at("t"));
    gw.busy = numbers_from(w.at("busy"));
    gw.lag_max = numbers_from(w.at("lag_max"));
    if (gw.busy.size() != gw.t.size()) w.at("busy").fail("needs one value per entry of \"t\"");
    if (gw.lag_max.size() != gw.t.size()) w.at("lag_max").fail("needs one value per entry of \"t\"");
    gw.loop_lag = detail::histogram_from(w.at("loop_lag"));
    g.workers.push_back(std::move(gw));
  }
  if (auto v = n.find("warnings")) {
    for (std::size_t i = 0, e = v->array_size(); i < e; ++i) g.warnings.push_back(v->element(i).str());
  }
  return g;
}

json capacity_to_json(const CapacitySearch& c) {
  json stages = json::array();
  for (const auto& st : c.stages) {
    json j{{"offered", number_or_null(st.offered)},
           {"achieved", number_or_null(st.achieved)},
           {"seconds", number_or_null(st.seconds)},
           {"requests", st.requests},
           {"errors", st.errors},
           {"dropped", st.dropped},
           {"error_rate", number_or_null(st.error_rate)},
           {"drop_rate", number_or_null(st.drop_rate)},
           {"latency", {{"p50", number_or_null(st.p50)},
                        {"p90", number_or_null(st.p90)},
                        {"p99", number_or_null(st.p99)},
                        {"p999", number_or_null(st.p999)}}},
           {"passed", st.passed},
           {"broken", st.broken},
           {"detail", st.detail},
           {"stopped_early", st.stopped_early},
           {"generator_bound", st.generator_bound}};
    json target = json::object();
    if (st.target_cpu) target["cpu"] = number_or_null(*st.target_cpu);
    if (st.target_rss_peak) target["rss_peak"] = *st.target_rss_peak;
    if (st.target_threads_peak) target["threads_peak"] = *st.target_threads_peak;
    if (st.target_fds_peak) target["fds_peak"] = *st.target_fds_peak;
    j["target"] = target.empty() ? json(nullptr) : target;
    stages.push_back(std::move(j));
  }
  return json{{"objectives", c.objectives},
              {"capacity", number_or_null(c.capacity)},
              {"interval", {number_or_null(c.interval_low), number_or_null(c.interval_high)}},
              {"first_broken", c.first_broken},
              {"stop", c.stop},
              {"note", c.note},
              {"stages", stages}};
}

CapacitySearch capacity_from(const Node& n) {
  CapacitySearch c;
  const Node objectives = n.at("objectives");
  for (std::size_t i = 0, e = objectives.array_size(); i < e; ++i) c.objectives.push_back(objectives.element(i).str());
  c.capacity = n.at("capacity").number_or_nan();
  const Node interval = n.at("interval");
  if (interval.array_size() != 2) interval.fail("expected [low, high]");
  c.interval_low = interval.element(0).number_or_nan();
  c.interval_high = interval.element(1).number_or_nan();
  c.first_broken = n.at("first_broken").str();
  c.stop = n.at("stop").str();
  if (auto v = n.find("note")) c.note = v->str();
  const Node stages = n.at("stages");
  for (std::size_t i = 0, e = stages.array_size(); i < e; ++i) {
    const Node s = stages.element(i);
    CapacityStage st;
    st.offered = s.at("offered").number_or_nan();
    st.achieved = s.at("achieved").number_or_nan();
    st.seconds = s.at("seconds").number_or_nan();
    st.requests = s.at("requests").u64();
    st.errors = s.at("errors").u64();
    st.dropped = s.at("dropped").u64();
    st.error_rate = s.at("error_rate").number_or_nan();
    st.drop_rate = s.at("drop_rate").number_or_nan();
    const Node lat = s.at("latency");
    st.p50 = lat.at("p50").number_or_nan();
    st.p90 = lat.at("p90").number_or_nan();
    st.p99 = lat.at("p99").number_or_nan();
    st.p999 = lat.at("p999").number_or_nan();
    st.passed = s.at("passed").boolean();
    st.broken = s.at("broken").str();
    if (auto v = s.find("detail")) st.detail = v->str();
    st.stopped_early = s.at("stopped_early").boolean();
    st.generator_bound = s.at("generator_bound").boolean();
    if (auto t = s.find("target")) {
      if (auto v = t->find("cpu")) st.target_cpu = v->number();
      if (auto v = t->find("rss_peak")) st.target_rss_peak = v->u64();
      if (auto v = t->find("threads_peak")) st.target_threads_peak = v->u64();
      if (auto v = t->find("fds_peak")) st.target_fds_peak = v->u64();
    }
    c.stages.push_back(std::move(st));
  }
  return c;
}

Direction direction_from(const Node& n) {
  const std::string s = n.str();
  if (s == "lower") return Direction::kLowerIsBetter;
  if (s == "higher") return Direction::kHigherIsBetter;
  if (s == "none") return Direction::kNone;
  n.fail("expected \"lower\", \"higher\" or \"none\", got \"" + s + "\"");
}

RunState state_from(const Node& n) {
  const std::string s = n.str();
  if (s == "completed") return RunState::kCompleted;
  if (s == "target_died") return RunState::kTargetDied;
  if (s == "aborted") return RunState::kAborted;
  n.fail("expected \"completed\", \"target_died\" or \"aborted\", got \"" + s + "\"");
}

json histogram_encoding() {
  return json{{"kind", "log-linear"},
              {"sub_buckets", metrics::Histogram::kSubBuckets},
              {"max_value", metrics::Histogram::kMaxValue},
              {"bucket_count", metrics::Histogram::bucket_count()}};
}

// How much of a document a decoder takes. A full read needs every section
// and every field the writer writes. A summary read (summary_from_json) takes
// only metadata, status, analysis and thresholds, and an absent (or null)
// section or field as unknown: its default stands.
enum class Reading { kFull, kSummary };

// A member that a full read requires and a summary read may miss.
std::optional<Node> field(const Node& n, std::string_view key, Reading how) {
  if (how == Reading::kFull) return n.at(key);
  return n.find(key);
}

// A summary read takes a count no uint32 holds (1e30 in an edited file) as
// unknown, 0, as compare always has; a full read insists on an unsigned integer.
std::uint32_t cpu_count_from(const Node& n, Reading how) {
  if (how == Reading::kFull) return static_cast<std::uint32_t>(n.u64());
  const double count = n.number();
  return count >= 0 && count <= std::numeric_limits<std::uint32_t>::max() ? static_cast<std::uint32_t>(count) : 0;
}

Metadata metadata_from(const Node& md, Reading how) {
  Metadata m;
  auto text = [&](const char* key, std::string& out) {
    if (auto v = field(md, key, how)) out = v->str();
  };
  text("h2soak_version", m.h2soak_version);
  text("git_revision", m.git_revision);
  text("host", m.host);
  text("kernel", m.kernel);
  if (auto v = field(md, "cpu_count", how)) m.cpu_count = cpu_count_from(*v, how);
  text("cpu_model", m.cpu_model);
  // Every read needs the scenario's name; a summary is read to be judged
  // against the scenario's baseline, which it finds by that name.
  const Node name = md.at("scenario_name");
  m.scenario_name = name.str();
  if (how == Reading::kSummary && m.scenario_name.empty()) name.fail("must not be empty");
  text("scenario_hash", m.scenario_hash);
  text("scenario_path", m.scenario_path);
  if (auto v = field(md, "start_unix", how)) m.start_unix = v->number();
  if (auto v = field(md, "duration", how)) m.duration = v->number();
  if (auto cmd = field(md, "command_line", how)) {
    for (std::size_t i = 0, e = cmd->array_size(); i < e; ++i) m.command_line.push_back(cmd->element(i).str());
  }
  if (auto extra = md.find("extra")) m.extra = string_map_from(*extra);
  return m;
}

RunStatus status_from(const Node& st, Reading how) {
  RunStatus s;  // completed, unless it says otherwise
  if (auto v = field(st, "state", how)) s.state = state_from(*v);
  if (auto v = field(st, "reason", how)) s.reason = v->str();
  return s;
}

std::map<std::string, AnalysisMetric> analysis_from(const Node& an, Reading how) {
  an.expect_object();
  std::map<std::string, AnalysisMetric> out;
  for (const auto& [name, value] : an.json().items()) {
    const Node a = an.at(name);
    // What the file does not state stays unstated (run_result.h).
    AnalysisMetric am{.direction = std::nullopt, .leak = std::nullopt};
    auto v = field(a, "value", how);
    am.value = v ? v->number_or_nan() : std::numeric_limits<double>::quiet_NaN();  // absent: no data, as null
    if (auto u = field(a, "unit", how)) am.unit = u->str();
    if (auto d = field(a, "direction", how)) am.direction = direction_from(*d);
    if (auto c = a.find("ci_low")) am.ci_low = c->number();
    if (auto c = a.find("ci_high")) am.ci_high = c->number();
    if (auto l = a.find("leak")) am.leak = l->boolean();
    if (auto n = a.find("note")) am.note = n->str();
    out.emplace(name, std::move(am));
  }
  return out;
}

// The sections only a full read takes: phases, histogram encoding, workloads,
// target, modulation, generator, capacity and verdict.
void full_sections_from(const Node& root, RunResult& r) {
  r.phases = phases_from(root.at("phases"));

  const Node enc = root.at("histogram_encoding");
  if (enc.json() != histogram_encoding()) {
    enc.fail("histograms were written with a different bucket layout (" + enc.json().dump() +
             "); this h2soak uses " + histogram_encoding().dump());
  }

  const Node wls = root.at("workloads");
  for (std::size_t i = 0, e = wls.array_size(); i < e; ++i) {
    const Node w = wls.element(i);
    WorkloadResult wr;
    wr.name = w.at("name").str();
    wr.kind = w.at("kind").str();
    if (auto p = w.find("params")) wr.params = string_map_from(*p);
    const Node phases = w.at("phases");
    for (std::size_t k = 0, pe = phases.array_size(); k < pe; ++k) {
      const Node p = phases.element(k);
      wr.phases.push_back({p.at("phase").str(), detail::workload_metrics_from(p)});
    }
    r.workloads.push_back(std::move(wr));
  }

  r.target = target_from(root.at("target"));

  if (auto mo = root.find("modulation")) {
    Modulation mod;
    mod.start = mo->at("start").number();
    mod.slot = mo->at("slot").number();
    const std::uint64_t slots = mo->at("slots").u64();
    // A schedule of more than a million slots is not one a run wrote (a
    // week of steady in 1 s slots is 604,800): refuse it before anything
    // loops over it.
    if (slots == 0 || slots > 1'000'000) mo->at("slots").fail("must be 1 .. 1000000");
    mod.slots = static_cast<std::uint32_t>(slots);
    const Node patterns = mo->at("patterns");
    patterns.expect_object();
    for (const auto& [name, value] : patterns.json().items()) {
      mod.patterns[name] = patterns.at(name).str();
      if (mod.patterns[name].size() != mod.slots) patterns.at(name).fail("needs one '+' or '-' per slot");
    }
    if (!(mod.slot > 0) || !std::isfinite(mod.slot)) mo->at("slot").fail("must be a finite number greater than 0");
    if (!std::isfinite(mod.start)) mo->at("start").fail("must be a finite number");
    r.modulation = std::move(mod);
  }

  if (auto ge = root.find("generator")) r.generator = generator_from(*ge);
  if (auto ca = root.find("capacity")) r.capacity = capacity_from(*ca);

  if (auto vd = root.find("verdict")) {
    for (std::size_t i = 0, e = vd->array_size(); i < e; ++i) {
      const Node v = vd->element(i);
      VerdictRow row;
      row.metric = v.at("metric").str();
      if (auto b = v.find("baseline")) row.baseline = b->number();
      row.current = v.at("current").number_or_nan();
      if (auto c = v.find("change")) row.change = c->number();
      row.limit = v.at("limit").str();
      row.outcome = v.at("outcome").str();
      if (auto u = v.find("unit")) row.unit = u->str();
      r.verdict.push_back(std::move(row));
    }
  }
}

RunResult decode(const Node& root, Reading how) {
  RunResult r;
  r.metadata = metadata_from(root.at("metadata"), how);
  if (auto st = field(root, "status", how)) r.status = status_from(*st, how);
  if (auto an = field(root, "analysis", how)) r.analysis = analysis_from(*an, how);
  r.thresholds = detail::thresholds_from(root);
  if (how == Reading::kFull) full_sections_from(root, r);
  return r;
}

Result<RunResult> decode_document(const json& j, const std::string& source, Reading how) {
  if (!j.is_object()) return Error("not an h2soak result: the document is not a JSON object", source);
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string()) {
    return Error("not an h2soak result: no \"schema\" string (expected \"" + std::string(kSchema) + "\")",
                 source);
  }
  const std::string& name = schema->get_ref<const std::string&>();
  if (name.rfind("h2soak.baseline/", 0) == 0) return Error("this is a baseline, not a result file", source);
  if (name != kSchema) {
    return Error("unsupported schema \"" + name + "\": this h2soak reads \"" + kSchema + "\"", source);
  }
  try {
    return decode(Node(j, ""), how);
  } catch (const DecodeError& e) {
    return Error((e.path.empty() ? "/" : e.path) + ": " + e.message, source);
  }
}

}  // namespace

json to_json(const RunResult& r) {
  const Metadata& m = r.metadata;
  json workloads = json::array();
  for (const auto& w : r.workloads) {
    json phases = json::array();
    for (const auto& p : w.phases) {
      json pj = workload_metrics_to_json(p.metrics);
      pj["phase"] = p.phase;
      phases.push_back(std::move(pj));
    }
    workloads.push_back({{"name", w.name}, {"kind", w.kind}, {"params", string_map(w.params)}, {"phases", phases}});
  }
  json analysis = json::object();
  for (const auto& [name, a] : r.analysis) {
    json& entry = analysis[name];
    entry = {{"value", number_or_null(a.value)},
             {"unit", a.unit},
             {"ci_low", a.ci_low ? number_or_null(*a.ci_low) : json(nullptr)},
             {"ci_high", a.ci_high ? number_or_null(*a.ci_high) : json(nullptr)},
             {"note", a.note}};
    // A run states both; a file that did not is written as it was read.
    if (a.direction) entry["direction"] = to_string(*a.direction);
    if (a.leak) entry["leak"] = *a.leak;
  }
  json verdict = json::array();
  for (const auto& v : r.verdict) {
    verdict.push_back({{"metric", v.metric},
                       {"baseline", v.baseline ? number_or_null(*v.baseline) : json(nullptr)},
                       {"current", number_or_null(v.current)},
                       {"change", v.change ? number_or_null(*v.change) : json(nullptr)},
                       {"limit", v.limit},
                       {"outcome", v.outcome},
                       {"unit", v.unit}});
  }
  json out{
      {"schema", kSchema},
      {"metadata",
       {{"h2soak_version", m.h2soak_version},
        {"git_revision", m.git_revision},
        {"host", m.host},
        {"kernel", m.kernel},
        {"cpu_count", m.cpu_count},
        {"cpu_model", m.cpu_model},
        {"scenario_name", m.scenario_name},
        {"scenario_hash", m.scenario_hash},
        {"scenario_path", m.scenario_path},
        {"start_time", iso_time(m.start_unix)},
        {"start_unix", m.start_unix},
        {"duration", m.duration},
        {"command_line", m.command_line},
        {"extra", string_map(m.extra)}}},
      {"status", {{"state", to_string(r.status.state)}, {"reason", r.status.reason}}},
      {"phases", phases_to_json(r.phases)},
      {"histogram_encoding", histogram_encoding()},
      {"workloads", workloads},
      {"target", target_to_json(r.target)},
      {"analysis", analysis},
      {"verdict", verdict},
  };
  detail::write_thresholds(r.thresholds, out);
  if (r.modulation) {
    out["modulation"] = {{"start", r.modulation->start},
                         {"slot", r.modulation->slot},
                         {"slots", r.modulation->slots},
                         {"patterns", string_map(r.modulation->patterns)}};
  }
  if (r.generator) out["generator"] = generator_to_json(*r.generator);
  if (r.capacity) out["capacity"] = capacity_to_json(*r.capacity);
  return out;
}

Result<RunResult> from_json(const json& j, const std::string& source) {
  return decode_document(j, source, Reading::kFull);
}

Result<RunResult> summary_from_json(const json& j, const std::string& source) {
  return decode_document(j, source, Reading::kSummary);
}

Result<RunResult> parse_result(std::string_view text, const std::string& source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions for the position; only on the error path.
    // Not only parse_error: a number too large for a double ("1e400") is an
    // out_of_range error.
    try {
      const json ignored = json::parse(text);
      (void)ignored;
    } catch (const json::exception& e) {
      std::string what = e.what();
      const auto pos = what.find("] ");
      return Error("invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)), source);
    }
    return Error("invalid JSON", source);
  }
  return from_json(j, source);
}

Status write_result(const RunResult& r, const std::string& path) {
  std::string text;
  try {
    text = to_json(r).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const json::exception& e) {
    return Error(std::string("cannot serialize the result: ") + e.what(), path);
  }
  text += '\n';
  return write_file_atomically(path, text, /*overwrite=*/true);
}

Result<RunResult> read_result(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_result(*text, path);
}

Result<metrics::Histogram> histogram_from_json(const json& j, const std::string& source,
                                               const std::string& path) {
  try {
    return detail::histogram_from(Node(j, path));
  } catch (const DecodeError& e) {
    return Error((e.path.empty() ? "/" : e.path) + ": " + e.message, source);
  }
}

Result<metrics::WorkloadMetrics> workload_metrics_from_json(const json& j, const std::string& source,
                                                            const std::string& path) {
  try {
    return detail::workload_metrics_from(Node(j, path));
  } catch (const DecodeError& e) {
    return Error((e.path.empty() ? "/" : e.path) + ": " + e.message, source);
  }
}

}  // namespace h2soak::result
