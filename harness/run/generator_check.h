#pragma once
// The generator judges itself: from RunResult::generator (h2soak's own
// process samples and each worker thread's busy fraction and timer lateness)
// to informational metrics `generator.*` and to warnings when the generator,
// not the target, may have set the figures:
//   - CPU-saturated: a worker thread was busy (its CPU time over wall time)
//     for at least `busy` of the steady phase; more load than that thread can
//     make shows up as the target's latency and a lower rate.
//   - behind its schedule: a worker's 100 ms housekeeping timer fired more than
//     `lag_us` late on more than 1 % of its steady ticks (p99 above the limit);
//     due arrivals and timeouts were late by as much, so latencies counted from
//     the due time carry the generator's own delay.
// Like k6's "dropped iterations" warning, this does not fail the run: the
// warnings go into the result, the terminal and Markdown summaries.
//
// Pure: no I/O, no clock. Called by analyze_result().

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/load/worker.h"
#include "harness/result/run_result.h"

namespace h2soak::run {

struct GeneratorLimits {
  double busy = 0.9;       // fraction of the steady wall time
  double lag_us = 20'000;  // timer lateness at p99
};

// The engine's per-worker self-monitoring figures as the result records them
// (RunResult::generator->workers), in worker index order.
inline std::vector<result::GeneratorWorker> generator_workers(const std::vector<load::WorkerLoad>& workers) {
  std::vector<result::GeneratorWorker> out;
  out.reserve(workers.size());
  for (const auto& w : workers) {
    result::GeneratorWorker gw;
    gw.t = w.t;
    gw.busy = w.busy;
    gw.lag_max = w.lag_max;
    gw.loop_lag = w.loop_lag;
    out.push_back(std::move(gw));
  }
  return out;
}

// One sampled process's figures: RSS, threads and fds peaks over the whole
// series, and its CPU (cores) between the first and last sample in [from,
// to]; cpu is absent with fewer than two samples there. The generator's own
// figures and a capacity stage's target figures are both this.
struct ProcessFigures {
  std::uint64_t rss_peak = 0, threads_peak = 0, fds_peak = 0;
  bool fds_readable = false;
  std::optional<double> cpu;
};
ProcessFigures process_figures(const sampler::SampleSeries& s, double from,
                               double to = std::numeric_limits<double>::infinity());

// Adds generator.busy, generator.loop_lag.p99/.max, generator.rss.peak,
// generator.fds.peak, generator.threads.peak and generator.cpu (cores, steady)
// to `out` (direction none: never compared with a baseline), and returns the
// warnings. `steady` is the steady phase [start, end) in seconds since run
// start (end < 0: open, taken as the last sample).
std::vector<std::string> check_generator(const result::Generator& g, const sampler::PhaseMark& steady,
                                         std::uint32_t cpu_count, std::map<std::string, result::AnalysisMetric>& out,
                                         const GeneratorLimits& limits = {});

}  // namespace h2soak::run
