#include "harness/analysis/analysis.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string_view>

#include "harness/analysis/theil_sen.h"

namespace h2soak::analysis {
namespace {

using sampler::PhaseMark;
using sampler::Sample;
using sampler::SampleSeries;

// A series of (t, value) points extracted from the samples.
struct Points {
  std::vector<double> t;
  std::vector<double> v;
};

using Getter = std::function<std::optional<double>(const Sample&)>;

Points extract(const SampleSeries& s, const Getter& get, double from, double to) {
  Points p;
  for (const auto& x : s.samples) {
    if (x.t < from || x.t >= to) continue;
    if (auto v = get(x)) {
      p.t.push_back(x.t);
      p.v.push_back(*v);
    }
  }
  return p;
}

double mean_of_tail(const std::vector<double>& v, std::size_t k) {
  k = std::min(k, v.size());
  double sum = 0;
  for (std::size_t i = v.size() - k; i < v.size(); ++i) sum += v[i];
  return sum / static_cast<double>(k);
}

const PhaseMark* find_phase(const SampleSeries& s, const std::string& name) {
  for (const auto& p : s.phases)
    if (p.name == name) return &p;
  return nullptr;
}

double phase_end(const SampleSeries& s, const PhaseMark& p) {
  if (p.end >= 0) return p.end;
  return s.samples.empty() ? p.start : s.samples.back().t + 1e-9;
}

// Linear interpolation of a cumulative quantity at time t (clamped to the ends).
std::optional<double> value_at(const SampleSeries& s, double t, const std::function<double(const Sample&)>& f) {
  const auto& xs = s.samples;
  if (xs.empty()) return std::nullopt;
  if (t <= xs.front().t) return f(xs.front());
  if (t >= xs.back().t) return f(xs.back());
  auto it = std::lower_bound(xs.begin(), xs.end(), t, [](const Sample& a, double tt) { return a.t < tt; });
  const Sample& hi = *it;
  const Sample& lo = *(it - 1);
  double w = hi.t > lo.t ? (t - lo.t) / (hi.t - lo.t) : 0;
  return f(lo) + w * (f(hi) - f(lo));
}

// The unit of a scraped gauge from the Prometheus naming convention (base
// units as name suffixes): "bytes" for *_bytes, "s" for *_seconds, else ""
// (a count: goroutines, connections, sessions). Labels are not part of it.
std::string gauge_unit(const std::string& selector) {
  std::string_view name(selector);
  name = name.substr(0, name.find('{'));
  auto ends = [&name](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends("_bytes")) return "bytes";
  if (ends("_seconds")) return "s";
  return "";
}

struct Windows {
  double first_phase_start = 0;
  bool have_phases = false;
  const PhaseMark* steady = nullptr;
  const PhaseMark* cooldown = nullptr;
  double loaded_from = 0, loaded_to = 0;
};

class Analyzer {
 public:
  Analyzer(const SampleSeries& s, const RequestCounts& r, const AnalysisOptions& o) : s_(s), r_(r), o_(o) {
    w_.have_phases = !s.phases.empty();
    if (w_.have_phases) {
      w_.first_phase_start = s.phases.front().start;
      w_.steady = find_phase(s, o.steady_phase);
      w_.cooldown = find_phase(s, o.cooldown_phase);
      w_.loaded_from = w_.first_phase_start;
      w_.loaded_to = w_.cooldown ? w_.cooldown->start : phase_end(s, s.phases.back());
    }
  }

  Analysis run() {
    if (s_.samples.empty()) {
      out_.notes.push_back("no samples were taken; nothing to analyse");
      return std::move(out_);
    }
    if (!w_.have_phases) out_.notes.push_back("no phase marks; slopes and residuals need phases");
    if (w_.have_phases && !w_.steady) out_.notes.push_back("no '" + o_.steady_phase + "' phase; no slopes");
    if (w_.have_phases && !w_.cooldown) out_.notes.push_back("no '" + o_.cooldown_phase + "' phase; no residuals");
    if (w_.have_phases && s_.samples.front().t >= w_.first_phase_start)
      out_.notes.push_back("no sample before the load began; residuals are against the first sample");

    auto rss = [](const Sample& x) -> std::optional<double> { return static_cast<double>(x.rss); };
    auto threads = [](const Sample& x) -> std::optional<double> { return static_cast<double>(x.threads); };
    auto fds = [](const Sample& x) -> std::optional<double> { return static_cast<double>(x.fds); };
    auto hwm = [](const Sample& x) -> std::optional<double> { return static_cast<double>(x.hwm); };

    slope("rss", "bytes/s", rss, /*per_request=*/true);
    residual("rss", "bytes", rss);
    peak("rss", "bytes", hwm);
    slope("threads", "count/s", threads, false);
    residual("threads", "count", threads);
    peak("threads", "count", threads);
    if (s_.fds_readable) {
      slope("fds", "count/s", fds, false);
      residual("fds", "count", fds);
      peak("fds", "count", fds);
    } else {
      out_.notes.push_back("the target's fd table was not readable; no fd metrics");
    }
    // Anonymous RSS and PSS (read every pss_interval; 0 on other ticks): for
    // thresholds ("rss_anon.peak < 200MiB"); not compared with a baseline,
    // where RSS already stands for memory.
    auto rss_anon = [](const Sample& x) -> std::optional<double> { return static_cast<double>(x.rss_anon); };
    auto pss = [](const Sample& x) -> std::optional<double> {
      return x.pss > 0 ? std::optional<double>(static_cast<double>(x.pss)) : std::nullopt;
    };
    for (const auto& [prefix, get] : {std::pair<const char*, Getter>{"rss_anon", rss_anon}, {"pss", pss}}) {
      slope(prefix, "bytes/s", get, /*per_request=*/false, Direction::kNone);
      residual(prefix, "bytes", get, Direction::kNone);
      peak(prefix, "bytes", get, Direction::kNone);
    }
    cpu_per_request();
    for (const auto& name : s_.gauge_names) {
      Getter g = [name](const Sample& x) -> std::optional<double> {
        auto it = x.gauges.find(name);
        if (it == x.gauges.end() || !std::isfinite(it->second)) return std::nullopt;
        return it->second;
      };
      std::string prefix = "gauge." + name;
      const std::string unit = gauge_unit(name);
      slope(prefix, unit.empty() ? "1/s" : unit + "/s", g, false);
      residual(prefix, unit, g);
      peak(prefix, unit, g);
    }
    return std::move(out_);
  }

 private:
  // Each adds its metric with `direction` (kNone: thresholds only, never compared).
  void slope(const std::string& prefix, const std::string& unit, const Getter& get, bool per_request,
             Direction direction = Direction::kLowerIsBetter) {
    if (!w_.steady) return;
    Points p = extract(s_, get, w_.steady->start, phase_end(s_, *w_.steady));
    auto fit = theil_sen(p.t, p.v, o_.confidence, o_.max_fit_points);
    if (!fit) {
      out_.notes.push_back(prefix + ".slope: fewer than 3 samples in steady");
      return;
    }
    out_.metrics.push_back(Metric{prefix + ".slope", fit->slope, unit, direction, fit->ci_low,
                                  fit->ci_high, true});
    if (!per_request) return;
    double seconds = phase_end(s_, *w_.steady) - w_.steady->start;
    if (r_.steady == 0 || seconds <= 0) {
      out_.notes.push_back(prefix + ".retained_per_1k_requests: no requests in steady");
      return;
    }
    double per_1k = 1000.0 * seconds / static_cast<double>(r_.steady);  // seconds per 1,000 requests
    out_.metrics.push_back(Metric{prefix + ".retained_per_1k_requests", fit->slope * per_1k, "bytes",
                                  direction, fit->ci_low * per_1k, fit->ci_high * per_1k, true});
  }

  void residual(const std::string& prefix, const std::string& unit, const Getter& get,
                Direction direction = Direction::kLowerIsBetter) {
    if (!w_.cooldown) return;
    Points before = extract(s_, get, -INFINITY, w_.first_phase_start);
    if (before.v.empty()) before = extract(s_, get, -INFINITY, INFINITY);  // first value instead
    Points after = extract(s_, get, w_.cooldown->start, phase_end(s_, *w_.cooldown));
    if (before.v.empty() || after.v.empty()) {
      out_.notes.push_back(prefix + ".residual: no samples " +
                           std::string(before.v.empty() ? "before the load" : "in cooldown"));
      return;
    }
    double base = before.t.front() >= w_.first_phase_start ? before.v.front()
                                                           : mean_of_tail(before.v, o_.baseline_samples);
    double end = mean_of_tail(after.v, o_.residual_samples);
    out_.metrics.push_back(Metric{prefix + ".residual", end - base, unit, direction, std::nullopt,
                                  std::nullopt, true});
  }

  void peak(const std::string& prefix, const std::string& unit, const Getter& get,
            Direction direction = Direction::kLowerIsBetter) {
    std::optional<double> best;
    for (const auto& x : s_.samples)
      if (auto v = get(x)) best = best ? std::max(*best, *v) : *v;
    if (!best) {
      out_.notes.push_back(prefix + ".peak: never sampled");
      return;
    }
    out_.metrics.push_back(
        Metric{prefix + ".peak", *best, unit, direction, std::nullopt, std::nullopt, false});
  }

  void cpu_per_request() {
    if (!w_.have_phases) return;
    if (r_.loaded == 0) {
      out_.notes.push_back("cpu.us_per_request: no requests in the loaded phases");
      return;
    }
    auto cpu = [](const Sample& x) { return x.utime + x.stime; };
    auto a = value_at(s_, w_.loaded_from, cpu);
    auto b = value_at(s_, w_.loaded_to, cpu);
    if (!a || !b) return;
    double us = (*b - *a) * 1e6 / static_cast<double>(r_.loaded);
    out_.metrics.push_back(
        Metric{"cpu.us_per_request", us, "us", Direction::kLowerIsBetter, std::nullopt, std::nullopt, false});
  }

  const SampleSeries& s_;
  const RequestCounts& r_;
  const AnalysisOptions& o_;
  Windows w_;
  Analysis out_;
};

}  // namespace

const Metric* Analysis::find(const std::string& name) const {
  for (const auto& m : metrics)
    if (m.name == name) return &m;
  return nullptr;
}

Analysis analyze(const SampleSeries& series, const RequestCounts& requests, const AnalysisOptions& options) {
  return Analyzer(series, requests, options).run();
}

}  // namespace h2soak::analysis
