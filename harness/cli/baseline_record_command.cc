// `h2soak baseline record SUITE|SCENARIO --runs K --out ci/baselines/NAME.json [--force]
//  [--results DIR] [target options] [--threads N] [--shard i/N]`: runs every scenario K
// times (default 3), then builds the baseline from the completed runs with
// the compare module's builder (median and spread per metric, the scenario's
// regression rules stored per metric) and writes it atomically. It refuses to
// replace an existing file without --force — checked before any load runs,
// and again by the atomic store at the end. Any run that does not complete
// means no baseline (exit 3): a baseline is never recorded from partial runs.
//
// It joins the `baseline` subcommand that baseline_command.cc creates
// (`baseline record-from`), so it must be registered after it.

#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/compare/baseline_store.h"
#include "harness/run/batch.h"
#include "harness/run/gate.h"

namespace h2soak::cli {
namespace {

struct RecordArgs {
  std::string file;
  int runs = 3;
  std::string out;
  std::string results;
  bool force = false;
  TargetArgs target;
  int threads = 2;
  bool quiet = false;
};

int run_record(const RecordArgs& args) {
  refuse_existing_baseline(args.out, args.force);
  auto plans = run::load_plans(args.file, overrides_from(args.target));
  if (!plans) throw UsageError(plans.error().message());

  StopOnSignal stop_on_signal;
  run::BatchOptions options;
  options.runs = args.runs;
  options.run = base_run_options(args.results.empty() ? default_out_dir("baseline") : args.results, args.threads,
                                 process_command_line(), stop_on_signal.flag(), args.quiet);
  apply_shard(args.target, plans->plans, options.run);
  std::printf("h2soak baseline record %s: %zu scenario(s) x %d run(s), results in %s\n", args.file.c_str(),
              plans->plans.size(), options.runs, options.run.out_dir.c_str());
  std::fflush(stdout);
  run::BatchResult batch = run::run_batch(plans->plans, options);
  if (batch.incomplete) {
    for (const auto& e : batch.errors) std::fprintf(stderr, "h2soak: run could not be completed: %s\n", e.c_str());
    std::fprintf(stderr, "h2soak: no baseline written (%s untouched)\n", args.out.c_str());
    return kExitRunFailed;
  }

  auto baseline = run::build(batch.finished, kVersion, kGitRevision);
  if (!baseline) throw UsageError(baseline.error().message());
  if (auto st = compare::save_baseline(args.out, *baseline, args.force); !st) {
    throw OutputError(st.error().message() + "; the runs' results are in " + options.run.out_dir +
                      " (`h2soak baseline record-from` builds the baseline from them)");
  }
  std::size_t metrics = 0;
  for (const auto& s : baseline->scenarios) metrics += s.metrics.size();
  std::printf("\nwrote %s: %zu scenario(s), %zu run(s) each, %zu metrics, machine %s (%s, %d cores)\n",
              args.out.c_str(), baseline->scenarios.size(), baseline->runs, metrics,
              baseline->machine.hostname.c_str(), baseline->machine.cpu_model.c_str(), baseline->machine.cores);
  if (baseline->runs < 4) {
    std::printf("note: with fewer than 4 runs per scenario, compare uses interval rules (docs/compare.md)\n");
  }
  return kExitPass;
}

}  // namespace

void register_baseline_record_command(CLI::App& app, Action& slot) {
  CLI::App* baseline = app.get_subcommand("baseline");  // created by register_baseline_command
  auto args = std::make_shared<RecordArgs>();
  CLI::App* cmd = baseline->add_subcommand(
      "record", "Run a suite or scenario K times and record a baseline from the runs (median and spread)");
  cmd->add_option("file", args->file, "SUITE.yaml or SCENARIO.yaml")->required();
  cmd->add_option("--runs", args->runs, "runs per scenario (default 3)")->check(CLI::Range(1, 100));
  cmd->add_option("-o,--out", args->out, "baseline file to write (atomically), e.g. ci/baselines/NAME.json")
      ->required();
  cmd->add_flag("--force", args->force, "replace an existing baseline file");
  cmd->add_option("--results", args->results, "folder for the runs' result JSON (default out/baseline-TIMESTAMP)");
  cmd->add_option("--threads", args->threads, "load generator worker threads (default 2)")->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", args->quiet, "no live progress");
  add_attribute_option(*cmd, args->target);
  add_shard_option(*cmd, args->target);
  add_target_options(*cmd, args->target);
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_record(*args); }; });
}

}  // namespace h2soak::cli
