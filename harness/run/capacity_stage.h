#pragma once
// One stage of `h2soak capacity` on the engine: the measure() of
// capacity.h's search. A stage is `h2soak bench --rate R -D stage
// --warm-up-time W` (the same plan, runner options and bench workload: latency
// from the due time, arrivals past the in-flight bound counted as dropped),
// watched once a second by EarlyStop, with the target's /proc figures sampled
// beside it when its pid is known. The search result becomes a result
// document (schema h2soak.result/v1 with its `capacity` section) through
// capacity_result().
//
// Called from the CLI's thread, one stage at a time.

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/load/runner.h"
#include "harness/result/run_result.h"
#include "harness/run/bench.h"
#include "harness/run/capacity.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::run {

struct CapacityStageOptions {
  // A plan that make_bench_plan() accepted (URLs, -c -m, --h1, TLS); each
  // stage runs a copy with its own rate.
  const workloads::BenchPlan* plan = nullptr;
  const BenchOptions* bench = nullptr;  // the options the plan came from (the stage's bench result)
  load::RunnerOptions runner;   // bench_runner_options(): threads and TLS; duration/warm-up set here
  Nanos stage{std::chrono::seconds(5)};
  Nanos warmup{std::chrono::seconds(1)};
  int target_pid = 0;           // > 0: sample the target's RSS, threads, fds, CPU during each stage
  const std::atomic<bool>* interrupt = nullptr;  // SIGINT: ends the stage and the search; may be null
  // The stage's live progress, once a second (the terminal line); may be empty.
  std::function<void(double rate, const load::Progress& p)> on_progress;
};

// Runs one stage at `rate` arrivals per second and returns its figures (not
// yet judged: search_capacity() calls judge_stage()). `objectives` feed the
// early stop. A stage the generator limited (a worker thread busy >= 90 % of
// the steady phase) has stage.generator_bound set; one interrupted, whose
// target vanished, or that never connected, sets `abort`.
StageOutcome run_capacity_stage(const CapacityStageOptions& options, const Objectives& objectives, double rate);

// What the CLI knows about the run, for the result document.
struct CapacityRunInfo {
  std::vector<std::string> urls;
  std::string target_mode = "none";  // "pid", "pidfile", "none"
  int target_pid = 0;
  double start_unix = 0;
  double duration = 0;               // seconds, the whole search
  std::string version, git_revision;
  std::vector<std::string> command_line;
  std::map<std::string, std::string> params;  // the search's settings as text (stage, growth, -c, ...)
};

// The result document of a search: metadata (scenario "capacity"), status
// (completed unless interrupted or the target went away), analysis metric
// `capacity` (req/s, higher is better; note: the bracket and the first broken
// objective) and the `capacity` section with every stage.
result::RunResult capacity_result(const result::CapacitySearch& search, const CapacityRunInfo& info);

}  // namespace h2soak::run
