#include "harness/run/attribution_metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <optional>

#include "harness/analysis/attribution.h"

namespace h2soak::run {
namespace {

struct Signal {
  std::string name;  // "rss", "threads", "fds", "gauge.go_goroutines"
  std::string unit;  // "bytes", "threads", "fds", "units"
  std::vector<double> t, y;
};

std::string gauge_root(const std::string& selector) { return selector.substr(0, selector.find('{')); }

std::vector<Signal> signals_of(const sampler::SampleSeries& s) {
  Signal rss{"rss", "bytes", {}, {}}, threads{"threads", "threads", {}, {}}, fds{"fds", "fds", {}, {}};
  for (const auto& x : s.samples) {
    rss.t.push_back(x.t);
    rss.y.push_back(static_cast<double>(x.rss));
    threads.y.push_back(static_cast<double>(x.threads));
    fds.y.push_back(static_cast<double>(x.fds));
  }
  threads.t = fds.t = rss.t;
  std::vector<Signal> out{std::move(rss), std::move(threads)};
  if (s.fds_readable) out.push_back(std::move(fds));
  for (const auto& g : s.gauge_names) {
    Signal gs{"gauge." + gauge_root(g), "units", {}, {}};
    for (const auto& x : s.samples) {
      if (auto it = x.gauges.find(g); it != x.gauges.end()) {
        gs.t.push_back(x.t);
        gs.y.push_back(it->second);
      }
    }
    out.push_back(std::move(gs));
  }
  return out;
}

// One per-second field of `w` summed over whole seconds [from, to) and all
// phases (each phase's series counts from the run's start).
double sum_of(const result::WorkloadResult& w, std::uint64_t metrics::IntervalPoint::*field, std::size_t from = 0,
              std::size_t to = SIZE_MAX) {
  double n = 0;
  for (const auto& p : w.phases) {
    const auto& points = p.metrics.series.points();
    for (std::size_t s = from; s < to && s < points.size(); ++s) n += static_cast<double>(points[s].*field);
  }
  return n;
}

result::AnalysisMetric metric(double value, double low, double high, std::string unit, std::string note) {
  result::AnalysisMetric m;
  m.value = value;
  m.ci_low = low;
  m.ci_high = high;
  m.unit = std::move(unit);
  m.direction = result::Direction::kNone;
  m.note = std::move(note);
  return m;
}

}  // namespace

std::string attribution_event(const result::WorkloadResult& w) {
  if (w.kind == "sse") return "stream";
  if (w.kind == "upload") return "upload";
  if (w.kind == "short_connections") {
    auto it = w.params.find("requests_per_connection");
    return it == w.params.end() || it->second == "1" ? "connection" : "request";
  }
  return "request";
}

void add_attribution_metrics(const result::RunResult& r, std::map<std::string, result::AnalysisMetric>& out,
                             std::vector<std::string>& notes) {
  if (!r.modulation || !r.target.samples || r.modulation->slots == 0) return;
  const result::Modulation& mod = *r.modulation;

  // Slot edges on whole seconds: the event counts are per second.
  analysis::AttributionInput in;
  for (std::uint32_t i = 0; i <= mod.slots; ++i) in.edges.push_back(std::round(mod.start + i * mod.slot));
  std::vector<const result::WorkloadResult*> modulated;
  for (const auto& w : r.workloads) {
    if (mod.patterns.count(w.name) == 0) continue;
    modulated.push_back(&w);
    in.kinds.push_back(w.name);
    std::vector<double> per_slot;
    for (std::uint32_t i = 0; i < mod.slots; ++i) {
      per_slot.push_back(sum_of(w, &metrics::IntervalPoint::started, static_cast<std::size_t>(in.edges[i]),
                                static_cast<std::size_t>(in.edges[i + 1])));
    }
    in.events.push_back(std::move(per_slot));
  }
  if (modulated.empty()) return;
  // One more column per workload: its on/off steps (+1 switched on at the
  // slot's start, -1 switched off; it ran through warm-up). What a workload
  // holds only while it runs (its connections, buffers, threads of open
  // streams) moves the level with these steps and is not a leak.
  for (const auto* w : modulated) {
    const std::string& pattern = mod.patterns.at(w->name);
    in.kinds.push_back("~steps." + w->name);
    std::vector<double> steps;
    char before = '+';
    for (char c : pattern) {
      steps.push_back(c == before ? 0.0 : c == '+' ? 1.0 : -1.0);
      before = c;
    }
    in.events.push_back(std::move(steps));
  }

  for (auto& signal : signals_of(*r.target.samples)) {
    in.t = std::move(signal.t);
    in.y = std::move(signal.y);
    const analysis::Attribution a = analysis::attribute(in);
    const std::string prefix = kAttributionPrefix + signal.name + ".";
    if (!a.separable) {
      notes.push_back(prefix + "*: not attributed: " + a.why);
      continue;
    }
    if (!a.grew) {
      notes.push_back(fmt::format("{}*: not attributed: {} did not grow in steady beyond its noise ({:+.4g} {})",
                                  prefix, signal.name, a.total_growth, signal.unit));
      continue;
    }
    for (std::size_t k = 0; k < modulated.size(); ++k) {
      const auto& row = a.rows[k];
      const result::WorkloadResult& w = *modulated[k];
      const std::string event = attribution_event(w);
      std::string note = fmt::format("{:.0f} % of the steady growth over {:.0f} {}s", 100 * row.share, row.events, event);
      if (w.kind == "upload") {
        const double mib_per_upload = sum_of(w, &metrics::IntervalPoint::bytes_out) /
                                      std::max(1.0, sum_of(w, &metrics::IntervalPoint::started)) / (1024.0 * 1024.0);
        if (mib_per_upload > 0) note += fmt::format("; {:.4g} {} per MiB uploaded", row.per_event / mib_per_upload, signal.unit);
      }
      out[prefix + w.name] = metric(row.per_event, row.ci_low, row.ci_high, signal.unit + "/" + event, std::move(note));
    }
    out[prefix + kAttributionTime] = metric(a.per_second, a.per_second_ci_low, a.per_second_ci_high,
                                            signal.unit + "/s", "growth no event explains");
  }
}

}  // namespace h2soak::run
