// `h2soak run SCENARIO.yaml|SUITE.yaml [--runs K] [--out DIR] [--baseline FILE]
//  [--summary-md FILE] [--junit FILE] [--verdict-json FILE] [--target-url URL]
//  [--spawn CMD | --pid N | --pidfile F | --remote] [--target-args WORDS] [--metrics-url URL --gauge NAME...]
//  [--insecure] [--only SCENARIO]... [--threads N] [--shard i/N] [--start-at UNIX_SECONDS|+S] [--clock-from HOST:PORT] [--report DIR]`
//
// Loads and validates everything first (scenario/suite, overrides, baseline:
// any problem is exit 2 before a target starts), runs every scenario K times
// (harness/run), prints a summary per run, then the verdict (thresholds, and
// the baseline comparison when given) through the sinks. Exit codes: 0 pass,
// 1 regression or failed threshold, 2 invalid input, 3 a run could not be
// completed (partial results are still written), 4 internal error.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/report_output.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/compare/baseline_store.h"
#include "harness/run/batch.h"
#include "harness/run/clock_probe.h"
#include "harness/run/gate.h"
#include "harness/run/start_barrier.h"
#include "harness/sinks/json_sink.h"
#include "harness/sinks/junit_sink.h"
#include "harness/sinks/markdown_sink.h"
#include "harness/sinks/terminal_sink.h"

namespace h2soak::cli {
namespace {

struct RunArgs {
  std::string file;
  int runs = 1;
  std::string out;
  std::string baseline;
  std::string summary_md;
  std::string junit;
  std::string verdict_json;
  std::string report;  // --report DIR: the HTML report (report_output.h)
  TargetArgs target;
  std::vector<std::string> only;  // scenario names of the suite to run; empty: all
  int threads = 2;
  bool quiet = false;
  std::string clock_from;  // --clock-from HOST:PORT (run/clock_probe.h); "" = not measured
  std::string start_at;  // --start-at: the start barrier (run/start_barrier.h); "" = none
};

int run_run(const RunArgs& args, const std::vector<std::string>& argv) {
  auto plans = run::load_plans(args.file, overrides_from(args.target));
  if (!plans) throw UsageError(plans.error().message());
  if (!args.only.empty()) {
    std::vector<scenario::Plan> chosen;
    for (const auto& name : args.only) {
      auto it = std::find_if(plans->plans.begin(), plans->plans.end(),
                             [&](const scenario::Plan& p) { return p.scenario_name == name; });
      if (it == plans->plans.end()) {
        std::string names;
        for (const auto& p : plans->plans) names += (names.empty() ? "" : ", ") + p.scenario_name;
        throw UsageError("--only " + name + ": " + args.file + " has no such scenario (it has: " + names + ")");
      }
      chosen.push_back(*it);
    }
    plans->plans = std::move(chosen);
  }

  std::optional<compare::Baseline> baseline;
  if (!args.baseline.empty()) {
    auto b = compare::load_baseline(args.baseline);
    if (!b) throw UsageError(b.error().message());
    // A baseline recorded from another version of a scenario cannot judge
    // it: say so now rather than after minutes of load.
    for (const auto& plan : plans->plans) {
      const auto* bs = b->find(plan.scenario_name);
      if (bs != nullptr && bs->hash != plan.scenario_hash) {
        throw UsageError(args.baseline + ": scenario \"" + plan.scenario_name + "\" was recorded with hash " +
                         bs->hash + " but " + plan.source_file + " now has hash " + plan.scenario_hash +
                         ": the scenario changed; record a new baseline (h2soak baseline record)");
      }
    }
    baseline = std::move(*b);
  }

  StopOnSignal stop_on_signal;
  run::BatchOptions options;
  options.runs = args.runs;
  options.run = base_run_options(args.out.empty() ? default_out_dir("run") : args.out, args.threads, argv,
                                 stop_on_signal.flag(), args.quiet);
  apply_shard(args.target, plans->plans, options.run);
  if (!args.clock_from.empty()) {
    auto address = run::parse_clock_address(args.clock_from);
    if (!address) throw UsageError(address.error().message());
    options.run.clock_host = address->first;
    options.run.clock_port = address->second;
  }
  if (!args.start_at.empty()) {
    if (plans->plans.size() * static_cast<std::size_t>(args.runs) != 1) {
      throw UsageError("--start-at: starts one run (one scenario, --runs 1) at the given time; this would be " +
                       std::to_string(plans->plans.size() * static_cast<std::size_t>(args.runs)) + " runs");
    }
    auto at = run::parse_start_at(args.start_at, unix_seconds());
    if (!at) throw UsageError(at.error().message());
    options.run.start_at_unix = *at;
  }
  std::printf("h2soak run %s: %zu scenario(s) x %d run(s), results in %s\n", args.file.c_str(),
              plans->plans.size(), options.runs, options.run.out_dir.c_str());
  std::fflush(stdout);
  run::BatchResult batch = run::run_batch(plans->plans, options);

  int code = kExitPass;
  if (!batch.finished.empty() || baseline) {
    auto verdict = run::judge(batch.finished, baseline ? &*baseline : nullptr, args.baseline);
    if (!verdict) throw UsageError(verdict.error().message());
    for (const auto& e : batch.errors) verdict->notes.push_back("did not complete: " + e);
    if (!write_verdict(*verdict, args.summary_md, args.junit, args.verdict_json)) code = kExitRunFailed;
    if (verdict->failed() && code == kExitPass) code = kExitRegression;
    if (!args.report.empty() && !batch.finished.empty()) {
      ReportRequest report{args.report, {}, {}, args.baseline, &*verdict};
      for (const auto& f : batch.finished) report.results.push_back(f.source);
      if (!write_html_report(report)) code = kExitRunFailed;
    }
  }
  if (batch.incomplete) {
    for (const auto& e : batch.errors) std::fprintf(stderr, "h2soak: run could not be completed: %s\n", e.c_str());
    code = kExitRunFailed;
  }
  std::printf("results: %s\n", options.run.out_dir.c_str());
  return code;
}

}  // namespace

void register_run_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a scenario or a suite against a target, sample it, analyse, "
                                            "and compare with a baseline");
  cmd->add_option("file", args->file, "SCENARIO.yaml or SUITE.yaml")->required();
  cmd->add_option("--runs", args->runs, "run every scenario K times (default 1)")->check(CLI::Range(1, 100));
  cmd->add_option("-o,--out", args->out, "folder for result JSON and target logs (default out/run-TIMESTAMP)");
  cmd->add_option("--baseline", args->baseline, "compare with this baseline (h2soak.baseline/v1)");
  cmd->add_option("--summary-md", args->summary_md, "write the verdict as a Markdown summary to FILE");
  cmd->add_option("--junit", args->junit, "write the verdict as JUnit XML to FILE");
  cmd->add_option("--verdict-json", args->verdict_json, "write the verdict as JSON (h2soak.verdict/v1) to FILE");
  cmd->add_option("--report", args->report,
                  "write the HTML report (verdict first, then each scenario's tables and plots) into DIR");
  cmd->add_option("--only", args->only, "run only this scenario of the suite (by name; repeatable)");
  cmd->add_option("--threads", args->threads, "load generator worker threads (default 2)")->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", args->quiet, "no live progress");
  add_attribute_option(*cmd, args->target);
  add_shard_option(*cmd, args->target);
  cmd->add_option("--start-at", args->start_at,
                  "start the load (time zero) at this wall-clock time, once the target is ready: UNIX_SECONDS, or "
                  "+S for S seconds from now; give every shard (and `h2soak sample`) the same value so that they "
                  "start together (see docs/run.md, Starting together)");
  cmd->add_option("--clock-from", args->clock_from,
                  "before the load, measure this host's clock against `h2soak sample --clock-port` at HOST:PORT "
                  "and record the offset, which `merge` aligns on (see docs/run.md, Starting together)");
  add_target_options(*cmd, args->target);
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_run(*args, process_command_line()); }; });
}

}  // namespace h2soak::cli
