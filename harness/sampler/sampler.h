#pragma once
// The periodic sampler: one thread that reads the target's /proc files at a
// fixed interval, plus (when a metrics URL is given) a second thread that
// scrapes Prometheus gauges at a lower rate, so that a slow endpoint never
// delays a /proc tick. Produces a SampleSeries (sample.h).
//
// Contract for the runner (the only caller):
//   1. create()        validates options and opens /proc/PID (fails if the process is not there)
//   2. start()         takes the first sample synchronously, then starts the threads;
//                      call it at least ~0.5 s (5 ticks) before the load starts: analysis
//                      takes the pre-load level from the last samples before the first phase
//   3. begin_phase()   at each phase boundary (warmup, steady, cooldown, ...), from any thread
//   4. stop()          after the cooldown; joins the threads and returns the series
// latest() and target_vanished() may be called from any thread at any time
// (live progress, the runner's watchdog). If the target disappears, sampling
// ends, target_vanished() turns true and the on_vanished callback (if set) runs
// once on the sampler thread; it must be quick and must not call stop().
// The destructor stops the threads if stop() was not called.
//
// pid 0 means no process on this host (a remote target, `run --remote`): the
// sampler then only records the phase marks; its series has no samples, and
// a metrics URL is refused (gauges are recorded on the process's samples).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/sampler/proc_reader.h"
#include "harness/sampler/sample.h"
#include "harness/sampler/scraper.h"
#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::sampler {

struct SamplerOptions {
  int pid = 0;                                            // 0: no process (phase marks only)
  Nanos interval = std::chrono::milliseconds(100);        // /proc tick
  unsigned pss_every = 10;                                // smaps_rollup every Nth tick; 0: never
  std::string metrics_url;                                // empty: no scraping
  std::vector<std::string> gauges;                        // selectors (prometheus.h), e.g. "go_goroutines"
  Nanos scrape_interval = std::chrono::seconds(1);
  Nanos scrape_timeout = std::chrono::milliseconds(500);  // per scrape; keep below scrape_interval
  bool insecure = false;                                  // TLS metrics endpoint with a self-signed cert
};

class Sampler {
 public:
  // run_start: the origin of Sample::t and PhaseMark times.
  static Result<std::unique_ptr<Sampler>> create(SamplerOptions options, TimePoint run_start);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Set before start(). Called at most once, on the sampler thread, with the
  // time (s since run start) at which the target was found gone.
  void set_on_vanished(std::function<void(double t)> callback);

  Status start();

  // Closes the open phase (if any) and opens `name` now.
  void begin_phase(const std::string& name);
  // Closes the open phase without opening another.
  void end_phase();

  // Joins the threads and returns everything sampled. Closes an open phase.
  // Call once; later calls return an empty series.
  SampleSeries stop();

  bool target_vanished() const { return vanished_.load(); }
  std::optional<Sample> latest() const;
  // Kernel thread id of the sampler thread (0 before start), to measure its own CPU cost.
  int sampler_tid() const { return sampler_tid_.load(); }
  // Kernel thread id of the scrape thread (0 before its first scrape or without a metrics URL).
  int scraper_tid() const { return scraper_tid_.load(); }

 private:
  Sampler(SamplerOptions options, TimePoint run_start, std::optional<ProcReader> reader);
  void sample_loop();
  void scrape_loop();
  double since_start(TimePoint t) const { return seconds_between(run_start_, t); }
  void close_open_phase_locked(double t);

  SamplerOptions options_;
  TimePoint run_start_;
  std::optional<ProcReader> reader_;  // sampler thread only (and start() before it); none for pid 0
  std::unique_ptr<Scraper> scraper_;
  std::function<void(double)> on_vanished_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  bool stopped_ = false;
  SampleSeries series_;
  std::optional<std::map<std::string, double>> pending_gauges_;  // last scrape not yet attached to a sample

  std::atomic<bool> vanished_{false};
  std::atomic<int> sampler_tid_{0};
  std::atomic<int> scraper_tid_{0};
  std::thread sample_thread_;
  std::thread scrape_thread_;
};

}  // namespace h2soak::sampler
