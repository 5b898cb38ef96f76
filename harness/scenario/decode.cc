// YAML → Scenario / Suite. This file is the parse boundary: yaml-cpp throws,
// and the decoder itself stops at the first error by throwing a private
// DecodeFailure; decode() catches both and returns an Error value, so nothing
// escapes this file as an exception.
#include "harness/scenario/decode.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "harness/scenario/loader.h"
#include "harness/util/units.h"

namespace h2soak::scenario::detail {
namespace {

struct DecodeFailure {
  Error error;
};

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "?";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

class Decoder {
 public:
  Decoder(const SubstitutedText& text, std::string file) : text_(text), file_(std::move(file)) {}

  SourcePos pos(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_, 0, 0};
    auto [line, col] = text_.to_original(m.line, m.column);
    return {file_, line, col};
  }
  SourcePos pos(const YAML::Mark& m) const {
    auto [line, col] = text_.to_original(m.line, m.column);
    return {file_, line, col};
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const { fail_at(pos(n), msg); }
  [[noreturn]] void fail_at(const SourcePos& p, const std::string& msg) const {
    throw DecodeFailure{Error(msg, p.line > 0 ? p.str() : file_)};
  }
  void record(const std::string& path, const YAML::Node& n) { positions[path] = pos(n); }

  const std::string& file() const { return file_; }
  PositionTable positions;

 private:
  const SubstitutedText& text_;
  std::string file_;
};

// A mapping whose keys are checked once, up front: every key a scalar, no
// duplicates, and (unless `allowed` is empty) only the allowed keys, with a
// "did you mean" for a near miss.
class Map {
 public:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  Map(Decoder& d, const YAML::Node& node, std::string path, const std::string& what,
      const std::vector<std::string>& allowed)
      : d_(d), node_(node), path_(std::move(path)), what_(what) {
    if (!node.IsMap()) d.fail(node, what + ": expected a mapping, got " + describe(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) d.fail(it->first, what + ": keys must be plain names");
      std::string key = it->first.Scalar();
      for (const auto& e : entries_) {
        if (e.key == key) {
          d.fail(it->first, "duplicate key '" + key + "' (first at line " + std::to_string(d.pos(e.key_node).line) + ")");
        }
      }
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        if (auto m = closest_match(key, allowed)) {
          d.fail(it->first, "unknown key '" + key + "'; did you mean '" + *m + "'?");
        }
        d.fail(it->first, "unknown key '" + key + "' in " + what + " (valid keys: " + join(allowed) + ")");
      }
      // No key takes an empty value; an empty value's position is the next
      // line, so point at the key.
      if (it->second.IsNull()) d.fail(it->first, key + ": expected a value, got nothing");
      entries_.push_back({key, it->first, it->second});
      d.record(child_path(key), it->second);
    }
  }

  const YAML::Node* find(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }
  const Entry* entry(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
  const YAML::Node& require(const std::string& key) const {
    const YAML::Node* v = find(key);
    if (!v) d_.fail(node_, "missing required key '" + key + "' in " + what_);
    return *v;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  const YAML::Node& node() const { return node_; }
  std::string child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  Decoder& d_;
  YAML::Node node_;
  std::string path_;
  std::string what_;
  std::vector<Entry> entries_;
};

// ---- scalars -------------------------------------------------------------

std::string str(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a string, got " + describe(n));
  return n.Scalar();
}

std::string nonempty(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::string s = str(d, n, key);
  if (s.empty()) d.fail(n, key + ": must not be empty");
  return s;
}

bool boolean(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  d.fail(n, key + ": expected true or false, got " + (n.IsScalar() ? "'" + s + "'" : describe(n)));
}

void not_negative(Decoder& d, const YAML::Node& n, const std::string& key, const std::string& s) {
  std::string_view t(s);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (!t.empty() && t.front() == '-') d.fail(n, key + ": must not be negative, got " + s);
}

std::uint64_t whole(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a whole number, got " + describe(n));
  const std::string& s = n.Scalar();
  not_negative(d, n, key, s);
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    d.fail(n, key + ": expected a whole number, got '" + s + "'");
  }
  return v;
}

std::uint32_t count(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::uint64_t v = whole(d, n, key);
  if (v > 10'000'000) d.fail(n, key + ": " + std::to_string(v) + " is too large (at most 10000000)");
  return static_cast<std::uint32_t>(v);
}

Nanos duration(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a duration such as \"30s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_duration(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

DurationRange duration_range(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a duration or a range such as \"500ms..2s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_duration_range(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

std::uint64_t size(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a size such as \"64KiB\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_size(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

SizeRange size_range(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a size or a range such as \"64KiB..4MiB\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_size_range(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

double rate(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a rate such as \"200/s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_rate(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

// 0.25 or "25%".
double fraction(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a fraction such as 0.25 or \"25%\", got " + describe(n));
  auto q = parse_quantity(n.Scalar());
  if (!q || (q->unit != Unit::kNumber && q->unit != Unit::kPercent)) {
    d.fail(n, key + ": expected a fraction such as 0.25 or \"25%\", got '" + n.Scalar() + "'");
  }
  return q->value;
}

template <typename Enum>
Enum choice(Decoder& d, const YAML::Node& n, const std::string& key,
            const std::vector<std::pair<std::string, Enum>>& options) {
  std::vector<std::string> names;
  for (const auto& [name, value] : options) names.push_back(name);
  std::string s = n.IsScalar() ? n.Scalar() : "";
  for (const auto& [name, value] : options) {
    if (s == name) return value;
  }
  if (!n.IsScalar()) d.fail(n, key + ": expected one of " + join(names) + ", got " + describe(n));
  if (auto m = closest_match(s, names)) d.fail(n, key + ": unknown value '" + s + "'; did you mean '" + *m + "'?");
  d.fail(n, key + ": unknown value '" + s + "' (expected one of " + join(names) + ")");
}

std::vector<std::string> string_list(Decoder& d, const YAML::Node& n, const std::string& key, bool allow_scalar) {
  std::vector<std::string> out;
  if (allow_scalar && n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) d.fail(n, key + ": expected a list, got " + describe(n));
  for (const auto& item : n) out.push_back(nonempty(d, item, key));
  return out;
}

// ---- sections --------------------------------------------------------------

Target decode_target(Decoder& d, const YAML::Node* node, const std::string& base_dir) {
  Target t;
  if (!node) {
    t.pos = {d.file(), 1, 1};
    return t;
  }
  t.pos = d.pos(*node);
  Map m(d, *node, "target", "target", {"url", "spawn", "pid", "pidfile", "ready", "insecure", "stop_grace"});
  const Map::Entry* process_key = nullptr;
  for (const auto& e : m.entries()) {
    if (e.key != "spawn" && e.key != "pid" && e.key != "pidfile") continue;
    if (process_key) {
      d.fail(e.key_node, "'" + e.key + "' and '" + process_key->key +
                             "' are exclusive: a target is spawned, or attached by pid or by pidfile");
    }
    process_key = &e;
  }
  bool reference = true;
  if (process_key && process_key->key == "spawn") {
    auto p = parse_spawn(nonempty(d, process_key->value, "spawn"));
    if (!p) d.fail(process_key->value, "spawn: " + p.error().what());
    t.process = std::move(*p);
    reference = std::holds_alternative<SpawnReference>(t.process);
  } else if (process_key && process_key->key == "pid") {
    t.process = AttachPid{static_cast<std::int64_t>(whole(d, process_key->value, "pid"))};
    reference = false;
  } else if (process_key) {
    t.process = AttachPidfile{resolve_path(base_dir, nonempty(d, process_key->value, "pidfile"))};
    reference = false;
  }
  if (const auto* v = m.find("url")) {
    t.url = nonempty(d, *v, "url");
  } else if (!reference) {
    d.fail(*node, "missing required key 'url' in target (only the reference server's url has a default)");
  }
  if (const auto* v = m.find("ready")) {
    Map r(d, *v, "target.ready", "target.ready", {"url", "timeout"});
    if (const auto* u = r.find("url")) t.ready_url = nonempty(d, *u, "ready.url");
    if (const auto* to = r.find("timeout")) t.ready_timeout = duration(d, *to, "ready.timeout");
  }
  t.insecure = reference;
  if (const auto* v = m.find("insecure")) t.insecure = boolean(d, *v, "insecure");
  if (const auto* v = m.find("stop_grace")) t.stop_grace = duration(d, *v, "stop_grace");
  return t;
}

std::vector<Phase> decode_phases(Decoder& d, const YAML::Node& node) {
  std::vector<Phase> phases;
  Map m(d, node, "phases", "phases", {});
  const std::vector<std::string> fixed{kWarmup, kSteady, kCooldown};
  for (const auto& e : m.entries()) {
    Phase p;
    p.name = e.key;
    p.pos = d.pos(e.key_node);
    bool valid = !e.key.empty() && std::islower(static_cast<unsigned char>(e.key[0]));
    for (char c : e.key) valid = valid && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    if (!valid) d.fail(e.key_node, "phase name '" + e.key + "' must be lowercase letters, digits and '_'");
    bool is_fixed = std::find(fixed.begin(), fixed.end(), e.key) != fixed.end();
    const std::string path = "phases." + e.key;
    d.positions[path] = p.pos;
    if (is_fixed) p.load = e.key != kCooldown;
    if (e.value.IsScalar()) {
      if (!is_fixed) {
        if (auto near = closest_match(e.key, fixed)) {
          d.fail(e.key_node, "unknown phase '" + e.key + "'; did you mean '" + *near + "'?");
        }
        d.fail(e.value, "phase '" + e.key + "': an extra phase needs {duration: ..., load: true|false}");
      }
      p.duration = duration(d, e.value, e.key);
      d.record(path + ".duration", e.value);
    } else {
      Map pm(d, e.value, path, "phase '" + e.key + "'", {"duration", "load"});
      const YAML::Node& dur = pm.require("duration");
      p.duration = duration(d, dur, e.key + ".duration");
      if (const auto* l = pm.find("load")) {
        if (is_fixed) {
          d.fail(pm.entry("load")->key_node, "the load of phase '" + e.key + "' is fixed (" +
                                                 (p.load ? "true" : "false") + "); remove 'load'");
        }
        p.load = boolean(d, *l, e.key + ".load");
      } else if (!is_fixed) {
        d.fail(e.value, "missing required key 'load' in phase '" + e.key + "' (true or false)");
      }
    }
    phases.push_back(std::move(p));
  }
  return phases;
}

Sample decode_sample(Decoder& d, const YAML::Node& node) {
  Sample s;
  Map m(d, node, "sample", "sample", {"interval", "pss_interval", "metrics_url", "gauges"});
  if (const auto* v = m.find("interval")) s.interval = duration(d, *v, "interval");
  if (const auto* v = m.find("pss_interval")) s.pss_interval = duration(d, *v, "pss_interval");
  if (const auto* v = m.find("metrics_url")) s.metrics_url = nonempty(d, *v, "metrics_url");
  if (const auto* v = m.find("gauges")) s.gauges = string_list(d, *v, "gauges", false);
  return s;
}

// "/page/1".."/page/N" from a count or a range "a..b"; a list as written.
std::vector<std::string> decode_pages(Decoder& d, const YAML::Node& n) {
  if (n.IsSequence()) {
    auto pages = string_list(d, n, "pages", false);
    if (pages.empty()) d.fail(n, "pages: the list is empty");
    return pages;
  }
  if (!n.IsScalar()) d.fail(n, "pages: expected a count, a range \"1..20\" or a list of paths, got " + describe(n));
  const std::string& s = n.Scalar();
  auto parse_int = [&](std::string_view t) -> std::uint64_t {
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || v > 100000) {
      d.fail(n, "pages: expected a count, a range \"1..20\" or a list of paths, got '" + s + "'");
    }
    return v;
  };
  std::uint64_t lo = 1, hi = 0;
  if (auto dots = s.find(".."); dots != std::string::npos) {
    lo = parse_int(std::string_view(s).substr(0, dots));
    hi = parse_int(std::string_view(s).substr(dots + 2));
    if (lo == 0) d.fail(n, "pages: pages are numbered from 1");
    if (hi < lo) d.fail(n, "pages: range '" + s + "' has its upper bound below its lower bound");
  } else {
    hi = parse_int(s);
    if (hi == 0) d.fail(n, "pages: must be at least 1");
  }
  std::vector<std::string> pages;
  for (std::uint64_t i = lo; i <= hi; ++i) pages.push_back("/page/" + std::to_string(i));
  return pages;
}

TabsWorkload decode_tabs(Decoder& d, const Map& m) {
  TabsWorkload w;
  if (const auto* v = m.find("users")) w.users = count(d, *v, "users");
  if (const auto* v = m.find("tabs_per_user")) w.tabs_per_user = count(d, *v, "tabs_per_user");
  if (const auto* v = m.find("connections_per_user")) w.connections_per_user = count(d, *v, "connections_per_user");
  if (const auto* v = m.find("pages")) w.pages = decode_pages(d, *v);
  if (const auto* v = m.find("assets")) {
    if (v->IsSequence()) {
      w.assets = AssetMode::kList;
      w.asset_paths = string_list(d, *v, "assets", false);
      if (w.asset_paths.empty()) d.fail(*v, "assets: the list is empty (write assets: none)");
    } else {
      if (v->IsScalar() && v->Scalar() == "list") {
        d.fail(*v, "assets: 'list' means the paths themselves: write assets: [/static/app.css, ...]");
      }
      w.assets = choice<AssetMode>(d, *v, "assets", {{"parse", AssetMode::kParse}, {"none", AssetMode::kNone}});
    }
  }
  if (const auto* v = m.find("sse")) w.sse = boolean(d, *v, "sse");
  if (const auto* v = m.find("sse_path")) w.sse_path = nonempty(d, *v, "sse_path");
  if (const auto* v = m.find("think")) w.think = duration_range(d, *v, "think");
  if (const auto* v = m.find("lifetime")) w.lifetime = duration_range(d, *v, "lifetime");
  if (const auto* v = m.find("session")) w.session = boolean(d, *v, "session");
  if (const auto* v = m.find("login_path")) w.login_path = nonempty(d, *v, "login_path");
  return w;
}

SseWorkload decode_sse(Decoder& d, const Map& m) {
  SseWorkload w;
  if (const auto* v = m.find("streams")) w.streams = count(d, *v, "streams");
  if (const auto* v = m.find("streams_per_connection")) w.streams_per_connection = count(d, *v, "streams_per_connection");
  if (const auto* v = m.find("hold")) w.hold = duration_range(d, *v, "hold");
  if (const auto* v = m.find("leave")) {
    w.leave = choice<SseLeave>(d, *v, "leave", {{"rst", SseLeave::kRst}, {"close", SseLeave::kClose}, {"mixed", SseLeave::kMixed}});
  }
  if (const auto* v = m.find("path")) w.path = nonempty(d, *v, "path");
  return w;
}

UploadWorkload decode_upload(Decoder& d, const Map& m) {
  UploadWorkload w;
  const auto* rate_node = m.find("rate");
  const auto* conc_node = m.find("concurrency");
  if (rate_node && conc_node) {
    d.fail(m.entry("concurrency")->key_node, "'rate' and 'concurrency' are exclusive: an upload workload is "
                                             "open (rate) or closed (concurrency)");
  }
  if (rate_node) w.rate = rate(d, *rate_node, "rate");
  if (conc_node) w.concurrency = count(d, *conc_node, "concurrency");
  if (!rate_node && !conc_node) w.concurrency = 4;
  if (w.concurrency) w.connections = std::max<std::uint32_t>(1, std::min<std::uint32_t>(4, *w.concurrency));
  if (const auto* v = m.find("max_in_flight")) {
    if (!rate_node) d.fail(m.entry("max_in_flight")->key_node, "max_in_flight: only for the open model (with 'rate')");
    w.max_in_flight = count(d, *v, "max_in_flight");
  }
  if (const auto* v = m.find("connections")) w.connections = count(d, *v, "connections");
  if (const auto* v = m.find("size")) w.size = size_range(d, *v, "size");
  if (const auto* v = m.find("distribution")) {
    w.distribution = choice<SizeDistribution>(d, *v, "distribution",
                                              {{"uniform", SizeDistribution::kUniform}, {"lognormal", SizeDistribution::kLogNormal}});
  }
  if (const auto* v = m.find("path")) w.path = nonempty(d, *v, "path");
  if (const auto* v = m.find("method")) {
    w.method = str(d, *v, "method");
    if (w.method != "POST" && w.method != "PUT") d.fail(*v, "method: an upload is a POST or a PUT, got '" + w.method + "'");
  }
  if (const auto* v = m.find("verify")) w.verify = boolean(d, *v, "verify");
  return w;
}

ShortConnectionsWorkload decode_short(Decoder& d, const Map& m) {
  ShortConnectionsWorkload w;
  if (const auto* v = m.find("rate")) w.rate = rate(d, *v, "rate");
  if (const auto* v = m.find("protocol")) {
    w.protocol = choice<Protocol>(d, *v, "protocol", {{"h2", Protocol::kH2}, {"h1", Protocol::kH1}});
  }
  if (const auto* v = m.find("requests_per_connection")) w.requests_per_connection = count(d, *v, "requests_per_connection");
  if (const auto* v = m.find("max_in_flight")) w.max_in_flight = count(d, *v, "max_in_flight");
  if (const auto* v = m.find("path")) w.path = nonempty(d, *v, "path");
  return w;
}

IdleWorkload decode_idle(Decoder& d, const Map& m) {
  IdleWorkload w;
  if (const auto* v = m.find("connections")) w.connections = count(d, *v, "connections");
  if (const auto* v = m.find("hold")) w.hold = duration(d, *v, "hold");
  if (const auto* v = m.find("no_tls_handshake")) w.no_tls_handshake = fraction(d, *v, "no_tls_handshake");
  if (const auto* v = m.find("no_request")) w.no_request = fraction(d, *v, "no_request");
  if (const auto* v = m.find("path")) w.path = nonempty(d, *v, "path");
  return w;
}

BenchWorkload decode_bench(Decoder& d, const Map& m) {
  BenchWorkload w;
  if (const auto* v = m.find("clients")) w.clients = count(d, *v, "clients");
  if (const auto* v = m.find("max_streams")) w.max_streams = count(d, *v, "max_streams");
  if (m.find("requests") && m.find("duration")) {
    d.fail(m.entry("duration")->key_node, "'requests' and 'duration' are exclusive (h2load's -n and -D)");
  }
  if (const auto* v = m.find("requests")) w.requests = whole(d, *v, "requests");
  if (const auto* v = m.find("duration")) w.duration = duration(d, *v, "duration");
  if (const auto* v = m.find("rate")) w.rate = rate(d, *v, "rate");
  if (const auto* v = m.find("paths")) {
    w.paths = string_list(d, *v, "paths", true);
    if (w.paths.empty()) d.fail(*v, "paths: the list is empty");
  }
  if (const auto* v = m.find("method")) {
    w.method = nonempty(d, *v, "method");
    for (char c : w.method) {
      if (!std::isupper(static_cast<unsigned char>(c))) d.fail(*v, "method: expected an upper-case HTTP method such as GET, got '" + w.method + "'");
    }
  }
  if (const auto* v = m.find("body_size")) w.body_size = size(d, *v, "body_size");
  if (const auto* v = m.find("headers")) {
    w.headers = string_list(d, *v, "headers", false);
    for (std::size_t i = 0; i < w.headers.size(); ++i) {
      auto colon = w.headers[i].find(':');
      if (colon == std::string::npos || colon == 0) d.fail((*v)[i], "headers: expected \"name: value\", got '" + w.headers[i] + "'");
    }
  }
  if (const auto* v = m.find("h1")) w.h1 = boolean(d, *v, "h1");
  return w;
}

struct KindInfo {
  const char* name;
  std::vector<std::string> keys;
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> k{
      {"tabs", {"users", "tabs_per_user", "connections_per_user", "pages", "assets", "sse", "sse_path", "think", "lifetime", "session", "login_path"}},
      {"sse", {"streams", "streams_per_connection", "hold", "leave", "path"}},
      {"upload", {"rate", "concurrency", "max_in_flight", "connections", "size", "distribution", "path", "method", "verify"}},
      {"short_connections", {"rate", "protocol", "requests_per_connection", "max_in_flight", "path"}},
      {"idle", {"connections", "hold", "no_tls_handshake", "no_request", "path"}},
      {"bench", {"clients", "max_streams", "requests", "duration", "rate", "paths", "method", "body_size", "headers", "h1"}},
  };
  return k;
}

Workload decode_workload(Decoder& d, const YAML::Node& item, std::size_t index) {
  const std::string path = "workloads." + std::to_string(index);
  if (!item.IsMap()) d.fail(item, "workloads: each workload is a mapping with a 'kind', got " + describe(item));
  std::vector<std::string> kind_names;
  for (const auto& k : kinds()) kind_names.push_back(k.name);
  const YAML::Node kind_node = item["kind"];
  if (!kind_node.IsDefined()) {
    d.fail(item, "missing required key 'kind' in workload (one of " + join(kind_names) + ")");
  }
  std::size_t kind = kinds().size();
  if (kind_node.IsScalar()) {
    for (std::size_t i = 0; i < kinds().size(); ++i) {
      if (kind_node.Scalar() == kinds()[i].name) kind = i;
    }
  }
  if (!kind_node.IsScalar()) {
    d.fail(kind_node, "kind: expected one of " + join(kind_names) + ", got " + describe(kind_node));
  }
  if (kind == kinds().size()) {
    std::string s = kind_node.Scalar();
    if (auto m = closest_match(s, kind_names)) d.fail(kind_node, "unknown workload kind '" + s + "'; did you mean '" + *m + "'?");
    d.fail(kind_node, "unknown workload kind '" + s + "' (one of " + join(kind_names) + ")");
  }
  std::vector<std::string> allowed{"kind", "name"};
  allowed.insert(allowed.end(), kinds()[kind].keys.begin(), kinds()[kind].keys.end());
  Map m(d, item, path, std::string("workload '") + kinds()[kind].name + "'", allowed);
  Workload w;
  w.pos = d.pos(item);
  d.positions[path] = w.pos;
  if (const auto* v = m.find("name")) w.name = nonempty(d, *v, "name");
  switch (static_cast<WorkloadKind>(kind)) {
    case WorkloadKind::kTabs: w.params = decode_tabs(d, m); break;
    case WorkloadKind::kSse: w.params = decode_sse(d, m); break;
    case WorkloadKind::kUpload: w.params = decode_upload(d, m); break;
    case WorkloadKind::kShortConnections: w.params = decode_short(d, m); break;
    case WorkloadKind::kIdle: w.params = decode_idle(d, m); break;
    case WorkloadKind::kBench: w.params = decode_bench(d, m); break;
  }
  return w;
}

std::vector<Workload> decode_workloads(Decoder& d, const YAML::Node& node) {
  if (!node.IsSequence()) d.fail(node, "workloads: expected a list of workloads, got " + describe(node));
  std::vector<Workload> out;
  std::size_t i = 0;
  for (const auto& item : node) out.push_back(decode_workload(d, item, i++));
  // Default names: the kind, then kind2, kind3... for repeats.
  std::map<std::string, int> seen;
  for (auto& w : out) {
    if (!w.name.empty()) continue;
    std::string base = to_string(w.kind());
    int n = ++seen[base];
    w.name = n == 1 ? base : base + std::to_string(n);
  }
  return out;
}

std::vector<Threshold> decode_thresholds(Decoder& d, const YAML::Node& node, const std::vector<std::string>& names) {
  if (!node.IsSequence()) d.fail(node, "thresholds: expected a list such as [\"errors == 0\", \"latency.p99 < 250ms\"], got " + describe(node));
  std::vector<Threshold> out;
  std::size_t i = 0;
  for (const auto& item : node) {
    std::string text = str(d, item, "thresholds");
    auto t = parse_threshold(text, names);
    if (!t) d.fail(item, t.error().what());
    t->pos = d.pos(item);
    d.record("thresholds." + std::to_string(i++), item);
    out.push_back(std::move(*t));
  }
  return out;
}

Regression decode_regression(Decoder& d, const YAML::Node* node, const std::vector<std::string>& names) {
  Regression reg;
  bool builtin = true;
  std::vector<RegressionRule> own;
  if (node) {
    Map m(d, *node, "regression", "regression", {"builtin", "rules"});
    if (const auto* v = m.find("builtin")) builtin = boolean(d, *v, "builtin");
    if (const auto* v = m.find("rules")) {
      Map rules(d, *v, "regression.rules", "regression.rules", {});
      const auto defaults = default_regression_rules();
      for (const auto& e : rules.entries()) {
        if (auto ok = check_metric_name(e.key, names); !ok) d.fail(e.key_node, ok.error().what());
        RegressionRule r;
        r.metric = e.key;
        r.leak = e.key.size() > 6 && e.key.compare(e.key.size() - 6, 6, ".slope") == 0;
        for (const auto& def : defaults) {
          if (def.metric == e.key) r = def;
        }
        r.pos = d.pos(e.key_node);
        const std::string path = "regression.rules." + e.key;
        d.positions[path] = r.pos;
        Map rm(d, e.value, path, "rule '" + e.key + "'", {"direction", "tolerance", "floor", "leak"});
        if (const auto* x = rm.find("direction")) {
          r.direction = choice<Direction>(d, *x, "direction", {{"lower", Direction::kLowerIsBetter}, {"higher", Direction::kHigherIsBetter}});
        }
        if (const auto* x = rm.find("tolerance")) r.tolerance = fraction(d, *x, "tolerance");
        if (const auto* x = rm.find("floor")) {
          auto q = parse_quantity(str(d, *x, "floor"));
          if (!q) d.fail(*x, "floor: " + q.error().what());
          r.floor = *q;
        }
        if (const auto* x = rm.find("leak")) r.leak = boolean(d, *x, "leak");
        own.push_back(std::move(r));
      }
    }
  }
  if (builtin) reg.rules = default_regression_rules();
  for (auto& r : own) {
    auto it = std::find_if(reg.rules.begin(), reg.rules.end(), [&](const RegressionRule& x) { return x.metric == r.metric; });
    if (it != reg.rules.end()) *it = std::move(r);
    else reg.rules.push_back(std::move(r));
  }
  return reg;
}

ScenarioDoc decode_scenario(Decoder& d, const YAML::Node& root, const std::string& base_dir, const std::string& default_name) {
  ScenarioDoc doc;
  Scenario& s = doc.scenario;
  Map m(d, root, "", "scenario",
        {"name", "description", "target", "phases", "sample", "workloads", "thresholds", "regression"});
  s.name = default_name;
  if (const auto* v = m.find("name")) s.name = nonempty(d, *v, "name");
  if (const auto* v = m.find("description")) s.description = str(d, *v, "description");
  s.target = decode_target(d, m.find("target"), base_dir);
  s.phases = decode_phases(d, m.require("phases"));
  if (const auto* v = m.find("sample")) s.sample = decode_sample(d, *v);
  s.workloads = decode_workloads(d, m.require("workloads"));
  std::vector<std::string> names;
  for (const auto& w : s.workloads) names.push_back(w.name);
  if (const auto* v = m.find("thresholds")) s.thresholds = decode_thresholds(d, *v, names);
  s.regression = decode_regression(d, m.find("regression"), names);
  doc.positions = std::move(d.positions);
  return doc;
}

SuiteDoc decode_suite(Decoder& d, const YAML::Node& root, const std::string& base_dir) {
  SuiteDoc doc;
  Suite& s = doc.suite;
  Map m(d, root, "", "suite", {"suite", "description", "budget", "scenarios"});
  s.name = nonempty(d, m.require("suite"), "suite");
  if (const auto* v = m.find("description")) s.description = str(d, *v, "description");
  if (const auto* v = m.find("budget")) {
    s.budget = duration(d, *v, "budget");
    if (s.budget->count() == 0) d.fail(*v, "budget: must be greater than 0");
  }
  const YAML::Node& list = m.require("scenarios");
  if (!list.IsSequence()) d.fail(list, "scenarios: expected a list of scenario files, got " + describe(list));
  if (list.size() == 0) d.fail(list, "scenarios: the list is empty");
  std::size_t i = 0;
  for (const auto& item : list) {
    SuiteEntry e;
    e.pos = d.pos(item);
    const std::string path = "scenarios." + std::to_string(i++);
    d.positions[path] = e.pos;
    if (item.IsScalar()) {
      e.file = nonempty(d, item, "scenarios");
    } else {
      Map em(d, item, path, "suite entry", {"file", "phases"});
      e.file = nonempty(d, em.require("file"), "file");
      if (const auto* ph = em.find("phases")) {
        Map pm(d, *ph, path + ".phases", "phases", {});
        for (const auto& pe : pm.entries()) {
          e.phase_overrides[pe.key] = duration(d, pe.value, pe.key);
          d.positions[path + ".phases." + pe.key] = d.pos(pe.key_node);
          d.record(path + ".phases." + pe.key + ".duration", pe.value);
        }
      }
    }
    e.path = resolve_path(base_dir, e.file);
    s.entries.push_back(std::move(e));
  }
  doc.positions = std::move(d.positions);
  return doc;
}

}  // namespace

Result<std::variant<ScenarioDoc, SuiteDoc>> decode(const SubstitutedText& text, const std::string& file,
                                                   const std::string& base_dir, const std::string& default_name) {
  Decoder d(text, file);
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text.text());
    if (docs.size() > 1) {
      SourcePos second = d.pos(docs[1]);
      return Error("a scenario or suite file holds one YAML document; this one has " + std::to_string(docs.size()),
                   second.line > 0 ? second.str() : file + ":1:1");
    }
    YAML::Node root = docs.empty() ? YAML::Node() : docs[0];
    if (root.IsNull() || !root.IsDefined()) return Error("the file is empty", file + ":1:1");
    if (!root.IsMap()) d.fail(root, std::string("expected a mapping at the top (a scenario or a suite), got ") + describe(root));
    if (root["suite"].IsDefined()) return std::variant<ScenarioDoc, SuiteDoc>(decode_suite(d, root, base_dir));
    return std::variant<ScenarioDoc, SuiteDoc>(decode_scenario(d, root, base_dir, default_name));
  } catch (const DecodeFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    SourcePos p = e.mark.is_null() ? SourcePos{file, 1, 1} : d.pos(e.mark);
    return Error(e.msg, p.str());
  }
}

}  // namespace h2soak::scenario::detail
