#pragma once
// Runs a whole scenario Plan: every workload at once, for the plan's whole
// timeline (all phases, the cooldown included, where only idle connections
// are still held), on opts.threads engine workers (load::Worker).
//
// How several workloads share the workers: each worker runs one
// CompositeWorkload (composite_workload.h) holding that worker's share of
// every planned workload; users, streams, connections and rates are split
// across the workers with BenchPlan::share() (the first workers get the
// remainder). So a workload's figures are the merge of its per-worker parts,
// merged after the threads join (no shared state while the loops run).
//
// Time zero (origin) is the moment run_plan() is called. Every workload
// starts new work only inside its PlannedWorkload::active windows (offsets
// from time zero) and closes its connections at its close_at. Phases map to
// load::Phase: everything until the end of the phase named "warmup" is
// recorded as kWarmup, every later phase as kSteady (the cooldown only sees
// idle connections and in-flight remainders).
//
// It runs on load::run_workers, the one run loop (load/runner.h), with one
// composite per worker; this file only builds the parts and assembles each
// workload's outcome from them.
//
// Threading: run_plan() blocks the calling thread; on_progress is called on
// that thread once a second, never concurrently. stop_flag may be set from
// any thread (SIGINT, target died): workloads stop starting work, in-flight
// requests get a short drain, then everything is closed and run_plan returns
// with interrupted = true.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/load/runner.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/scenario/plan.h"
#include "harness/util/clock.h"

namespace h2soak::workloads {

struct PlanRunOptions {
  int threads = 2;                        // worker threads; workloads are spread over them
  std::string base_url;                   // target URL after port substitution, e.g. "https://127.0.0.1:40123"
  bool insecure = true;                   // skip TLS certificate verification
  const std::atomic<bool>* stop_flag = nullptr;   // set by SIGINT or when the target dies: stop now
  std::function<void(const load::Progress&)> on_progress;  // once a second, never concurrently; phase set
  // After the plan's end (or the stop flag): how long in-flight requests may
  // finish before every connection is closed.
  Nanos drain{std::chrono::milliseconds(500)};
};

struct WorkloadOutcome {
  std::string name;
  std::string kind;                           // scenario::to_string(kind)
  std::map<std::string, std::string> params;  // resolved parameters as text (describe_params)
  metrics::WorkloadMetrics warmup, steady;
  bool never_connected = true;                // no connection of this workload was ever established
  std::string last_error;                     // a connection-level error message, if any
};

struct PlanRunOutcome {
  std::vector<WorkloadOutcome> workloads;  // in plan order
  TimePoint origin{};
  TimePoint end{};
  bool interrupted = false;       // ended by stop_flag
  bool never_connected = false;   // no workload ever connected (target unreachable: exit 3 material)
  std::string error;              // set when the plan could not start at all (bad base_url, ...)
  std::vector<load::WorkerLoad> workers;  // the generator's own load, per worker thread
};

// Runs every workload of the plan at once for the plan's whole timeline (all
// phases, including the cooldown, where only idle connections are held), on
// opts.threads workers. Blocks until plan.total_duration has passed (plus a
// short drain) or stop_flag is set. Time zero = when it is called.
PlanRunOutcome run_plan(const scenario::Plan& plan, const PlanRunOptions& opts);

}  // namespace h2soak::workloads
