#pragma once
// `h2soak capacity`'s options, plan and run: the one path for the CLI
// (harness/cli/capacity_command.cc, which parses the flags with CLI11) and
// for Python's h2soak.capacity (py/capacity_binding.cc, which takes
// keywords), as run/bench.h is for bench (docs/capacity.md).
//   make_capacity_plan()    the options, as written, checked into a
//                           CapacityPlan before any socket opens: the
//                           search's rates, the objectives, one stage's
//                           bench plan (run::make_bench_plan) and the pid to
//                           sample;
//   run_capacity()          the search (run::search_capacity) with one engine
//                           stage per rate (run::run_capacity_stage);
//   capacity_plan_result()  the result document `--json` writes.
// Printing the table, progress and the output files stay with the front ends.

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
#include "harness/util/clock.h"
#include "harness/util/result.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::run {

// The options as given: rates ("100/s") and durations ("5s") are text, parsed
// by make_capacity_plan. Each field names the CLI flag it mirrors; the Python
// keyword is in brackets where it differs from the flag in snake_case.
struct CapacityOptions {
  // URL... [urls], -c [connections], -m [streams], -t, -k, --h1, -H [headers];
  // also how messages are spelt (bench.spelling, bench.keywords). Its
  // duration, warm-up and rate are set by make_capacity_plan.
  BenchOptions bench;
  std::vector<std::string> objectives;  // --objective (repeatable) [objectives]; none: default_objectives()
  std::string start_rate = "100/s";     // --start-rate
  std::string max_rate = "100000/s";    // --max-rate
  std::string stage = "5s";             // --stage: measured length of each stage, at least 500ms
  std::string warmup = "1s";            // --warm-up [warm_up]
  double growth = 2;                    // --growth: > 1
  int refine = 3;                       // --refine: 0..20
  std::optional<int> target_pid;        // --target-pid
  std::string target_pidfile;           // --target-pidfile (not with target_pid)
};

// A checked search, ready to run. Plain values: copy it freely.
struct CapacityPlan {
  SearchOptions search;
  Objectives objectives;
  BenchOptions bench;         // one stage: `h2soak bench -D stage --warm-up-time warmup --rate start_rate`
  workloads::BenchPlan plan;  // make_bench_plan(bench); each stage runs a copy with its own rate
  Nanos stage{0};
  Nanos warmup{0};
  int target_pid = 0;         // > 0: sampled during each stage
  std::string target_mode = "none";            // "pid", "pidfile", "none"
  std::map<std::string, std::string> params;   // the settings as text (start_rate, stage, clients, ...)
};

// Checks every option (the search's rates and steps, the objectives, the
// stage's length, the pid file, then make_bench_plan's checks of the URLs
// and -c -m -t -H) and builds the plan; the Error names the option as
// options.bench.spelling asks ("--growth must be greater than 1",
// "growth must be greater than 1").
Result<CapacityPlan> make_capacity_plan(const CapacityOptions& options);

// What the front end watches; every member may be empty.
struct CapacityHooks {
  // Set (by a signal handler, by Python's Ctrl-C) to end the stage under way
  // and the search ("interrupted").
  const std::atomic<bool>* interrupt = nullptr;
  // The stage's live progress, once a second, on the thread that called run_capacity().
  std::function<void(double rate, const load::Progress& p)> on_progress;
  // Each stage once judged, on the same thread (the table's rows).
  StageObserver on_stage;
};

// Runs the search on the calling thread: a stage at a time, each on the
// engine's worker threads. Returns when the search ends (CapacitySearch::stop).
result::CapacitySearch run_capacity(const CapacityPlan& plan, const CapacityHooks& hooks);

// The result document of a search run with `plan` that started at
// `start_unix` and took `duration` seconds (run::capacity_result with the
// plan's URLs, target and settings).
result::RunResult capacity_plan_result(const CapacityPlan& plan, const result::CapacitySearch& search,
                                       double start_unix, double duration, const std::string& version,
                                       const std::string& git_revision, std::vector<std::string> command_line);

}  // namespace h2soak::run
