#pragma once
// The sampler-only agent (`h2soak sample`): samples the target of a sharded
// run on the target's own host, where no generator runs, for exactly the
// timeline of the scenario the N shards run (`run --shard i/N`), and writes
// a result that `h2soak merge ... --samples FILE` takes the target's samples
// from (merge.h; docs/run.md, "Sampling beside the target").
//
//   1. launch the target (target_launch.h): attach by pid / pidfile, or spawn
//      it; wait for the readiness probe, as a run does
//   2. time zero: the start barrier (start_barrier.h, `--start-at`, the same
//      one the shards get), else the sampler's lead from now; wait until the
//      sampler's lead before it, then start the sampler (same options and
//      interval as the runner's)
//   3. mark the plan's phases at their planned offsets, close the last at the
//      plan's end, and keep sampling for the tail the runner samples after
//      the load (the load's drain), watching the target and the stop flag
//   4. stop the sampler, stop a spawned target (SIGTERM, SIGKILL after the
//      plan's stop_grace), record how it ended
//   5. write the result (schema h2soak.result/v1) atomically, also a partial
//      one (status target_died / aborted with the reason)
//
// The result: metadata of the scenario (name, hash, path), start_unix = the
// wall clock at time zero (the shards' start_unix with the same barrier),
// extra["role"] = "sampler" (and "start_at", "start_lag_ms" with a barrier);
// phases as the sampler marked them; target with its samples; no workloads,
// no analysis (merge analyses the merged result).
//
// Threading: run_sample_agent() blocks the calling thread for the whole plan;
// the sampler has its own threads.

#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/result/run_result.h"
#include "harness/run/runner.h"
#include "harness/sampler/sample.h"
#include "harness/scenario/plan.h"
#include "harness/util/clock.h"

namespace h2soak::run {

// metadata.extra["role"] of an agent's result.
inline constexpr const char* kSamplerRole = "sampler";

struct SampleAgentOptions {
  std::string out_path;          // the result file; its folder is created if missing
  std::string log_path;          // a spawned target's stdout and stderr
  std::string reference_binary;  // a spawned reference server; empty: find_reference_server()
  std::optional<double> start_at_unix;  // the start barrier (wall clock, start_barrier.h); nullopt: none
  std::string version;           // h2soak version and git revision for the metadata
  std::string git_revision;
  std::vector<std::string> command_line;
  const std::atomic<bool>* stop_flag = nullptr;  // e.g. SIGINT: stop early (state "aborted"), result still written
  std::FILE* progress = stderr;  // a line when waiting, at each phase and at the end; null: none
  // `sample --clock-port P`: answer the shards' clock probes (clock_probe.h)
  // on UDP port P from the start to the end of sampling; nullopt: no service.
  std::optional<std::uint16_t> clock_port;
};

// The agent's timeline, as offsets from time zero. Pure.
struct SampleWindow {
  Nanos lead{};  // the sampler starts this long before time zero (sampler_lead(), the runner's rule)
  Nanos end{};   // the plan's end (total_duration, cooldown included): the last phase closes here
  Nanos stop{};  // end + the load's drain (what the runner samples after the plan): the sampler stops here
};
SampleWindow sample_window(const scenario::Plan& plan);

// The result before sampling: metadata (environment, version, command line;
// the scenario's name, hash, path and total duration; extra["role"] =
// "sampler"), no workloads, status completed. start_unix is the moment of
// the call until the agent sets time zero.
result::RunResult sampler_result(const scenario::Plan& plan, const SampleAgentOptions& options);

// Completes `r` from what was sampled: target.samples = `series` (absent
// when sampling never started), phases = the series' marks, the status.
// Pure.
void finish_sampler_result(result::RunResult& r, std::optional<sampler::SampleSeries> series,
                           result::RunState state, const std::string& reason);

struct SampleOutcome {
  RunEnd end = RunEnd::kCompleted;  // kNotStarted: no target to sample, nothing written
  std::string error;                // why, for every end but kCompleted
  result::RunResult result;
  std::string result_path;          // "" when nothing was written
};

SampleOutcome run_sample_agent(const scenario::Plan& plan, const SampleAgentOptions& options);

}  // namespace h2soak::run
