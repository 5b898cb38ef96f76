// The scenario hash: SHA-256 over a canonical text of what a scenario
// measures (loader.h, canonical_form(), says what is in and out and why).
#include <openssl/evp.h>

#include <cstdio>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace {

class Canon {
 public:
  void line(const std::string& key, const std::string& value) { out_ += key + "=" + value + "\n"; }
  void num(const std::string& key, std::uint64_t v) { line(key, std::to_string(v)); }
  void real(const std::string& key, double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    line(key, buf);
  }
  void dur(const std::string& key, Nanos d) { line(key, std::to_string(d.count())); }
  void dur_range(const std::string& key, const DurationRange& r) {
    line(key, std::to_string(r.min.count()) + ".." + std::to_string(r.max.count()));
  }
  void flag(const std::string& key, bool b) { line(key, b ? "1" : "0"); }
  void list(const std::string& key, const std::vector<std::string>& v) {
    line(key + ".count", std::to_string(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) line(key + "." + std::to_string(i), v[i]);
  }
  template <typename T, typename F>
  void opt(const std::string& key, const std::optional<T>& v, F write) {
    if (v) write(key, *v);
    else line(key, "-");
  }
  std::string str() && { return std::move(out_); }

 private:
  std::string out_;
};

void canon_workload(Canon& c, const Workload& w) {
  const std::string p = "workload." + w.name + ".";
  c.line(p + "kind", to_string(w.kind()));
  if (const auto* t = std::get_if<TabsWorkload>(&w.params)) {
    c.num(p + "users", t->users);
    c.num(p + "tabs_per_user", t->tabs_per_user);
    c.num(p + "connections_per_user", t->connections_per_user);
    c.list(p + "pages", t->pages);
    c.line(p + "assets", t->assets == AssetMode::kParse ? "parse" : t->assets == AssetMode::kList ? "list" : "none");
    c.list(p + "asset_paths", t->asset_paths);
    c.flag(p + "sse", t->sse);
    c.line(p + "sse_path", t->sse_path);
    c.dur_range(p + "think", t->think);
    c.opt(p + "lifetime", t->lifetime, [&](const std::string& k, const DurationRange& r) { c.dur_range(k, r); });
    c.flag(p + "session", t->session);
    c.line(p + "login_path", t->login_path);
  } else if (const auto* s = std::get_if<SseWorkload>(&w.params)) {
    c.num(p + "streams", s->streams);
    c.num(p + "streams_per_connection", s->streams_per_connection);
    c.dur_range(p + "hold", s->hold);
    c.line(p + "leave", to_string(s->leave));
    c.line(p + "path", s->path);
  } else if (const auto* u = std::get_if<UploadWorkload>(&w.params)) {
    c.opt(p + "rate", u->rate, [&](const std::string& k, double v) { c.real(k, v); });
    c.opt(p + "concurrency", u->concurrency, [&](const std::string& k, std::uint32_t v) { c.num(k, v); });
    c.num(p + "max_in_flight", u->max_in_flight);
    c.num(p + "connections", u->connections);
    c.line(p + "size", std::to_string(u->size.min) + ".." + std::to_string(u->size.max));
    c.line(p + "distribution", to_string(u->distribution));
    c.line(p + "path", u->path);
    c.line(p + "method", u->method);
    c.flag(p + "verify", u->verify);
  } else if (const auto* sc = std::get_if<ShortConnectionsWorkload>(&w.params)) {
    c.real(p + "rate", sc->rate);
    c.line(p + "protocol", to_string(sc->protocol));
    c.num(p + "requests_per_connection", sc->requests_per_connection);
    c.num(p + "max_in_flight", sc->max_in_flight);
    c.line(p + "path", sc->path);
    // Only when on, so that the hashes of scenarios without it stay as they were.
    if (sc->tls_resume) c.flag(p + "tls_resume", true);
  } else if (const auto* id = std::get_if<IdleWorkload>(&w.params)) {
    c.num(p + "connections", id->connections);
    c.opt(p + "hold", id->hold, [&](const std::string& k, Nanos d) { c.dur(k, d); });
    c.real(p + "no_tls_handshake", id->no_tls_handshake);
    c.real(p + "no_request", id->no_request);
    c.line(p + "path", id->path);
  } else if (const auto* b = std::get_if<BenchWorkload>(&w.params)) {
    c.num(p + "clients", b->clients);
    c.num(p + "max_streams", b->max_streams);
    c.opt(p + "requests", b->requests, [&](const std::string& k, std::uint64_t v) { c.num(k, v); });
    c.opt(p + "duration", b->duration, [&](const std::string& k, Nanos d) { c.dur(k, d); });
    c.opt(p + "rate", b->rate, [&](const std::string& k, double v) { c.real(k, v); });
    c.list(p + "paths", b->paths);
    c.line(p + "method", b->method);
    c.num(p + "body_size", b->body_size);
    c.list(p + "headers", b->headers);
    c.flag(p + "h1", b->h1);
  }
}

}  // namespace

std::string canonical_form(const Scenario& s) {
  Canon c;
  c.line("schema", "h2soak.scenario/v1");
  c.line("name", s.name);
  for (const auto& p : s.phases) {
    c.dur("phase." + p.name + ".duration", p.duration);
    c.flag("phase." + p.name + ".load", p.load);
  }
  c.dur("sample.interval", s.sample.interval);
  for (const auto& w : s.workloads) canon_workload(c, w);
  // Only when on, so that the hashes of scenarios without it stay as they were.
  if (s.attribution.enabled) c.dur("attribution.slot", attribution_layout(s).slot);
  return std::move(c).str();
}

std::string text_hash(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string scenario_hash(const Scenario& s) { return text_hash(canonical_form(s)); }

}  // namespace h2soak::scenario
