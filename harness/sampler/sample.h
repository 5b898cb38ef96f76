#pragma once
// The data the sampler produces: plain values, no behaviour. The sampler
// (sampler.h) fills a SampleSeries while a run is under way; the runner hands
// it to analysis (harness/analysis) and to the result writer (harness/result),
// which serialize it as-is. Nothing here depends on the rest of the harness.
//
// Units, fixed so that readers never guess:
//   times        seconds, double; `t` is measured from the run's start (the
//                TimePoint the runner gives the Sampler), not from the process
//                start and not wall-clock
//   memory       bytes (the kernel reports kB in /proc/PID/status; the parser
//                converts)
//   CPU          seconds of CPU consumed by the whole process (all threads)
//                since it started, i.e. cumulative; take deltas for rates
//   counts       plain integers (threads, open file descriptors)
//   gauges       the value as scraped, in the exporter's own unit

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace h2soak::sampler {

// One tick of the sampler.
struct Sample {
  double t = 0;                // seconds since run start
  std::uint64_t rss = 0;       // VmRSS, bytes
  std::uint64_t hwm = 0;       // VmHWM (peak RSS since process start), bytes
  std::uint64_t rss_anon = 0;  // RssAnon, bytes
  std::uint64_t pss = 0;       // Pss from smaps_rollup, bytes; 0 if not sampled this tick
  std::uint64_t threads = 0;   // Threads
  std::uint64_t fds = 0;       // entries of /proc/PID/fd; 0 if unreadable (see SampleSeries::fds_readable)
  double utime = 0;            // user CPU seconds, cumulative
  double stime = 0;            // system CPU seconds, cumulative
  // Prometheus gauges scraped on this tick, by the selector the user asked for
  // (e.g. "go_goroutines" or `http_conns{state="idle"}`). Empty on ticks
  // without a scrape; a selector missing from a scrape is absent from the map.
  std::map<std::string, double> gauges;
};

// A named phase as the runner announced it: [start, end) in seconds since run
// start. `end` is negative while the phase is still open.
struct PhaseMark {
  std::string name;  // "warmup", "steady", "cooldown", or a scenario's own
  double start = 0;
  double end = -1;
};

// Everything the sampler recorded for one run. Samples are in time order.
struct SampleSeries {
  int pid = 0;                           // the sampled process
  double interval = 0.1;                 // nominal /proc interval, seconds
  double pss_interval = 1.0;             // nominal smaps_rollup interval, seconds (0: never)
  double scrape_interval = 1.0;          // nominal Prometheus scrape interval, seconds (0: never)
  std::string metrics_url;               // empty: no scraping
  std::vector<std::string> gauge_names;  // the selectors asked for, in order
  std::vector<Sample> samples;
  std::vector<PhaseMark> phases;         // in the order announced

  bool fds_readable = true;              // false if /proc/PID/fd could not be listed (permissions)
  std::uint64_t scrape_failures = 0;     // scrapes that timed out, failed, or did not parse
  std::uint64_t late_ticks = 0;          // ticks that started more than one interval late

  // Set when the process disappeared while being sampled (ESRCH / missing
  // /proc entry). Samples taken before that moment are kept.
  bool target_vanished = false;
  double vanished_at = -1;               // seconds since run start; -1 if it did not vanish
};

}  // namespace h2soak::sampler
