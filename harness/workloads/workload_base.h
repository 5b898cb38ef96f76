#pragma once
// The common frame of the plan workloads (tabs, sse, upload, short, idle):
// per-phase metrics, the active windows and close_at of the PlannedWorkload,
// and the load::Workload calls the engine makes. A subclass implements the
// traffic itself through four hooks, all called on the worker thread:
//
//   on_window_open()   a load window began (or start() found one open): start work
//   on_window_close()  the window ended, or the run is stopping: start nothing new
//                      (in-flight work may finish or be left as the kind wants)
//   close_all()        close every connection now: at close_at once nothing is in
//                      flight (or after kCloseGrace, whichever is first), or at
//                      abort(); must be idempotent and must not reconnect afterwards
//   on_phase(metrics)  warm-up ended: point connections at the steady metrics
//
// Windows and close_at are offsets from the worker's origin (the plan's time
// zero). The engine's stop() (run end / stop flag) counts as the end of every
// window; its abort() as close_at. Requests are recorded into the metrics of
// the phase they started in (StreamRecord::user_tag = phase_tag()).

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/load/event.h"
#include "harness/load/workload.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/workloads/workload_context.h"

namespace h2soak::load {
class Worker;
}

namespace h2soak::workloads {

class WorkloadBase : public load::Workload {
 public:
  // At close_at, requests in flight get this long to finish before
  // close_all() cuts them (they are then counted as errored, class other).
  static constexpr Nanos kCloseGrace = std::chrono::seconds(1);

  WorkloadBase(load::Worker& worker, WorkloadContext context);
  ~WorkloadBase() override;

  std::string_view name() const override { return context_.planned.name; }
  void start() final;
  void begin_steady() final;
  void stop() final;
  void abort() final;
  void progress(metrics::Counters& counters, std::uint64_t& in_flight) const override;
  const metrics::WorkloadMetrics& metrics(load::Phase phase) const override {
    return metrics_[static_cast<int>(phase)];
  }
  bool never_connected() const override { return !ever_connected_; }
  std::string last_error() const override { return last_error_; }

 protected:
  virtual void on_window_open() = 0;
  virtual void on_window_close() {}
  virtual void close_all() = 0;
  virtual void on_phase(metrics::WorkloadMetrics& current) { (void)current; }
  virtual std::uint64_t in_flight() const = 0;

  // Inside a load window, not stopping, not closed: new work may start.
  bool active() const { return window_open_ && !stopping_ && !closed_; }
  bool closed() const { return closed_; }
  // When the open window began (origin + its start offset), plus the
  // planned arrival_offset (a shard's place in the interleaved schedule,
  // scenario/shard.h): open models schedule arrivals from here, so a late
  // start is a burst, never a gap.
  TimePoint window_start() const { return window_start_; }
  TimePoint window_end() const { return window_end_; }
  load::Phase phase() const { return phase_; }
  std::uint64_t phase_tag() const { return static_cast<std::uint64_t>(phase_); }
  metrics::WorkloadMetrics& current() { return metrics_[static_cast<int>(phase_)]; }
  metrics::WorkloadMetrics& metrics_of(std::uint64_t tag) { return metrics_[tag < 2 ? tag : 1]; }
  // A uniformly random duration in [min, max].
  Nanos random_in(Nanos min, Nanos max);
  double random_unit() { return unit_(rng_); }
  std::mt19937_64& rng() { return rng_; }
  void note_connected() { ever_connected_ = true; }
  void note_error(const std::string& message) { if (!message.empty()) last_error_ = message; }

  load::Worker& worker_;
  WorkloadContext context_;

 private:
  void on_schedule_timer();
  void arm_schedule();

  metrics::WorkloadMetrics metrics_[load::kPhaseCount];
  load::Phase phase_ = load::Phase::kWarmup;
  bool window_open_ = false;
  TimePoint window_start_{}, window_end_{};
  bool closing_ = false;       // close_at passed, waiting for in-flight work
  TimePoint close_deadline_{};
  bool stopping_ = false;
  bool closed_ = false;
  bool ever_connected_ = false;
  std::string last_error_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::unique_ptr<load::Timer> schedule_timer_;
};

}  // namespace h2soak::workloads
