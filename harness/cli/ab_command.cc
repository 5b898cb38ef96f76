// `h2soak ab [--a "CMD"] [--b "CMD"] [--a-args "WORDS"] [--b-args "WORDS"] SCENARIO.yaml [--pairs K] [--out DIR]
//  [--summary-md FILE] [--junit FILE] [--verdict-json FILE] [--report DIR] [--target-url URL]
//  [--metrics-url URL --gauge NAME...] [--insecure] [--threads N]`:
// two spawned targets (e.g. yesterday's build and today's; or the scenario's
// own target with and without --b-args "--fault NAME") run alternately,
// A B A B ..., K pairs (default 3), each run the whole scenario (or every
// scenario of a suite). The pairs are compared pair by pair
// (harness/run/pairwise.h), efficiency figures (CPU per request, latency,
// throughput) as strictly as leaks: exit 1 when B is worse than A beyond the rules,
// or a threshold fails on B; 3 when a run could not be completed.

#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/report_output.h"
#include "harness/cli/run_support.h"
#include "harness/run/batch.h"
#include "harness/run/pairwise.h"

namespace h2soak::cli {
namespace {

struct AbArgs {
  std::string file;
  std::string a;
  std::string b;
  std::string a_args;
  std::string b_args;
  int pairs = 3;
  std::string out;
  std::string summary_md;
  std::string junit;
  std::string verdict_json;
  std::string report;  // --report DIR: the A/B report (report_output.h)
  std::string target_url;
  TargetArgs sampling;  // --metrics-url --gauge --insecure, for both targets
  int threads = 2;
  bool quiet = false;
};

int run_ab(const AbArgs& args) {
  scenario::TargetOverrides oa = overrides_from(args.sampling), ob = overrides_from(args.sampling);
  if (!args.a.empty()) oa.spawn = args.a;
  if (!args.b.empty()) ob.spawn = args.b;
  if (!args.a_args.empty()) oa.extra_args = args.a_args;
  if (!args.b_args.empty()) ob.extra_args = args.b_args;
  if (oa.spawn == ob.spawn && oa.extra_args == ob.extra_args) {
    throw UsageError("A and B are the same target: give --a/--b commands or --a-args/--b-args that differ");
  }
  if (!args.target_url.empty()) oa.url = ob.url = args.target_url;
  auto plans_a = run::load_plans(args.file, oa);
  if (!plans_a) throw UsageError("--a: " + plans_a.error().message());
  auto plans_b = run::load_plans(args.file, ob);
  if (!plans_b) throw UsageError("--b: " + plans_b.error().message());

  StopOnSignal stop_on_signal;
  run::BatchOptions options;
  options.runs = 1;
  options.run = base_run_options(args.out.empty() ? default_out_dir("ab") : args.out, args.threads,
                                 process_command_line(), stop_on_signal.flag(), args.quiet);
  auto describe = [](const std::string& command, const std::string& extra) {
    std::string s = command.empty() ? "the scenario's target" : command;
    return extra.empty() ? s : s + " + " + extra;
  };
  std::printf("h2soak ab %s: %d pair(s), A = %s, B = %s, results in %s\n", args.file.c_str(), args.pairs,
              describe(args.a, args.a_args).c_str(), describe(args.b, args.b_args).c_str(),
              options.run.out_dir.c_str());
  std::fflush(stdout);

  std::deque<run::BatchResult> batches;  // keeps the results the FinishedRuns point to
  std::vector<run::FinishedRun> a_runs, b_runs;
  std::vector<std::string> errors;
  for (int k = 0; k < args.pairs; ++k) {
    options.run_offset = k;
    options.stem_prefix = "a.";
    batches.push_back(run::run_batch(plans_a->plans, options));
    const auto& ba = batches.back();
    options.stem_prefix = "b.";
    batches.push_back(run::run_batch(plans_b->plans, options));
    const auto& bb = batches.back();
    errors.insert(errors.end(), ba.errors.begin(), ba.errors.end());
    errors.insert(errors.end(), bb.errors.begin(), bb.errors.end());
    if (ba.incomplete || bb.incomplete) break;  // a pair needs both halves
    a_runs.insert(a_runs.end(), ba.finished.begin(), ba.finished.end());
    b_runs.insert(b_runs.end(), bb.finished.begin(), bb.finished.end());
  }

  int code = kExitPass;
  if (!a_runs.empty()) {
    auto verdict = run::compare_pairs(a_runs, b_runs);
    if (!verdict) throw UsageError(verdict.error().message());
    for (const auto& e : errors) verdict->notes.push_back("did not complete: " + e);
    if (!write_verdict(*verdict, args.summary_md, args.junit, args.verdict_json)) code = kExitRunFailed;
    if (verdict->failed() && code == kExitPass) code = kExitRegression;
    if (!args.report.empty()) {
      ReportRequest report{args.report, {}, {}, "", &*verdict};
      for (const auto& f : a_runs) report.results.push_back(f.source);
      for (const auto& f : b_runs) report.b_results.push_back(f.source);
      if (!write_html_report(report)) code = kExitRunFailed;
    }
  }
  if (!errors.empty()) {
    for (const auto& e : errors) std::fprintf(stderr, "h2soak: run could not be completed: %s\n", e.c_str());
    code = kExitRunFailed;
  }
  std::printf("results: %s\n", options.run.out_dir.c_str());
  return code;
}

}  // namespace

void register_ab_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<AbArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ab", "Run two targets alternately (A B A B ...) on one scenario and compare them pair by pair");
  cmd->add_option("file", args->file, "SCENARIO.yaml (or SUITE.yaml)")->required();
  cmd->add_option("--a", args->a,
                  "command that starts target A (\"h2soak-target ...\" = the reference server; "
                  "default: the scenario's own target)");
  cmd->add_option("--b", args->b, "command that starts target B, the candidate (default: the scenario's own)");
  cmd->add_option("--a-args", args->a_args, "words appended to A's command (e.g. \"--threads 4\")");
  cmd->add_option("--b-args", args->b_args, "words appended to B's command (e.g. \"--fault fd-leak\")");
  cmd->add_option("--pairs", args->pairs, "number of A B pairs (default 3)")->check(CLI::Range(1, 50));
  cmd->add_option("-o,--out", args->out, "folder for result JSON and target logs (default out/ab-TIMESTAMP)");
  cmd->add_option("--summary-md", args->summary_md, "write the verdict as a Markdown summary to FILE");
  cmd->add_option("--junit", args->junit, "write the verdict as JUnit XML to FILE");
  cmd->add_option("--verdict-json", args->verdict_json, "write the verdict as JSON to FILE");
  cmd->add_option("--report", args->report,
                  "write the A/B report into DIR: the pairwise verdict, then A's and B's plots side by side");
  cmd->add_option("--target-url", args->target_url, "URL both targets listen on (when not {port} from stdout)");
  cmd->add_option("--threads", args->threads, "load generator worker threads (default 2)")->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", args->quiet, "no live progress");
  add_sampling_options(*cmd, args->sampling);
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_ab(*args); }; });
}

}  // namespace h2soak::cli
