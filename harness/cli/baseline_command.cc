// `h2soak baseline record-from RESULT.json... --out FILE [--force]`: builds a
// baseline from K existing result files (K runs of each scenario) and writes
// it atomically; an existing file is replaced only with --force.
// `h2soak baseline record SUITE --runs K --out FILE` (run, then record) is
// meant to join this same `baseline` subcommand, reusing record_baseline().

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/compare/baseline.h"
#include "harness/compare/baseline_store.h"
#include "harness/compare/result_adapter.h"

namespace h2soak::cli {
namespace {

struct RecordFromArgs {
  std::vector<std::string> results;
  std::string out;
  bool force = false;
};

// Builds and saves a baseline from runs; prints what it wrote.
int record_baseline(const std::vector<compare::RunMetrics>& runs, const std::string& out, bool force) {
  compare::BuildOptions options;
  options.h2soak_version = kVersion;
  options.git_revision = kGitRevision;
  auto baseline = compare::build_baseline(runs, options);
  if (!baseline) throw UsageError(baseline.error().message());
  if (auto st = compare::save_baseline(out, *baseline, force); !st) throw OutputError(st.error().message());
  std::size_t metrics = 0;
  for (const auto& s : baseline->scenarios) metrics += s.metrics.size();
  const auto& machine = baseline->machine;
  std::printf("wrote %s: %zu scenario(s), %zu run(s) each (at least), %zu metrics, machine %s (%s, %d cores)\n",
              out.c_str(), baseline->scenarios.size(), baseline->runs, metrics, machine.hostname.c_str(),
              machine.cpu_model.empty() ? "CPU model unknown" : machine.cpu_model.c_str(), machine.cores);
  if (baseline->runs < 4) {
    std::printf("note: with fewer than 4 runs per scenario, compare uses interval rules (docs/compare.md)\n");
  }
  return kExitPass;
}

int run_record_from(const RecordFromArgs& args) {
  refuse_existing_baseline(args.out, args.force);
  std::vector<compare::RunMetrics> runs;
  for (const auto& path : args.results) {
    auto run = compare::load_run_metrics(path);
    if (!run) throw UsageError(run.error().message());
    if (!run->incomplete_reason.empty()) {
      throw UsageError(path + ": the run did not complete (" + run->incomplete_reason +
                       "); a baseline is never recorded from partial runs");
    }
    runs.push_back(std::move(*run));
  }
  return record_baseline(runs, args.out, args.force);
}

}  // namespace

void register_baseline_command(CLI::App& app, Action& slot) {
  CLI::App* baseline = app.add_subcommand("baseline", "Record baselines for `h2soak compare`");
  baseline->require_subcommand(1);

  auto args = std::make_shared<RecordFromArgs>();
  CLI::App* from = baseline->add_subcommand(
      "record-from", "Build a baseline from existing result files (K runs per scenario: median and spread)");
  from->add_option("results", args->results, "RESULT.json files")->required();
  from->add_option("-o,--out", args->out, "baseline file to write (atomically)")->required();
  from->add_flag("--force", args->force, "replace an existing baseline file");
  from->footer(kExitCodesHelp);
  from->callback([args, &slot] { slot = [args] { return run_record_from(*args); }; });
}

}  // namespace h2soak::cli
