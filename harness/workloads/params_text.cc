#include "harness/workloads/params_text.h"

#include <type_traits>

#include "harness/util/units.h"

namespace h2soak::workloads {
namespace {
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
std::string dur(Nanos d) { return units::format_duration(d); }
std::string dur_range(const scenario::DurationRange& r) { return dur(r.min) + ".." + dur(r.max); }
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
const char* yes(bool b) { return b ? "true" : "false"; }
}  // namespace

std::map<std::string, std::string> describe_params(const scenario::WorkloadParams& params) {
  std::map<std::string, std::string> m;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, scenario::TabsWorkload>) {
          m["users"] = std::to_string(p.users);
          m["tabs_per_user"] = std::to_string(p.tabs_per_user);
          m["connections_per_user"] = std::to_string(p.connections_per_user);
          m["pages"] = join(p.pages);
          m["assets"] = p.assets == scenario::AssetMode::kParse ? "parse"
                        : p.assets == scenario::AssetMode::kList ? join(p.asset_paths)
                                                                 : "none";
          m["sse"] = yes(p.sse);
          if (p.sse) m["sse_path"] = p.sse_path;
          m["think"] = dur_range(p.think);
          m["lifetime"] = p.lifetime ? dur_range(*p.lifetime) : "run";
          m["session"] = yes(p.session);
          if (p.session) m["login_path"] = p.login_path;
        } else if constexpr (std::is_same_v<T, scenario::SseWorkload>) {
          m["streams"] = std::to_string(p.streams);
          m["streams_per_connection"] = std::to_string(p.streams_per_connection);
          m["hold"] = dur_range(p.hold);
          m["leave"] = scenario::to_string(p.leave);
          m["path"] = p.path;
        } else if constexpr (std::is_same_v<T, scenario::UploadWorkload>) {
          if (p.rate) m["rate"] = units::format_rate(*p.rate);
          if (p.concurrency) m["concurrency"] = std::to_string(*p.concurrency);
          m["max_in_flight"] = std::to_string(p.max_in_flight);
          m["connections"] = std::to_string(p.connections);
          m["size"] = units::format_size(p.size.min) + ".." + units::format_size(p.size.max);
          m["distribution"] = scenario::to_string(p.distribution);
          m["path"] = p.path;
          m["method"] = p.method;
          m["verify"] = yes(p.verify);
        } else if constexpr (std::is_same_v<T, scenario::ShortConnectionsWorkload>) {
          m["rate"] = units::format_rate(p.rate);
          m["protocol"] = scenario::to_string(p.protocol);
          m["requests_per_connection"] = std::to_string(p.requests_per_connection);
          m["max_in_flight"] = std::to_string(p.max_in_flight);
          m["path"] = p.path;
          if (p.tls_resume) m["tls_resume"] = "true";
        } else if constexpr (std::is_same_v<T, scenario::IdleWorkload>) {
          m["connections"] = std::to_string(p.connections);
          m["hold"] = p.hold ? dur(*p.hold) : "run";
          m["no_tls_handshake"] = num(p.no_tls_handshake);
          m["no_request"] = num(p.no_request);
          m["path"] = p.path;
        } else if constexpr (std::is_same_v<T, scenario::BenchWorkload>) {
          m["clients"] = std::to_string(p.clients);
          m["max_streams"] = std::to_string(p.max_streams);
          if (p.requests) m["requests"] = std::to_string(*p.requests);
          if (p.duration) m["duration"] = dur(*p.duration);
          if (p.rate) m["rate"] = units::format_rate(*p.rate);
          m["paths"] = join(p.paths);
          m["method"] = p.method;
          if (p.body_size) m["body_size"] = units::format_size(p.body_size);
          if (p.h1) m["h1"] = "true";
        }
      },
      params);
  return m;
}

}  // namespace h2soak::workloads
