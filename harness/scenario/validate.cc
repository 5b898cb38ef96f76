// Semantic checks of a decoded Scenario: one place for every "impossible
// value" rule, whether the scenario came from a file (positions known) or
// was built or changed in code (positions from the structs).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "harness/scenario/decode.h"
#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace detail {
namespace {

class Checker {
 public:
  Checker(const Scenario& s, const PositionTable* positions) : s_(s), positions_(positions) {}

  // An error located at the value recorded under `path`, else at `fallback`,
  // else at the scenario's file.
  Error at(const std::string& path, const SourcePos& fallback, const std::string& msg) const {
    if (positions_) {
      auto it = positions_->find(path);
      if (it != positions_->end() && it->second.line > 0) return Error(msg, it->second.str());
    }
    if (fallback.line > 0) return Error(msg, fallback.str());
    return Error(msg, s_.source_file.empty() ? std::string("<scenario>") : s_.source_file);
  }
  Error at(const std::string& path, const std::string& msg) const { return at(path, SourcePos{}, msg); }

 private:
  const Scenario& s_;
  const PositionTable* positions_;
};

bool is_http_url(const std::string& url) {
  auto rest = [&](std::string_view scheme) -> bool {
    return url.rfind(scheme, 0) == 0 && url.size() > scheme.size() && url[scheme.size()] != '/';
  };
  return rest("http://") || rest("https://");
}

std::string ns_text(Nanos d) { return units::format_duration(d); }

Status check_path(const Checker& c, const std::string& key_path, const SourcePos& fallback,
                  const std::string& key, const std::string& value) {
  if (value.empty() || value[0] != '/') return c.at(key_path, fallback, key + ": a path starts with '/', got '" + value + "'");
  return {};
}

Status check_target(const Checker& c, const Target& t) {
  if (!is_http_url(t.url)) {
    return c.at("target.url", t.pos, "url: expected http://HOST:PORT or https://HOST:PORT, got '" + t.url + "'");
  }
  bool spawned = std::holds_alternative<SpawnReference>(t.process) || std::holds_alternative<SpawnCommand>(t.process);
  bool placeholder = t.url.find(kPortPlaceholder) != std::string::npos ||
                     t.ready_url.find(kPortPlaceholder) != std::string::npos;
  if (placeholder && !spawned) {
    return c.at("target.url", t.pos, "url: {port} is learnt from a spawned target's stdout; an attached target needs its port written out");
  }
  if (const auto* p = std::get_if<AttachPid>(&t.process); p && p->pid <= 0) {
    return c.at("target.pid", t.pos, "pid: must be at least 1");
  }
  if (const auto* p = std::get_if<AttachPidfile>(&t.process); p && p->path.empty()) {
    return c.at("target.pidfile", t.pos, "pidfile: must not be empty");
  }
  if (const auto* p = std::get_if<SpawnCommand>(&t.process); p && p->argv.empty()) {
    return c.at("target.spawn", t.pos, "spawn: the command is empty");
  }
  if (t.ready_url.empty() || (t.ready_url[0] != '/' && !is_http_url(t.ready_url))) {
    return c.at("target.ready.url", t.pos, "ready.url: expected a path starting with '/' or an http(s) URL, got '" + t.ready_url + "'");
  }
  if (t.ready_timeout.count() <= 0) return c.at("target.ready.timeout", t.pos, "ready.timeout: must be greater than 0");
  if (t.stop_grace.count() < 0) return c.at("target.stop_grace", t.pos, "stop_grace: must not be negative");
  return {};
}

Status check_phases(const Checker& c, const Scenario& s) {
  const std::vector<std::string> fixed{kWarmup, kSteady, kCooldown};
  std::set<std::string> seen;
  for (const auto& p : s.phases) {
    if (!seen.insert(p.name).second) return c.at("phases." + p.name, p.pos, "phase '" + p.name + "' appears twice");
  }
  for (const auto& name : fixed) {
    if (!s.phase(name)) return c.at("phases", "phases: missing required phase '" + name + "' (warmup, steady and cooldown are required)");
  }
  auto index = [&](const std::string& name) {
    for (std::size_t i = 0; i < s.phases.size(); ++i) {
      if (s.phases[i].name == name) return i;
    }
    return s.phases.size();
  };
  std::size_t w = index(kWarmup), st = index(kSteady), cd = index(kCooldown);
  if (st < w) return c.at("phases.steady", s.phases[st].pos, "phase 'steady' must come after 'warmup'");
  if (cd < st) return c.at("phases.cooldown", s.phases[cd].pos, "phase 'cooldown' must come after 'steady'");
  if (cd + 1 != s.phases.size()) {
    const Phase& after = s.phases[cd + 1];
    return c.at("phases." + after.name, after.pos,
                "phase '" + after.name + "' comes after 'cooldown'; cooldown must be the last phase (residuals are read at its end)");
  }
  for (const auto& p : s.phases) {
    const std::string path = "phases." + p.name + ".duration";
    if (p.duration.count() < 0) return c.at(path, p.pos, p.name + ": must not be negative");
    bool is_fixed = std::find(fixed.begin(), fixed.end(), p.name) != fixed.end();
    if (p.duration.count() == 0 && (p.name == kSteady || !is_fixed)) {
      return c.at(path, p.pos, p.name + ": must be greater than 0");
    }
    if (p.name == kCooldown && p.load) return c.at("phases.cooldown", p.pos, "phase 'cooldown' never carries load");
    if ((p.name == kWarmup || p.name == kSteady) && !p.load) {
      return c.at("phases." + p.name, p.pos, "phase '" + p.name + "' always carries load");
    }
  }
  const Phase* steady = s.phase(kSteady);
  if (steady->duration < 10 * s.sample.interval) {
    return c.at("phases.steady.duration", steady->pos,
                "steady (" + ns_text(steady->duration) + ") is shorter than 10 sample intervals (10 × " +
                    ns_text(s.sample.interval) + " = " + ns_text(10 * s.sample.interval) +
                    "); a slope needs more samples");
  }
  return {};
}

Status check_sample(const Checker& c, const Sample& s) {
  if (s.interval < std::chrono::milliseconds(1)) return c.at("sample.interval", "interval: must be at least 1ms");
  if (s.pss_interval < s.interval) {
    return c.at("sample.pss_interval", "pss_interval (" + ns_text(s.pss_interval) + ") must not be shorter than interval (" +
                                           ns_text(s.interval) + ")");
  }
  if (!s.gauges.empty() && s.metrics_url.empty()) {
    return c.at("sample.gauges", "gauges: needs metrics_url (the Prometheus endpoint to scrape, e.g. /metrics)");
  }
  if (!s.metrics_url.empty() && s.metrics_url[0] != '/' && !is_http_url(s.metrics_url)) {
    return c.at("sample.metrics_url", "metrics_url: expected a path starting with '/' or an http(s) URL, got '" + s.metrics_url + "'");
  }
  for (const auto& g : s.gauges) {
    bool valid = !g.empty() && !std::isdigit(static_cast<unsigned char>(g[0]));
    for (char ch : g) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == ':');
    if (!valid) return c.at("sample.gauges", "gauges: '" + g + "' is not a Prometheus metric name");
  }
  return {};
}

Status at_least_one(const Checker& c, const std::string& p, const SourcePos& fb, const char* key, std::uint64_t v) {
  if (v == 0) return c.at(p + "." + key, fb, std::string(key) + ": must be at least 1");
  return {};
}

Status check_attribution(const Checker& c, const Scenario& s) {
  const Attribution& a = s.attribution;
  if (!a.enabled) return {};
  const auto slot_s = std::chrono::duration_cast<std::chrono::seconds>(a.slot);
  if (a.slot.count() != 0 && (slot_s != a.slot || slot_s.count() < 1)) {
    return c.at("attribution.slot", a.pos, "slot: a whole number of seconds, at least 1s (the event counts are per second)");
  }
  const AttributionLayout layout = attribution_layout(s);
  if (layout.modulated == 0) {
    return c.at("attribution", a.pos, "attribution: no workload to switch on and off (idle workloads are never modulated)");
  }
  if (layout.slots == 0) {
    const std::uint32_t need = attribution_min_slots(layout.modulated);
    const auto slot = std::chrono::duration_cast<std::chrono::seconds>(layout.slot).count();
    return c.at("attribution", a.pos,
                "attribution: " + std::to_string(layout.modulated) + " modulated workloads need " + std::to_string(need) +
                    " slots of " + std::to_string(slot) + "s, so steady must last at least " + std::to_string(need * slot) +
                    "s");
  }
  return {};
}

#define H2SOAK_CHECK(expr)        \
  do {                            \
    if (auto st_ = (expr); !st_)  \
      return st_;                 \
  } while (0)

Status check_workload(const Checker& c, const Workload& w, std::size_t i) {
  const std::string p = "workloads." + std::to_string(i);
  const SourcePos& fb = w.pos;
  auto field = [&](const char* key) { return p + "." + key; };
  if (const auto* t = std::get_if<TabsWorkload>(&w.params)) {
    H2SOAK_CHECK(at_least_one(c, p, fb, "users", t->users));
    H2SOAK_CHECK(at_least_one(c, p, fb, "tabs_per_user", t->tabs_per_user));
    H2SOAK_CHECK(at_least_one(c, p, fb, "connections_per_user", t->connections_per_user));
    if (t->connections_per_user > t->tabs_per_user) {
      return c.at(field("connections_per_user"), fb,
                  "connections_per_user (" + std::to_string(t->connections_per_user) + ") exceeds tabs_per_user (" +
                      std::to_string(t->tabs_per_user) + ")");
    }
    if (t->pages.empty()) return c.at(field("pages"), fb, "pages: no pages");
    for (const auto& page : t->pages) H2SOAK_CHECK(check_path(c, field("pages"), fb, "pages", page));
    if (t->assets == AssetMode::kList && t->asset_paths.empty()) return c.at(field("assets"), fb, "assets: the list is empty");
    for (const auto& a : t->asset_paths) H2SOAK_CHECK(check_path(c, field("assets"), fb, "assets", a));
    H2SOAK_CHECK(check_path(c, field("sse_path"), fb, "sse_path", t->sse_path));
    H2SOAK_CHECK(check_path(c, field("login_path"), fb, "login_path", t->login_path));
    if (t->think.min > t->think.max) return c.at(field("think"), fb, "think: min > max");
    if (t->lifetime) {
      if (t->lifetime->min.count() <= 0) return c.at(field("lifetime"), fb, "lifetime: must be greater than 0");
      if (t->lifetime->min > t->lifetime->max) return c.at(field("lifetime"), fb, "lifetime: min > max");
    }
  } else if (const auto* s = std::get_if<SseWorkload>(&w.params)) {
    H2SOAK_CHECK(at_least_one(c, p, fb, "streams", s->streams));
    H2SOAK_CHECK(at_least_one(c, p, fb, "streams_per_connection", s->streams_per_connection));
    if (s->hold.min.count() <= 0) return c.at(field("hold"), fb, "hold: must be greater than 0");
    if (s->hold.min > s->hold.max) return c.at(field("hold"), fb, "hold: min > max");
    H2SOAK_CHECK(check_path(c, field("path"), fb, "path", s->path));
  } else if (const auto* u = std::get_if<UploadWorkload>(&w.params)) {
    if (u->rate && u->concurrency) return c.at(field("concurrency"), fb, "'rate' and 'concurrency' are exclusive");
    if (!u->rate && !u->concurrency) return c.at(p, fb, "upload: needs 'rate' or 'concurrency'");
    if (u->rate && !(*u->rate > 0)) return c.at(field("rate"), fb, "rate: must be greater than 0");
    if (u->concurrency) H2SOAK_CHECK(at_least_one(c, p, fb, "concurrency", *u->concurrency));
    H2SOAK_CHECK(at_least_one(c, p, fb, "max_in_flight", u->max_in_flight));
    H2SOAK_CHECK(at_least_one(c, p, fb, "connections", u->connections));
    if (u->size.min > u->size.max) return c.at(field("size"), fb, "size: min > max");
    if (u->size.max == 0) return c.at(field("size"), fb, "size: must be greater than 0");
    if (u->distribution == SizeDistribution::kLogNormal && u->size.min == 0) {
      return c.at(field("size"), fb, "size: a lognormal distribution needs a lower bound above 0");
    }
    if (u->method != "POST" && u->method != "PUT") return c.at(field("method"), fb, "method: POST or PUT");
    H2SOAK_CHECK(check_path(c, field("path"), fb, "path", u->path));
  } else if (const auto* sc = std::get_if<ShortConnectionsWorkload>(&w.params)) {
    if (!(sc->rate > 0)) return c.at(field("rate"), fb, "rate: must be greater than 0");
    H2SOAK_CHECK(at_least_one(c, p, fb, "requests_per_connection", sc->requests_per_connection));
    H2SOAK_CHECK(at_least_one(c, p, fb, "max_in_flight", sc->max_in_flight));
    H2SOAK_CHECK(check_path(c, field("path"), fb, "path", sc->path));
  } else if (const auto* id = std::get_if<IdleWorkload>(&w.params)) {
    H2SOAK_CHECK(at_least_one(c, p, fb, "connections", id->connections));
    if (id->hold && id->hold->count() <= 0) return c.at(field("hold"), fb, "hold: must be greater than 0");
    if (id->no_tls_handshake < 0 || id->no_tls_handshake > 1) {
      return c.at(field("no_tls_handshake"), fb, "no_tls_handshake: a fraction between 0 and 1");
    }
    if (id->no_request < 0 || id->no_request > 1) return c.at(field("no_request"), fb, "no_request: a fraction between 0 and 1");
    if (id->no_tls_handshake + id->no_request > 1 + 1e-9) {
      return c.at(field("no_request"), fb, "no_tls_handshake + no_request exceeds 1");
    }
    H2SOAK_CHECK(check_path(c, field("path"), fb, "path", id->path));
  } else if (const auto* b = std::get_if<BenchWorkload>(&w.params)) {
    H2SOAK_CHECK(at_least_one(c, p, fb, "clients", b->clients));
    H2SOAK_CHECK(at_least_one(c, p, fb, "max_streams", b->max_streams));
    if (b->requests && b->duration) return c.at(field("duration"), fb, "'requests' and 'duration' are exclusive");
    if (b->requests && *b->requests < b->clients) {
      return c.at(field("requests"), fb,
                  "requests (" + std::to_string(*b->requests) + ") is fewer than clients (" + std::to_string(b->clients) + ")");
    }
    if (b->duration && b->duration->count() <= 0) return c.at(field("duration"), fb, "duration: must be greater than 0");
    if (b->rate && !(*b->rate > 0)) return c.at(field("rate"), fb, "rate: must be greater than 0");
    if (b->paths.empty()) return c.at(field("paths"), fb, "paths: no paths");
    for (const auto& path : b->paths) H2SOAK_CHECK(check_path(c, field("paths"), fb, "paths", path));
  }
  return {};
}

}  // namespace

Status validate(const Scenario& s, const PositionTable* positions) {
  Checker c(s, positions);
  if (s.name.empty()) return c.at("name", "name: must not be empty");
  for (char ch : s.name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.') {
      return c.at("name", "name: letters, digits, '_', '-' and '.' only, got '" + s.name + "'");
    }
  }
  H2SOAK_CHECK(check_target(c, s.target));
  H2SOAK_CHECK(check_sample(c, s.sample));
  H2SOAK_CHECK(check_phases(c, s));
  if (s.workloads.empty()) return c.at("workloads", "workloads: at least one workload is needed");
  std::set<std::string> names;
  for (std::size_t i = 0; i < s.workloads.size(); ++i) {
    const Workload& w = s.workloads[i];
    const std::string p = "workloads." + std::to_string(i);
    bool valid = !w.name.empty();
    for (char ch : w.name) {
      valid = valid && (std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-');
    }
    if (!valid) return c.at(p + ".name", w.pos, "name: lowercase letters, digits, '_' and '-' only, got '" + w.name + "'");
    if (!names.insert(w.name).second) {
      return c.at(p + ".name", w.pos, "two workloads are named '" + w.name + "' (give each a distinct 'name')");
    }
    H2SOAK_CHECK(check_workload(c, w, i));
  }
  H2SOAK_CHECK(check_attribution(c, s));
  for (const auto& r : s.regression.rules) {
    const std::string p = "regression.rules." + r.metric;
    if (r.tolerance < 0) return c.at(p + ".tolerance", r.pos, "tolerance: must not be negative");
    if (r.floor.value < 0) return c.at(p + ".floor", r.pos, "floor: must not be negative");
  }
  return {};
}

#undef H2SOAK_CHECK

}  // namespace detail

Status validate_scenario(const Scenario& scenario) { return detail::validate(scenario, nullptr); }

}  // namespace h2soak::scenario
