// `h2soak compare RESULT.json... BASELINE.json`: offline comparison of result
// files with a baseline. Loads everything first (any unreadable, corrupt or
// mismatched input is exit 2 before any output is written), compares, then
// hands the verdict to the sinks: the terminal table on stdout, and the
// Markdown summary, JUnit XML and JSON files when asked. The baseline is only
// ever opened read-only.

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/compare/baseline_store.h"
#include "harness/compare/result_adapter.h"
#include "harness/compare/verdict.h"

namespace h2soak::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> files;  // RESULT... BASELINE
  std::string summary_md;
  std::string junit;
  std::string json;
  std::vector<std::string> thresholds;
  bool allow_hash_mismatch = false;
};

int run_compare(const CompareArgs& args) {
  if (args.files.size() < 2) {
    throw UsageError("compare needs at least one result file and a baseline: RESULT.json... BASELINE.json");
  }
  const std::string baseline_path = args.files.back();
  auto baseline = compare::load_baseline(baseline_path);
  if (!baseline) throw UsageError(baseline.error().message());

  std::vector<compare::RunMetrics> runs;
  for (std::size_t i = 0; i + 1 < args.files.size(); ++i) {
    auto run = compare::load_run_metrics(args.files[i]);
    if (!run) throw UsageError(run.error().message());
    if (!run->incomplete_reason.empty()) {
      std::fprintf(stderr, "h2soak: %s: the run did not complete (%s); its metrics are partial and are not compared\n",
                   args.files[i].c_str(), run->incomplete_reason.c_str());
      return kExitRunFailed;
    }
    runs.push_back(std::move(*run));
  }

  compare::CompareOptions options;
  options.allow_hash_mismatch = args.allow_hash_mismatch;
  options.thresholds = args.thresholds;
  auto verdict = compare::compare_runs(*baseline, runs, options, baseline_path);
  if (!verdict) throw UsageError(verdict.error().message());

  // A report CI expects is missing: not a pass.
  if (!write_verdict(*verdict, args.summary_md, args.junit, args.json)) return kExitRunFailed;
  return verdict->failed() ? kExitRegression : kExitPass;
}

}  // namespace

void register_compare_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare result files with a baseline (offline); the last file is the baseline");
  cmd->add_option("files", args->files, "RESULT.json... BASELINE.json")->required();
  cmd->add_option("--summary-md", args->summary_md, "write a Markdown summary to FILE");
  cmd->add_option("--junit", args->junit, "write JUnit XML (one testcase per scenario x metric) to FILE");
  cmd->add_option("--json", args->json, "write the verdict as JSON to FILE");
  cmd->add_option("--threshold", args->thresholds,
                  "extra absolute gate for every scenario, e.g. \"errors.total == 0\" (repeatable)");
  cmd->add_flag("--allow-hash-mismatch", args->allow_hash_mismatch,
                "compare even if a scenario changed since the baseline was recorded");
  cmd->footer(std::string("Rules: see docs/compare.md.\n") + kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_compare(*args); }; });
}

}  // namespace h2soak::cli
