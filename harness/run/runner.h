#pragma once
// One run of one scenario, end to end: what `h2soak run`, `baseline record`,
// `ab` and the Python module call for each scenario (× each repetition).
//
//   1. launch the target (target_launch.h): spawn or attach, port, readiness
//   2. start the sampler at least 5 sample intervals before load time zero,
//      so the analysis has a level from before the load
//   3. at time zero run workloads::run_plan() on its own thread; this thread
//      marks the phase boundaries in the sampler, watches the target (it
//      dying sets the stop flag) and the caller's stop flag
//   4. after the plan (its cooldown included): stop the sampler, stop a
//      spawned target (SIGTERM, SIGKILL after the plan's stop_grace) and
//      record how it ended
//   5. analysis (harness/analysis) + client metrics (client_metrics.h),
//      metadata, the scenario's thresholds as text
//   6. write the result JSON atomically to options.out_dir/<stem>.json
//      (also for a partial run: status target_died / aborted with the reason)
//
// Time: the sampler's and the result's time zero is load time zero (the
// moment run_plan is called), so workload series, phase marks and samples
// share one clock; samples before the load have negative t. The result's
// metadata.start_unix is the wall clock at time zero.
//
// Threading: blocks the calling thread for the whole run; uses one extra
// thread for run_plan. Thread-safe with respect to other runs only in the
// sense that nothing is global (runs are meant to be sequential).

#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/result/run_result.h"
#include "harness/run/progress.h"
#include "harness/scenario/plan.h"

namespace h2soak::run {

struct RunOptions {
  std::string out_dir = ".";          // result JSON and target log; created if missing
  std::string stem;                   // file stem; default: the scenario name
  std::string reference_binary;       // h2soak-target; empty: find_reference_server()
  int threads = 2;                    // load worker threads
  std::string version;                // h2soak version and git revision for the metadata
  std::string git_revision;
  std::vector<std::string> command_line;
  std::map<std::string, std::string> extra_metadata;
  const std::atomic<bool>* stop_flag = nullptr;  // e.g. SIGINT: stop early (state "aborted")
  std::FILE* progress = stderr;       // live progress; null: none
  bool progress_tty = false;          // rewrite one line in place
  std::string progress_label;         // default: the scenario name
  // Each progress value as it is printed, once a second on the load thread
  // (never concurrently); may be empty. The Python module's callback reads it.
  std::function<void(const ProgressState&)> on_progress;
  // The start barrier (`run --start-at`, start_barrier.h): wall-clock time
  // (seconds since the epoch) at which load time zero falls. The run waits
  // for it after the target is ready (the caller's stop flag and the target
  // dying end the wait: kNotStarted); a barrier already passed starts at once.
  // The result records it (metadata.extra "start_at", "start_lag_ms").
  // nullopt: time zero as soon as the sampler has its lead.
  std::optional<double> start_at_unix;
  // `run --clock-from HOST:PORT` (clock_probe.h): once the target is ready,
  // measure this clock's offset against the sampler agent's time service and
  // record it (metadata.extra "clock_offset_ms", or "clock_error": a failed
  // measurement is said, not fatal). Empty host: not measured.
  std::string clock_host;
  std::uint16_t clock_port = 0;
};

enum class RunEnd {
  kCompleted,      // the whole plan ran; result written
  kIncomplete,     // the target died or the run was interrupted; partial result written
  kNotStarted,     // the target could not be started/attached/reached; no result
  kWriteFailed,    // the run completed but its result could not be written
};

struct RunOutcome {
  RunEnd end = RunEnd::kCompleted;
  std::string error;        // why, for every end but kCompleted
  result::RunResult result;
  std::string result_path;  // "" when nothing was written
};

RunOutcome run_scenario(const scenario::Plan& plan, const RunOptions& options);

}  // namespace h2soak::run
