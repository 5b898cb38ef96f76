#include "harness/run/generator_check.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace h2soak::run {
namespace {

void add(std::map<std::string, result::AnalysisMetric>& out, const std::string& name, double value,
         const std::string& unit, const std::string& note = "") {
  result::AnalysisMetric m;
  m.value = value;
  m.unit = unit;
  m.direction = result::Direction::kNone;
  m.note = note;
  out[name] = m;
}

bool within(double t, const sampler::PhaseMark& steady, double end) { return t > steady.start && t <= end; }

// Mean busy fraction of one worker over the intervals that ended within
// steady, weighted by their length; NaN without such an interval.
double steady_busy(const result::GeneratorWorker& w, const sampler::PhaseMark& steady, double end) {
  double cpu = 0, wall = 0;
  for (std::size_t i = 0; i < w.t.size() && i < w.busy.size(); ++i) {
    if (!within(w.t[i], steady, end) || !std::isfinite(w.busy[i])) continue;
    const double len = i == 0 ? w.t[i] : w.t[i] - w.t[i - 1];
    cpu += w.busy[i] * len;
    wall += len;
  }
  return wall > 0 ? cpu / wall : std::nan("");
}

// The generator process's own peaks and its CPU (cores) over steady.
void add_process_figures(const sampler::SampleSeries& s, const sampler::PhaseMark& steady, double end,
                         std::map<std::string, result::AnalysisMetric>& out) {
  if (s.samples.empty()) return;
  const ProcessFigures f = process_figures(s, steady.start, end);
  add(out, "generator.rss.peak", static_cast<double>(f.rss_peak), "bytes");
  if (f.fds_readable) add(out, "generator.fds.peak", static_cast<double>(f.fds_peak), "count");
  add(out, "generator.threads.peak", static_cast<double>(f.threads_peak), "count");
  if (f.cpu) add(out, "generator.cpu", *f.cpu, "cores");
}

}  // namespace

ProcessFigures process_figures(const sampler::SampleSeries& s, double from, double to) {
  ProcessFigures f;
  f.fds_readable = s.fds_readable;
  const sampler::Sample* first = nullptr;
  const sampler::Sample* last = nullptr;
  for (const auto& x : s.samples) {
    f.rss_peak = std::max(f.rss_peak, x.rss);
    f.threads_peak = std::max(f.threads_peak, x.threads);
    f.fds_peak = std::max(f.fds_peak, x.fds);
    if (x.t >= from && x.t <= to) {
      if (first == nullptr) first = &x;
      last = &x;
    }
  }
  if (first != nullptr && last != first && last->t > first->t) {
    f.cpu = ((last->utime + last->stime) - (first->utime + first->stime)) / (last->t - first->t);
  }
  return f;
}

std::vector<std::string> check_generator(const result::Generator& g, const sampler::PhaseMark& steady,
                                         std::uint32_t cpu_count, std::map<std::string, result::AnalysisMetric>& out,
                                         const GeneratorLimits& limits) {
  double end = steady.end;
  if (end < 0) {
    end = steady.start;
    for (const auto& w : g.workers) {
      if (!w.t.empty()) end = std::max(end, w.t.back());
    }
  }
  if (g.samples) add_process_figures(*g.samples, steady, end, out);

  std::vector<std::string> warnings;
  double busiest = std::nan("");
  std::size_t busiest_index = 0;
  double lag_p99 = 0, lag_max = 0;
  std::size_t laggiest_index = 0;
  for (std::size_t i = 0; i < g.workers.size(); ++i) {
    const auto& w = g.workers[i];
    const double busy = steady_busy(w, steady, end);
    if (std::isfinite(busy) && !(busy <= busiest)) {
      busiest = busy;
      busiest_index = i;
    }
    if (w.loop_lag.count() == 0) continue;
    const auto p99 = static_cast<double>(w.loop_lag.value_at_percentile(99));
    if (p99 > lag_p99) {
      lag_p99 = p99;
      laggiest_index = i;
    }
    lag_max = std::max(lag_max, static_cast<double>(w.loop_lag.max()));
  }
  if (g.workers.empty()) return warnings;
  if (std::isfinite(busiest)) {
    add(out, "generator.busy", busiest, "fraction", "the busiest worker thread's CPU time over steady wall time");
    if (busiest >= limits.busy) {
      warnings.push_back(fmt::format(
          "the generator was CPU-saturated: worker thread {} of {} was busy {:.0f} % of the steady phase, so "
          "latency and throughput measure h2soak as much as the target; give it more threads (--threads, "
          "{} CPUs here) or less load per host",
          busiest_index, g.workers.size(), 100 * busiest, cpu_count));
    }
  }
  add(out, "generator.loop_lag.p99", lag_p99, "us", "how late the worker timers fired (worst worker)");
  add(out, "generator.loop_lag.max", lag_max, "us");
  if (lag_p99 > limits.lag_us) {
    warnings.push_back(fmt::format(
        "the generator fell behind its schedule: worker thread {}'s timers fired more than {:.0f} ms late on "
        "over 1 % of its ticks (p99 {:.1f} ms, worst {:.1f} ms); arrivals were sent that much after their due "
        "time and the latencies include that delay",
        laggiest_index, limits.lag_us / 1000, lag_p99 / 1000, lag_max / 1000));
  }
  return warnings;
}

}  // namespace h2soak::run
