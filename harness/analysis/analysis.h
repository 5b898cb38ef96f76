#pragma once
// Leak and cost analysis of one run's SampleSeries (harness/sampler/sample.h).
// Pure: no I/O, no clock; the runner calls analyze() after the sampler has
// stopped and stores the metrics in the result.
//
// Windows, all taken from the phase marks in the series:
//   before load   the last `baseline_samples` samples with t < start of the first phase
//                 (if there are none: the first sample, and a note says so)
//   loaded        from the start of the first phase to the start of the cooldown phase
//                 (to the end of the last phase if there is no cooldown)
//   steady        the phase named options.steady_phase
//   cooldown end  the last `residual_samples` samples inside the cooldown phase
//
// Metrics (names are stable; compare and the result JSON key on them):
//   rss.slope                    bytes/s   Theil–Sen slope of VmRSS over steady, with CI     leak
//   rss.retained_per_1k_requests bytes     rss.slope / (steady requests / steady seconds) * 1000, CI scaled  leak
//   rss.residual                 bytes     mean RSS at cooldown end - mean RSS before load    leak
//   rss.peak                     bytes     max VmHWM
//   threads.slope / fds.slope    count/s   as rss.slope                                        leak
//   threads.residual / fds.residual count  as rss.residual                                     leak
//   threads.peak / fds.peak      count     max over the run
//   cpu.us_per_request           us        (utime+stime) over the loaded window / loaded requests
//   gauge.<selector>.slope       <unit>/s  the same three for every scraped gauge, in the unit    leak
//                                          its name states (Prometheus suffixes: *_bytes →
//                                          bytes, *_seconds → s; else a count, "" and 1/s)
//   gauge.<selector>.residual    <unit>                                                         leak
//   gauge.<selector>.peak        <unit>
// A metric whose window has too few samples is left out and a note says why.

#include <cstdint>
#include <string>
#include <vector>

#include "harness/analysis/metric.h"
#include "harness/sampler/sample.h"

namespace h2soak::analysis {

struct RequestCounts {
  std::uint64_t steady = 0;  // requests completed during the steady phase
  std::uint64_t loaded = 0;  // requests completed during all loaded phases (warmup + steady + ...)
};

struct AnalysisOptions {
  std::string steady_phase = "steady";
  std::string cooldown_phase = "cooldown";
  double confidence = 0.95;        // of the slope intervals
  std::size_t max_fit_points = 600;  // Theil–Sen input is thinned to this many points
  std::size_t residual_samples = 5;  // samples averaged at the end of cooldown
  std::size_t baseline_samples = 5;  // samples averaged just before load
};

struct Analysis {
  std::vector<Metric> metrics;
  std::vector<std::string> notes;  // windows that were missing or too short, in plain words

  const Metric* find(const std::string& name) const;
};

Analysis analyze(const sampler::SampleSeries& series, const RequestCounts& requests,
                 const AnalysisOptions& options = {});

}  // namespace h2soak::analysis
