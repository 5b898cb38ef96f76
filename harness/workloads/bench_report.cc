#include "harness/workloads/bench_report.h"

#include <cmath>

#include <fmt/format.h>

namespace h2soak::workloads {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{:.2f}{}", bytes, units[u]);
}

std::string human_us(double us) {
  if (us >= 1e6) return fmt::format("{:.2f}s", us / 1e6);
  if (us >= 1e3) return fmt::format("{:.2f}ms", us / 1e3);
  return fmt::format("{:.0f}us", us);
}

void histogram_row(std::string& out, const char* label, const metrics::Histogram& h) {
  if (h.count() == 0) {
    fmt::format_to(std::back_inserter(out), "{:<17}{:>10}\n", label, "-");
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:<17}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", label,
                 human_us(static_cast<double>(h.min())), human_us(static_cast<double>(h.max())), human_us(h.mean()),
                 human_us(h.stddev()), human_us(static_cast<double>(h.value_at_percentile(50))),
                 human_us(static_cast<double>(h.value_at_percentile(90))),
                 human_us(static_cast<double>(h.value_at_percentile(99))),
                 human_us(static_cast<double>(h.value_at_percentile(99.9))));
}

}  // namespace

std::string format_bench_summary(const load::RunOutcome& outcome, const BenchPlan& plan) {
  const auto& m = outcome.steady();
  const auto& c = m.counters;
  const double secs = outcome.steady_seconds > 0 ? outcome.steady_seconds : 1e-9;
  const std::uint64_t bytes_in = c.bytes_in_total;
  std::string out;
  auto put = [&out]<typename... A>(fmt::format_string<A...> f, A&&... a) {
    fmt::format_to(std::back_inserter(out), f, std::forward<A>(a)...);
  };

  put("\nfinished in {:.2f}s, {:.2f} req/s, {} received/s, {} sent/s\n", secs,
      static_cast<double>(c.requests_done) / secs, human_bytes(static_cast<double>(bytes_in) / secs),
      human_bytes(static_cast<double>(c.bytes_out) / secs));
  const std::uint64_t total = c.requests_done + c.requests_dropped;
  put("requests: {} total, {} started, {} done, {} succeeded, {} failed, {} errored, {} timeout", total,
      c.requests_started, c.requests_done, c.requests_succeeded, c.requests_failed, c.requests_errored,
      c.requests_timeout);
  if (plan.rate > 0) put(", {} dropped", c.requests_dropped);
  put("\n");
  if (plan.requests > 0 && total < plan.requests && outcome.warmup().counters.requests_started == 0)
    put("          ({} of {} requested were never started)\n", plan.requests - total, plan.requests);
  put("status codes: {} 2xx, {} 3xx, {} 4xx, {} 5xx", c.status_class[1], c.status_class[2], c.status_class[3],
      c.status_class[4]);
  if (c.status_class[0] + c.status_other > 0) put(", {} other", c.status_class[0] + c.status_other);
  put("\n");
  put("traffic: {} ({}) received, {} ({}) headers, {} ({}) data; {} ({}) sent\n", human_bytes(bytes_in), bytes_in,
      human_bytes(static_cast<double>(c.bytes_in_headers)), c.bytes_in_headers,
      human_bytes(static_cast<double>(c.bytes_in_data)), c.bytes_in_data,
      human_bytes(static_cast<double>(c.bytes_out)), c.bytes_out);
  put("connections: {} opened, {} failed, {} closed\n", c.connections_opened, c.connections_failed,
      c.connections_closed);
  if (c.errors_total() > 0) {
    put("errors:");
    for (std::size_t i = 0; i < metrics::kErrorClassCount; ++i) {
      if (c.errors[i] == 0) continue;
      put(" {} {}", c.errors[i], metrics::to_string(static_cast<metrics::ErrorClass>(i)));
    }
    put("\n");
    bool any_rst = false;
    for (auto n : c.rst_codes) any_rst = any_rst || n > 0;
    if (any_rst) {
      put("rst_stream by code:");
      for (std::size_t i = 0; i < c.rst_codes.size(); ++i)
        if (c.rst_codes[i] > 0) put(" {}=0x{:x}{}", c.rst_codes[i], i, i + 1 == c.rst_codes.size() ? "+" : "");
      put("\n");
    }
  }
  put("{:<17}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "", "min", "max", "mean", "sd", "p50", "p90", "p99",
      "p99.9");
  histogram_row(out, "time for request:", m.request_total);
  histogram_row(out, "time for connect:", m.connect);
  if (m.tls_handshake.count() > 0) histogram_row(out, "time for TLS:", m.tls_handshake);
  histogram_row(out, "time to 1st byte:", m.ttfb);
  return out;
}

std::string format_bench_progress(const load::Progress& p, const load::Progress& before) {
  const double dt = p.elapsed_seconds - before.elapsed_seconds;
  const double rps = dt > 0 ? static_cast<double>(p.counters.requests_done - before.counters.requests_done) / dt : 0;
  const std::uint64_t errors = p.counters.requests_errored + p.counters.requests_timeout;
  return fmt::format("[{:6.1f}s]{} {:.0f} req/s, {} done, {} errors, {} dropped, {} in flight", p.elapsed_seconds,
                     p.steady ? "" : " warm-up", rps, p.counters.requests_done, errors, p.counters.requests_dropped,
                     p.in_flight);
}

}  // namespace h2soak::workloads
