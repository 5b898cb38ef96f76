#include "harness/run/client_metrics.h"

#include <string_view>
#include <utility>

#include "harness/metrics/workload_metrics.h"

namespace h2soak::run {
namespace {

using result::AnalysisMetric;
using result::Direction;
using MetricMap = std::map<std::string, AnalysisMetric>;

AnalysisMetric metric(double value, std::string unit, Direction direction = Direction::kNone) {
  AnalysisMetric m;
  m.value = value;
  m.unit = std::move(unit);
  m.direction = direction;
  return m;
}

std::uint64_t errors_of(const metrics::Counters& c) {
  return c.requests_failed + c.requests_errored + c.requests_timeout + c.connections_failed;
}

// Percentiles of one histogram as "<prefix>.p50" ...; nothing when it is
// empty. Values are multiplied by `scale` into `unit`.
void add_percentiles(const std::string& prefix, const metrics::Histogram& h, MetricMap& out, bool gate_p99,
                     const std::string& unit = "us", double scale = 1) {
  if (h.count() == 0) return;
  struct P { const char* name; double p; };
  static constexpr P kPs[] = {{"p50", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"p999", 99.9}};
  for (const auto& p : kPs) {
    auto m = metric(static_cast<double>(h.value_at_percentile(p.p)) * scale, unit);
    if (gate_p99 && std::string(p.name) == "p99") m.direction = Direction::kLowerIsBetter;
    out[prefix + "." + p.name] = m;
  }
  out[prefix + ".max"] = metric(static_cast<double>(h.max()) * scale, unit);
  out[prefix + ".mean"] = metric(h.mean() * scale, unit);
}

// A workload's own histogram (extra_histograms: "sse.event_gap_us",
// "upload.throughput_kib_s", ...) as metrics named without the unit suffix
// ("sse.event_gap.p99"), so thresholds can gate them. Informational.
void add_extra_histograms(const std::string& prefix, const metrics::WorkloadMetrics& m, MetricMap& out) {
  struct Suffix { std::string_view text; const char* unit; double scale; };
  static constexpr Suffix kSuffixes[] = {{"_us", "us", 1}, {"_bytes", "bytes", 1}, {"_kib_s", "bytes/s", 1024}};
  for (const auto& [name, h] : m.extra_histograms) {
    for (const auto& suffix : kSuffixes) {
      if (name.size() > suffix.text.size() && name.ends_with(suffix.text)) {
        add_percentiles(prefix + name.substr(0, name.size() - suffix.text.size()), h, out, false, suffix.unit,
                        suffix.scale);
        break;
      }
    }
  }
}

struct Merged {
  metrics::WorkloadMetrics warmup;
  metrics::WorkloadMetrics steady;
};

// Adds one set of figures under `prefix` ("" for the scenario, "W." for a workload).
void add_set(const std::string& prefix, const Merged& m, const metrics::WorkloadMetrics* latency_source,
             double steady_seconds, bool gated, MetricMap& out) {
  const auto& s = m.steady.counters;
  const std::uint64_t errors = errors_of(m.warmup.counters) + errors_of(s);
  const std::uint64_t attempts = m.warmup.counters.requests_done + s.requests_done +
                                 m.warmup.counters.connections_failed + s.connections_failed;
  out[prefix + "requests"] = metric(static_cast<double>(s.requests_done), "count");
  if (steady_seconds > 0) {
    out[prefix + "rps"] = metric(static_cast<double>(s.requests_done) / steady_seconds, "req/s",
                                 gated ? Direction::kHigherIsBetter : Direction::kNone);
    out[prefix + "connections.per_s"] =
        metric(static_cast<double>(s.connections_opened) / steady_seconds, "conn/s");
  }
  out[prefix + "errors"] = metric(static_cast<double>(errors), "count",
                                  gated ? Direction::kLowerIsBetter : Direction::kNone);
  out[prefix + "error_rate"] =
      metric(attempts > 0 ? static_cast<double>(errors) / static_cast<double>(attempts) : 0.0, "fraction");
  out[prefix + "dropped"] =
      metric(static_cast<double>(m.warmup.counters.requests_dropped + s.requests_dropped), "count");
  out[prefix + "connections.opened"] = metric(static_cast<double>(s.connections_opened), "count");
  const metrics::WorkloadMetrics& lat = latency_source != nullptr ? *latency_source : m.steady;
  add_percentiles(prefix + "latency", lat.request_total, out, gated);
  add_percentiles(prefix + "ttfb", lat.ttfb, out, false);
  add_percentiles(prefix + "connect", m.steady.connect, out, false);
  add_percentiles(prefix + "tls", m.steady.tls_handshake, out, false);
  add_extra_histograms(prefix, m.steady, out);
}

bool held_open(const std::string& kind) { return kind == "sse" || kind == "idle"; }

}  // namespace

std::uint64_t requests_done(const std::vector<result::WorkloadResult>& workloads, const std::string& phase) {
  std::uint64_t n = 0;
  for (const auto& w : workloads) {
    if (const auto* m = w.find_phase(phase)) n += m->counters.requests_done;
  }
  return n;
}

void add_client_metrics(const ClientMetricsInput& in, MetricMap& out) {
  if (in.workloads == nullptr) return;
  Merged all;
  metrics::WorkloadMetrics short_requests;  // steady, without sse/idle
  bool have_short = false;
  for (const auto& w : *in.workloads) {
    Merged one;
    if (const auto* m = w.find_phase("warmup")) one.warmup.merge(*m);
    if (const auto* m = w.find_phase("steady")) one.steady.merge(*m);
    all.warmup.merge(one.warmup);
    all.steady.merge(one.steady);
    if (!held_open(w.kind)) {
      short_requests.merge(one.steady);
      have_short = true;
    }
    add_set(w.name + ".", one, nullptr, in.steady_seconds, false, out);
    for (const auto& [name, value] : one.steady.extra_counters) {
      std::uint64_t total = value;
      if (auto it = one.warmup.extra_counters.find(name); it != one.warmup.extra_counters.end()) total += it->second;
      out[w.name + "." + name] = metric(static_cast<double>(total), "count");
    }
    // Resuming workloads (short_connections tls_resume): the share of connections
    // opened (warm-up and steady, like the counter) whose TLS handshake resumed.
    const auto st = one.steady.extra_counters.find("tls_resumed");
    const auto wt = one.warmup.extra_counters.find("tls_resumed");
    const bool steady_has = st != one.steady.extra_counters.end(), warmup_has = wt != one.warmup.extra_counters.end();
    if (steady_has || warmup_has) {
      const std::uint64_t resumed = (steady_has ? st->second : 0) + (warmup_has ? wt->second : 0);
      const std::uint64_t opened = one.warmup.counters.connections_opened + one.steady.counters.connections_opened;
      if (opened > 0)
        out[w.name + ".tls.resumed_share"] =
            metric(static_cast<double>(resumed) / static_cast<double>(opened), "fraction");
    }
  }
  add_set("", all, have_short ? &short_requests : nullptr, in.steady_seconds, true, out);
}

}  // namespace h2soak::run
