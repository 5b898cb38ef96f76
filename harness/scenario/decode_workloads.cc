// The `workloads:` list: one decoder per kind, each reading its typed keys.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "harness/scenario/decode_util.h"

namespace h2soak::scenario::detail {
namespace {

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
  if (const auto* v = m.find("tls_resume")) w.tls_resume = boolean(d, *v, "tls_resume");
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
      {"short_connections", {"rate", "protocol", "requests_per_connection", "max_in_flight", "path", "tls_resume"}},
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

}  // namespace

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

}  // namespace h2soak::scenario::detail
