#pragma once
// The extension point for traffic shapes. A Workload is one kind of traffic
// (bench today; tabs, sse, upload, short_connections and idle next), created
// once per worker thread by a WorkloadFactory and driven by that Worker's
// loop. It owns its connections (load::Connection, whatever the protocol),
// its StreamObservers and its metrics per phase.
//
// Call order, all on the worker thread:
//   factory(worker)                  construct: build requests, no sockets yet
//   start()                          the loop is running: open connections, arm timers
//   begin_steady()                   warm-up over (with no warm-up: before start()):
//                                    record into the steady metrics from now on
//   stop()                           deadline (-D) or stop request: start nothing
//                                    new, let in-flight requests finish
//   abort()                          the drain period after stop() is over: close
//                                    everything now (active records complete as
//                                    kCancelled)
//   progress(...)                    once a second, for the live progress line
//   metrics(phase)                   after the loop returned
// The workload calls worker.finish() when it has nothing left to do (e.g. -n
// reached and every response in); the worker then leaves its loop. After
// abort() it must call finish() before returning or soon after.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "harness/metrics/workload_metrics.h"

namespace h2soak::load {

class Worker;

enum class Phase { kWarmup = 0, kSteady = 1 };
inline constexpr int kPhaseCount = 2;

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string_view name() const = 0;
  virtual void start() = 0;
  virtual void begin_steady() = 0;
  virtual void stop() = 0;
  virtual void abort() = 0;
  // Steady-phase counters (warm-up ones while warming up) and requests in flight.
  virtual void progress(metrics::Counters& counters, std::uint64_t& in_flight) const = 0;
  virtual const metrics::WorkloadMetrics& metrics(Phase phase) const = 0;
  // True when no connection could ever be established (exit code 3 material).
  virtual bool never_connected() const = 0;
  // The most recent connection-level error message ("" when none), for the
  // message that explains exit code 3.
  virtual std::string last_error() const { return {}; }
};

using WorkloadFactory = std::function<std::unique_ptr<Workload>(Worker&)>;

}  // namespace h2soak::load
