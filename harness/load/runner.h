#pragma once
// Runs a workload on N worker threads and merges what they measured.
//
//   RunnerOptions opts; opts.threads = 4; opts.duration = 10s; ...
//   RunOutcome out = run_workers(opts, [&](Worker& w) { return std::make_unique<BenchWorkload>(w, cfg); });
//
// The one run loop of h2soak: `h2soak bench` calls it with one bench workload
// per worker, workloads::run_plan with one composite of a scenario's
// workloads per worker.
//
// The factory is called on each worker's thread (so per-worker allocations
// are that thread's). While the workers run, the calling thread wakes every
// 100 ms to watch the stop flag and once a second hands the summed worker
// snapshots to on_progress (never called concurrently). After join the
// per-phase metrics of all workers are merged exactly, and on_joined sees
// each worker's workload before it is destroyed.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "harness/load/worker.h"
#include "harness/load/workload.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/tls.h"
#include "harness/util/clock.h"

namespace h2soak::load {

// What a run has done so far, once a second: the one progress value that the
// terminal line (run/progress.h), bench's line and the Python callback read.
struct Progress {
  double elapsed_seconds = 0;
  std::string phase;            // from RunnerOptions::phase_at; "" without it or past the end
  bool steady = false;          // warm-up over
  metrics::Counters counters;   // steady phase (warm-up phase while warming up)
  std::uint64_t in_flight = 0;
};

struct RunnerOptions {
  int threads = 1;
  Nanos warmup{0};
  Nanos duration{0};                     // 0: until each workload finishes (-n)
  Nanos drain{std::chrono::seconds(1)};  // after the deadline/stop, before abort()
  net::TlsOptions tls;
  // Set (e.g. by a SIGINT handler) to stop the run early; may be null.
  const std::atomic<bool>* stop_flag = nullptr;
  std::function<void(const Progress&)> on_progress;  // once a second; may be empty
  // Names the phase running at a time since the run's start (Progress::phase); may be empty.
  std::function<std::string(Nanos)> phase_at;
  // After the workers joined, once per worker in order, before the workloads
  // are destroyed (e.g. to merge per-part metrics); may be empty.
  std::function<void(int worker, const Workload& workload)> on_joined;
};

struct RunOutcome {
  metrics::WorkloadMetrics phases[kPhaseCount];  // indexed by Phase
  TimePoint origin{};        // run start
  TimePoint steady_start{};  // earliest steady start over workers
  TimePoint end{};           // last worker finished
  double steady_seconds = 0; // the measured interval (-D when given, else steady_start..end)
  bool interrupted = false;  // stopped by stop_flag
  bool never_connected = true;  // no worker ever established a connection
  std::string last_error;       // a connection-level error message from some worker, if any
  std::vector<WorkerLoad> workers;  // each worker's self-monitoring figures, in index order
  const metrics::WorkloadMetrics& steady() const { return phases[static_cast<int>(Phase::kSteady)]; }
  const metrics::WorkloadMetrics& warmup() const { return phases[static_cast<int>(Phase::kWarmup)]; }
};

RunOutcome run_workers(const RunnerOptions& options, const WorkloadFactory& factory);

}  // namespace h2soak::load
