// `h2soak merge SHARD_RESULT... --out RESULT [--samples FILE] [--max-clock-skew S]
//  [--scenario FILE] [--baseline FILE] [--summary-md F] [--junit F] [--verdict-json F] [--report DIR]`:
// the results of `h2soak run --shard i/N` (one per shard) merged into the
// result of the whole run (harness/run/merge.h; docs/run.md, "Merging
// shards"), then analysed, its thresholds checked and, with --baseline,
// compared — as `h2soak run` does after a run, --report included (the page of
// the merged result, report_output.h). The files are folded in a stream
// (read_header(), then read_body() one at a time: memory does not grow with
// the number of shards but for what the merged result keeps). Everything is
// read and checked before anything is written: an unreadable or invalid
// file, shards that do not make one run, a changed scenario or a baseline of
// another version of it are exit 2 with a message naming the file. Shards of `h2soak bench
// --shard` need no scenario: they carry their options; their merge is
// written with the bench summary and no verdict (--baseline and the verdict
// outputs are refused), as a bench run. The result is written
// atomically. Exit codes: 0 pass, 1 regression or failed threshold, 2 invalid
// input, 3 a shard's run did not complete (the merged partial result is still
// written) or an output could not be written, 4 internal error.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/report_output.h"
#include "harness/cli/run_support.h"
#include "harness/compare/baseline_store.h"
#include "harness/load/runner.h"
#include "harness/result/result_json.h"
#include "harness/run/gate.h"
#include "harness/run/merge.h"
#include "harness/run/summary.h"
#include "harness/workloads/bench_report.h"

namespace h2soak::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> files;
  std::string out;
  std::string samples;
  double max_clock_skew = 2.0;
  std::string scenario;
  std::string baseline;
  std::string summary_md;
  std::string junit;
  std::string verdict_json;
  std::string report;  // --report DIR: the HTML report of the merged result (report_output.h)
};

// The first pass of the streaming merge: a file read and checked whole, and
// kept with only what run::merge_shards() reads of an input besides its
// body (run::MergeBody: the workloads and generator workers, whose dense
// histograms are most of a result's memory); its analysis, thresholds and
// verdict are made again for the merged result.
run::MergeInput read_header(const std::string& file) {
  auto r = result::read_result(file);
  if (!r) throw UsageError(r.error().message());
  std::vector<result::WorkloadResult>().swap(r->workloads);
  if (r->generator) std::vector<result::GeneratorWorker>().swap(r->generator->workers);
  r->analysis.clear();
  r->thresholds.clear();
  r->verdict.clear();
  return run::MergeInput{std::move(*r), file};
}

// The second pass: the body of a file read again, one file at a time
// (run::MergeOptions::bodies). A file that changed since the first pass is
// refused.
Result<run::MergeBody> read_body(const run::MergeInput& header) {
  auto r = result::read_result(header.source);
  if (!r) return r.error();
  const auto& was = header.result.metadata;
  if (r->metadata.scenario_hash != was.scenario_hash || r->metadata.start_unix != was.start_unix ||
      r->metadata.extra != was.extra || r->generator.has_value() != header.result.generator.has_value()) {
    return Error("changed while it was being merged", header.source);
  }
  run::MergeBody body;
  body.workloads = std::move(r->workloads);
  if (r->generator) body.generator_workers = std::move(r->generator->workers);
  return body;
}

// The h2load-shaped summary `h2soak bench` prints, of the merged result.
std::string bench_summary(const result::RunResult& merged) {
  load::RunOutcome out;
  workloads::BenchPlan plan;
  for (const auto& w : merged.workloads) {
    if (w.kind != "bench") continue;
    for (auto [name, phase] : {std::pair{"warmup", load::Phase::kWarmup}, {"steady", load::Phase::kSteady}}) {
      if (const auto* m = w.find_phase(name)) out.phases[static_cast<int>(phase)] = *m;
    }
    const auto param = [&w](const char* key) {
      auto it = w.params.find(key);
      return it != w.params.end() ? it->second : std::string();
    };
    plan.rate = std::strtod(param("rate").c_str(), nullptr);
    plan.requests = std::strtoull(param("requests").c_str(), nullptr, 10);
  }
  const auto steady = merged.metadata.extra.find("steady_seconds");
  if (steady != merged.metadata.extra.end()) out.steady_seconds = std::strtod(steady->second.c_str(), nullptr);
  return workloads::format_bench_summary(out, plan);
}

// Shards of `h2soak bench --shard`: the whole run comes from the results
// themselves, and, as for a bench run, there are no thresholds and no
// verdict: the outputs that judge are refused. Exit 0, or 3 when a shard's
// run did not complete (a bench run's exit 3: no connection) or the result
// could not be written.
int finish_bench_merge(const MergeArgs& args, const std::vector<std::string>& argv, result::RunResult& merged) {
  for (const auto& [flag, value] : {std::pair{"--scenario", &args.scenario}, {"--baseline", &args.baseline},
                                    {"--summary-md", &args.summary_md}, {"--junit", &args.junit},
                                    {"--verdict-json", &args.verdict_json}, {"--report", &args.report}}) {
    if (!value->empty()) {
      throw UsageError(std::string(flag) + ": " + args.files.front() + " is a `h2soak bench --shard` result: the " +
                       "shards carry their options (no scenario file), and a bench run has no thresholds or verdict");
    }
  }
  merged.metadata.command_line = argv;
  if (auto st = run::finish_merged_bench(merged); !st) throw UsageError(st.error().message());
  if (auto st = result::write_result(merged, args.out); !st) throw OutputError(st.error().message());
  std::printf("merged %s (%s) -> %s\n", merged.metadata.extra["merged_from"].c_str(),
              merged.metadata.extra["merged_sources"].c_str(), args.out.c_str());
  std::fputs(bench_summary(merged).c_str(), stdout);
  std::fflush(stdout);
  for (const auto& w : merged.generator ? merged.generator->warnings : std::vector<std::string>{}) {
    std::fprintf(stderr, "WARNING: %s\n", w.c_str());
  }
  if (merged.status.state != result::RunState::kCompleted) {
    std::fprintf(stderr, "h2soak: the merged run is partial: %s\n", merged.status.reason.c_str());
    return kExitRunFailed;
  }
  return kExitPass;
}

int run_merge(const MergeArgs& args, const std::vector<std::string>& argv) {
  std::vector<run::MergeInput> shards;
  for (const auto& file : args.files) shards.push_back(read_header(file));
  std::optional<run::MergeInput> samples;
  if (!args.samples.empty()) samples = read_header(args.samples);  // its target's samples; never its workloads
  std::optional<compare::Baseline> baseline;
  if (!args.baseline.empty()) {
    auto b = compare::load_baseline(args.baseline);
    if (!b) throw UsageError(b.error().message());
    baseline = std::move(*b);
  }

  run::MergeOptions options;
  options.max_clock_skew = args.max_clock_skew;
  options.samples = samples ? &*samples : nullptr;
  options.bodies = read_body;
  auto merged = run::merge_shards(shards, options);
  if (!merged) throw UsageError(merged.error().message());
  if (run::is_bench_shard(*merged)) return finish_bench_merge(args, argv, *merged);
  const std::string scenario_file = args.scenario.empty() ? merged->metadata.scenario_path : args.scenario;
  if (scenario_file.empty()) {
    throw UsageError(args.files.front() + ": the result names no scenario file; pass it with --scenario FILE");
  }
  auto plan = run::merged_plan(scenario_file, *merged);
  if (!plan) throw UsageError(plan.error().message() + " (the scenario file is read again for its thresholds "
                                                        "and rules; --scenario FILE names another)");
  merged->metadata.command_line = argv;
  run::finish_merged(*plan, *merged);

  // Judged before writing: a baseline of another version of the scenario
  // refuses here, and nothing is written.
  std::vector<run::FinishedRun> finished{run::FinishedRun{&*plan, &*merged, args.out}};
  auto verdict = run::judge(finished, baseline ? &*baseline : nullptr, args.baseline);
  if (!verdict) throw UsageError(verdict.error().message());

  if (auto st = result::write_result(*merged, args.out); !st) throw OutputError(st.error().message());
  std::printf("merged %s (%s) -> %s\n", merged->metadata.extra["merged_from"].c_str(),
              merged->metadata.extra["merged_sources"].c_str(), args.out.c_str());
  std::fputs(run::render_summary(*merged, args.out).c_str(), stdout);
  std::fflush(stdout);

  int code = kExitPass;
  if (!write_verdict(*verdict, args.summary_md, args.junit, args.verdict_json)) code = kExitRunFailed;
  if (verdict->failed() && code == kExitPass) code = kExitRegression;
  // The page of the merged result, as for a run: a partial merge is still
  // shown (its status is on the page), since the result was written.
  if (!args.report.empty()) {
    ReportRequest report{args.report, {args.out}, {}, args.baseline, &*verdict};
    if (!write_html_report(report)) code = kExitRunFailed;
  }
  if (merged->status.state != result::RunState::kCompleted) {
    std::fprintf(stderr, "h2soak: the merged run is partial: %s\n", merged->status.reason.c_str());
    code = kExitRunFailed;
  }
  return code;
}

}  // namespace

void register_merge_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Merge the results of `run --shard i/N` or `bench --shard i/N` (all N shards of one run) into one "
               "result, then analyse, "
               "check thresholds and compare as a run does");
  cmd->add_option("files", args->files, "SHARD_RESULT.json... (every shard 1/N .. N/N, in any order)")->required();
  cmd->add_option("-o,--out", args->out, "write the merged result here (atomically; never an input)")->required();
  cmd->add_option("--samples", args->samples,
                  "take the target's samples (RSS, threads, fds, CPU, gauges) from this result instead of "
                  "shard 1's (or the only shard's that sampled)");
  cmd->add_option("--max-clock-skew", args->max_clock_skew,
                  "seconds by which the shards' start times may differ (default 2)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--scenario", args->scenario,
                  "the scenario (or suite) file the shards ran (default: the file named in the results)");
  cmd->add_option("--baseline", args->baseline, "compare the merged result with this baseline (h2soak.baseline/v1)");
  cmd->add_option("--summary-md", args->summary_md, "write the verdict as a Markdown summary to FILE");
  cmd->add_option("--junit", args->junit, "write the verdict as JUnit XML to FILE");
  cmd->add_option("--verdict-json", args->verdict_json, "write the verdict as JSON (h2soak.verdict/v1) to FILE");
  cmd->add_option("--report", args->report,
                  "write the HTML report of the merged result into DIR (DIR/verdict.json, DIR/report.html; needs "
                  "/usr/bin/python3 with python3-matplotlib, see docs/report.md)");
  cmd->footer(std::string("Rules and refusals: see docs/run.md, \"Merging shards\".\n") + kExitCodesHelp);
  cmd->callback([args, &slot] {
    for (const auto& f : args->files) {
      if (f == args->out) throw CLI::ValidationError("--out", "must not be an input file (" + f + ")");
    }
    if (!args->samples.empty() && args->samples == args->out) {
      throw CLI::ValidationError("--out", "must not be the --samples file");
    }
    slot = [args] { return run_merge(*args, process_command_line()); };
  });
}

}  // namespace h2soak::cli
