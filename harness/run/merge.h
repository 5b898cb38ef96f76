#pragma once
// Scale-out, step 2: the results of the N shards of one run (`h2soak run
// --shard i/N`, scenario/shard.h) merged into the one result the unsharded
// run would have written (`h2soak merge`; docs/run.md, "Merging shards").
//
//   merge_shards()   checks that the inputs are the N shards of one run and
//                    merges their data: counters add, histograms merge
//                    exactly, per-second series add on a common wall-clock
//                    axis, workloads and phases line up by name; the target
//                    (and its samples) come from one source. Pure but for
//                    MergeOptions::bodies, through which the caller may
//                    hand in each input's histograms one input at a time
//                    (the streaming fold of `h2soak merge`).
//   merged_plan()    the unsharded scenario's Plan, read again from its file,
//                    checked against the results' scenario hash.
//   finish_merged()  what the runner does to a result after a run (workload
//                    params, analyze_for_plan(): analysis and the thresholds' text), on the
//                    merged result with the unsharded plan. Pure.
//   finish_merged_bench()  the same for shards of `h2soak bench --shard`,
//                    which need no file: each carries its whole run
//                    (run/bench.h: bench_plan_text()). Pure.
// The caller then judges it like any run (gate.h: judge()) and writes it
// (result_json.h: write_result(), atomic).
//
// Time: every result counts seconds from its own run start (metadata
// .start_unix, wall clock). The merged result's axis is that of the samples'
// source (so the samples and the phase marks stay as recorded); a shard
// started d seconds later than it has its series moved by round(d) seconds
// (seconds that would fall before 0 are added to second 0) and its generator
// worker figures by d. Shards are refused when their starts disagree by more
// than MergeOptions::max_clock_skew.
//
// Samples: the target was sampled by every shard that spawned or attached to
// it, all of the same process; the merged result keeps one series: that of
// MergeOptions::samples when given (a result file whose target samples are
// used: typically the sampler agent's, sample_agent.h), else shard 1's, else that of
// the lowest-numbered shard that has samples, else none (client figures
// only). The target description (url, mode, pid, exit) comes from the same
// result.

#include <functional>
#include <string>
#include <vector>

#include "harness/result/run_result.h"
#include "harness/scenario/plan.h"
#include "harness/util/result.h"

namespace h2soak::run {

// One input: a result as read, and the file it came from (named in errors).
struct MergeInput {
  result::RunResult result;
  std::string source;
};

// The parts of an input that hold histograms (dense: most of a result's
// memory), for the streaming fold (MergeOptions::bodies).
struct MergeBody {
  std::vector<result::WorkloadResult> workloads;
  std::vector<result::GeneratorWorker> generator_workers;  // empty when the input has no generator
};

struct MergeOptions {
  // Seconds by which a shard's (or the samples') start may differ from shard
  // 1's: started together means within a second or two.
  double max_clock_skew = 2.0;
  // The target's samples from this result instead of a shard's; null: none.
  const MergeInput* samples = nullptr;
  // Where each input's workloads and generator workers come from. Empty:
  // its result's own (every input whole in memory). Set (the streaming fold
  // of `h2soak merge`): the inputs are everything but those (their
  // `workloads` and `generator->workers` may be empty), and this is called
  // once per input, in shard order, after every check; what it returns is
  // added in and dropped, so that only the merged result grows with the
  // number of shards (by every shard's generator workers, which it keeps).
  // Its Error fails the merge.
  std::function<Result<MergeBody>(const MergeInput& input)> bodies;
};

// Refusals (Error names the file): no inputs; different scenario hashes; a
// missing or malformed metadata.extra.shard when there is more than one
// input; a sampler agent's result (metadata.extra.role "sampler") among the
// shards; shards of different N; a shard index twice; a missing index ("shard
// 3/4 missing"); a start more than max_clock_skew from shard 1's; the same
// workload name with two kinds; a samples result of another scenario or
// without samples; `bench --shard` results with others, or with other bench
// options (another hash). A single unsharded result merges into itself.
//
// The merged result: metadata of shard 1 (start_unix of the samples'
// source), extra["shard"] dropped, extra["merged_from"] = "N shards" and
// extra["merged_sources"] naming every file and its shard (and the samples'
// source); status: completed unless an input was not (then that input's
// state, its reason prefixed with the file); analysis, thresholds and
// verdict emptied (finish_merged() and the gate fill them). Bench shards:
// the steady phase spans every shard's (extra["steady_seconds"] with it), so
// that the merged rate is over the time the shards ran together.
Result<result::RunResult> merge_shards(const std::vector<MergeInput>& shards, const MergeOptions& options = {});

// The Plan of the unsharded scenario `merged` was run from, loaded from
// `scenario_file` (a scenario or a suite; the scenario of the result's name),
// with attribution on when the result has a modulation. Errors: the file's
// (file:line:col), no scenario of that name, a different scenario hash (the
// file changed since the run).
Result<scenario::Plan> merged_plan(const std::string& scenario_file, const result::RunResult& merged);

// Workload params of the unsharded plan (a shard's are its own share),
// analyze_result() with the plan's steady duration as the rate's, and the
// plan's thresholds as text: the merged result as a single run writes it.
void finish_merged(const scenario::Plan& plan, result::RunResult& merged);

// A result of `h2soak bench --shard` (it has metadata.extra["bench_plan"]).
bool is_bench_shard(const result::RunResult& r);

// finish_merged() for merged bench shards: the workload params of the whole
// run read from extra["bench_plan"] (after checking it against the scenario
// hash), and the analysis made again as bench_result() makes it (the
// generator's warnings over every shard's workers). No thresholds and no
// verdict: a bench run has none. Errors: a bench plan that is not one or
// does not match the hash.
Status finish_merged_bench(result::RunResult& merged);

}  // namespace h2soak::run
