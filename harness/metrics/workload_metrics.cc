#include "harness/metrics/workload_metrics.h"

namespace h2soak::metrics {

Histogram& WorkloadMetrics::extra_histogram(std::string_view name) {
  auto it = extra_histograms.find(name);
  if (it == extra_histograms.end()) it = extra_histograms.emplace(std::string(name), Histogram()).first;
  return it->second;
}

std::uint64_t& WorkloadMetrics::extra_counter(std::string_view name) {
  auto it = extra_counters.find(name);
  if (it == extra_counters.end()) it = extra_counters.emplace(std::string(name), 0).first;
  return it->second;
}

void WorkloadMetrics::merge(const WorkloadMetrics& o) {
  counters.merge(o.counters);
  request_total.merge(o.request_total);
  ttfb.merge(o.ttfb);
  connect.merge(o.connect);
  tls_handshake.merge(o.tls_handshake);
  series.merge(o.series);
  for (const auto& [name, h] : o.extra_histograms) extra_histogram(name).merge(h);
  for (const auto& [name, n] : o.extra_counters) extra_counter(name) += n;
}

void WorkloadMetrics::reset() {
  counters = Counters{};
  request_total.reset();
  ttfb.reset();
  connect.reset();
  tls_handshake.reset();
  series.clear();
  for (auto& [name, h] : extra_histograms) h.reset();
  for (auto& [name, n] : extra_counters) n = 0;
}

}  // namespace h2soak::metrics
