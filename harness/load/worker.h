#pragma once
// A Worker is one thread with its own libev loop, its own TLS context, its
// own connections and its own metrics; nothing it touches on the hot path is
// shared (STYLE.md habit 3). The Runner creates N workers and merges their
// metrics after join; a copy of the live counters is published once a second
// into a mutex-protected slot (the only cross-thread state besides the stop
// signal).
//
// Services for workloads and connections (worker thread only):
//   loop(), now-ish timers (load::Timer), tls(), origin() (run start, shared by
//   all workers so per-second series line up), finish().
// Connections register themselves for the once-per-loop-turn flush of their
// batched output and for the request-timeout sweep.

#include <ev.h>

#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "harness/load/event.h"
#include "harness/load/workload.h"
#include "harness/metrics/counters.h"
#include "harness/metrics/histogram.h"
#include "harness/net/tls.h"
#include "harness/util/clock.h"

namespace h2soak::load {

class H2Connection;

struct WorkerSchedule {
  TimePoint origin;        // run start, common to all workers
  Nanos warmup{0};         // --warm-up-time
  Nanos duration{0};       // -D (steady phase length); 0: until the workload finishes
  Nanos drain{std::chrono::seconds(1)};  // after stop(): wait this long for in-flight requests
};

// How hard a worker's thread worked: the generator watching itself, since a
// saturated or lagging generator measures itself instead of the target.
// `busy` is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) over wall time,
// one value per ~1 s interval from run start; `loop_lag` is how late the
// worker's 100 ms housekeeping timer fired (µs) from the steady phase on —
// the delay every due arrival and timeout of that worker saw at the time.
struct WorkerLoad {
  std::vector<double> t;        // seconds since the run's origin, end of each interval
  std::vector<double> busy;     // 0..1 (a little above 1 from clock granularity)
  std::vector<double> lag_max;  // µs, the largest timer lateness in the interval
  metrics::Histogram loop_lag;  // µs, every tick from steady start
};

class Worker {
 public:
  // The schedule is known before any workload is built: workloads read
  // origin() when they are constructed (their per-second series count from it).
  Worker(int index, int count, net::TlsOptions tls_options, WorkerSchedule schedule);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int index() const { return index_; }
  int count() const { return count_; }
  struct ev_loop* loop() const { return loop_; }
  TimePoint origin() const { return schedule_.origin; }
  const WorkerSchedule& schedule() const { return schedule_; }
  // The worker's TLS context, created on first use (nullptr + error text on failure).
  // resume: one that offers the last session ticket on each new connection even when
  // the run's TLS options do not resume (a second context, shared by all such
  // connections of this worker; short_connections tls_resume).
  net::TlsContext* tls(std::string* error = nullptr, bool resume = false);
  // 64 KiB scratch buffer for reads (one at a time per worker).
  std::uint8_t* read_buffer() { return read_buffer_.get(); }
  static constexpr std::size_t kReadBufferSize = 64 * 1024;

  // Runs the workload to completion on the calling thread.
  void run(Workload& workload);
  // Called by the workload when it is done: the loop returns.
  void finish();
  // For a workload hosting several workloads (workloads::CompositeWorkload):
  // when set, finish() leaves the loop only if the filter returns true, so one
  // hosted workload being done does not end the others. Set before run(),
  // worker thread only; an empty function removes it.
  void set_finish_filter(std::function<bool()> filter) { finish_filter_ = std::move(filter); }
  // Thread-safe: ask the workload to stop (as at the deadline).
  void request_stop();
  bool stopping() const { return stopping_; }
  TimePoint steady_start() const { return steady_start_; }

  struct Snapshot {
    metrics::Counters counters;
    std::uint64_t in_flight = 0;
    bool steady = false;
  };
  // Thread-safe: the latest once-a-second copy.
  Snapshot snapshot() const;
  // After run() returned (or from the worker thread): the self-monitoring figures.
  const WorkerLoad& load() const { return load_; }

  // --- for load::H2Connection ---
  void add_connection(H2Connection* c);
  void remove_connection(H2Connection* c);
  void mark_dirty(H2Connection* c) { dirty_.push_back(c); }

 private:
  static void on_prepare(struct ev_loop*, ev_prepare* w, int);
  static void on_async(struct ev_loop*, ev_async* w, int);
  void flush_dirty();
  void publish();
  void begin_stop();
  void on_sweep();
  void measure_interval();

  int index_;
  int count_;
  net::TlsOptions tls_options_;
  std::unique_ptr<net::TlsContext> tls_;
  std::unique_ptr<net::TlsContext> tls_resume_;  // tls(_, true) when tls_options_.resume is off
  struct ev_loop* loop_;
  ev_prepare prepare_{};
  ev_async async_{};
  std::unique_ptr<std::uint8_t[]> read_buffer_;
  std::vector<H2Connection*> connections_;
  std::vector<H2Connection*> dirty_;
  Workload* workload_ = nullptr;
  std::function<bool()> finish_filter_;
  WorkerSchedule schedule_;
  TimePoint steady_start_{};
  bool stopping_ = false;
  bool finished_ = false;
  std::atomic<bool> stop_requested_{false};
  std::unique_ptr<Timer> warmup_timer_, deadline_timer_, drain_timer_, publish_timer_, sweep_timer_;

  WorkerLoad load_;
  TimePoint next_sweep_{};      // when the sweep timer is due next
  TimePoint interval_start_{};  // wall and thread CPU time at the last measure_interval()
  double interval_cpu_ = 0;
  double interval_lag_max_ = 0;

  mutable std::mutex snapshot_mutex_;
  Snapshot snapshot_;
};

}  // namespace h2soak::load
