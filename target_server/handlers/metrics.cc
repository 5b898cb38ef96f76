#include "target_server/handlers/metrics.h"

#include <fmt/format.h>

#include "target_server/faults/fault.h"

namespace h2soak::server {
namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename T>
void sample(std::string& out, const char* name, T value) {
  fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

}  // namespace

std::string render_metrics(const ServerState& state) {
  const auto& workers = state.stats.workers;
  auto sum = [&workers](auto member) {
    int64_t total = 0;
    for (const WorkerStats* w : workers) total += static_cast<int64_t>((w->*member).get());
    return total;
  };
  std::string out;
  out.reserve(4096);
  family(out, "h2soak_target_requests_total", "counter", "Requests answered, by route and status.");
  for (size_t r = 0; r < static_cast<size_t>(Route::kCount); ++r) {
    for (size_t s = 0; s < kCountedStatuses.size(); ++s) {
      uint64_t n = 0;
      for (const WorkerStats* w : workers) n += w->requests[r][s].get();
      if (n == 0) continue;
      std::string status = s + 1 == kCountedStatuses.size() ? "other" : std::to_string(kCountedStatuses[s]);
      fmt::format_to(std::back_inserter(out), "h2soak_target_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                     route_label(static_cast<Route>(r)), status, n);
    }
  }
  family(out, "h2soak_target_connections_active", "gauge", "Open client connections.");
  sample(out, "h2soak_target_connections_active", sum(&WorkerStats::connections_active));
  family(out, "h2soak_target_connections_total", "counter", "Connections accepted.");
  sample(out, "h2soak_target_connections_total", sum(&WorkerStats::connections_total));
  family(out, "h2soak_target_streams_active", "gauge", "Requests in progress (h2 streams and h1 exchanges).");
  sample(out, "h2soak_target_streams_active", sum(&WorkerStats::streams_active));
  family(out, "h2soak_target_sse_streams_active", "gauge", "Open /events streams.");
  sample(out, "h2soak_target_sse_streams_active", sum(&WorkerStats::sse_active));
  family(out, "h2soak_target_sse_events_total", "counter", "Server-sent events produced.");
  sample(out, "h2soak_target_sse_events_total", sum(&WorkerStats::sse_events));
  family(out, "h2soak_target_sse_events_skipped_total", "counter", "Events skipped for clients that did not read.");
  sample(out, "h2soak_target_sse_events_skipped_total", sum(&WorkerStats::sse_skipped));
  family(out, "h2soak_target_sessions", "gauge", "Live login sessions.");
  sample(out, "h2soak_target_sessions", state.sessions.size());
  family(out, "h2soak_target_bytes_received_total", "counter", "Plaintext bytes received from clients.");
  sample(out, "h2soak_target_bytes_received_total", sum(&WorkerStats::bytes_received));
  family(out, "h2soak_target_bytes_sent_total", "counter",
         "Plaintext bytes sent: h1 status lines, headers and bodies; h2 frames.");
  sample(out, "h2soak_target_bytes_sent_total", sum(&WorkerStats::bytes_sent));
  family(out, "h2soak_target_upload_bytes_total", "counter", "Request body bytes received by /upload.");
  sample(out, "h2soak_target_upload_bytes_total", sum(&WorkerStats::upload_bytes));
  family(out, "h2soak_target_timeouts_total", "counter", "Connections closed by the idle or read timeout.");
  sample(out, "h2soak_target_timeouts_total", sum(&WorkerStats::timeouts));
  family(out, "h2soak_target_tls_handshakes_total", "counter", "TLS handshakes completed (full and resumed).");
  sample(out, "h2soak_target_tls_handshakes_total", sum(&WorkerStats::tls_handshakes));
  family(out, "h2soak_target_tls_resumed_total", "counter", "TLS handshakes that resumed a session (ticket).");
  sample(out, "h2soak_target_tls_resumed_total", sum(&WorkerStats::tls_resumed));
  family(out, "h2soak_target_workers", "gauge", "Worker threads.");
  sample(out, "h2soak_target_workers", workers.size());
  family(out, "h2soak_target_uptime_seconds", "gauge", "Seconds since start.");
  sample(out, "h2soak_target_uptime_seconds",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - state.started).count());
  if (state.faults) state.faults->render_metrics(out);
  return out;
}

Response metrics_response(const ServerState& state) {
  Response r = Response::text(200, render_metrics(state), "text/plain; version=0.0.4; charset=utf-8");
  r.headers.push_back({"cache-control", "no-store"});
  return r;
}

}  // namespace h2soak::server
