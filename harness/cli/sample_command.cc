// `h2soak sample (--pid N | --pidfile F | --spawn CMD) SCENARIO --out FILE
//  [--target-url URL] [--metrics-url URL --gauge NAME...] [--insecure] [--interval D]
//  [--start-at UNIX_SECONDS|+S] [-q]`:
// the sampler-only agent (harness/run/sample_agent.h) for a sharded run: on
// the target's host, it samples the target over the timeline of SCENARIO
// (the file the shards run), from the start barrier the shards get, and
// writes a result with the target's samples for `h2soak merge ... --samples
// FILE` (docs/run.md, "Sampling beside the target"). Scenario, options and
// --start-at are checked before the target is touched (exit 2). Exit codes:
// 0 sampled to the end, 2 invalid input, 3 the target could not be
// attached/started, died, the agent was interrupted (the partial result is
// still written) or the result could not be written, 4 internal error.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/run/batch.h"
#include "harness/run/sample_agent.h"
#include "harness/run/start_barrier.h"
#include "harness/util/clock.h"
#include "harness/util/units.h"

namespace h2soak::cli {
namespace {

struct SampleArgs {
  std::string file;
  std::string out;
  TargetArgs target;
  std::string interval;  // "" = the scenario's sample.interval
  std::string start_at;  // "" = no barrier
  std::optional<std::uint16_t> clock_port;  // --clock-port: the shards' clock reference
  bool quiet = false;
};

constexpr const char* kSampleExitCodesHelp =
    "Exit codes:\n"
    "  0  sampled from the start to the end of the scenario's timeline\n"
    "  2  bad usage, or an invalid scenario (the message names file:line:col)\n"
    "  3  the target could not be attached or started, it died, or the agent was interrupted\n"
    "     (SIGINT/SIGTERM): the partial result is still written; or the result could not be written\n"
    "  4  internal error\n";

// FILE's name without ".json", plus ".target.log": a spawned target's output.
std::string log_path_for(const std::string& out) {
  std::string stem = out;
  if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) stem.resize(stem.size() - 5);
  return stem + ".target.log";
}

int run_sample(const SampleArgs& args, const std::vector<std::string>& argv) {
  if (args.target.spawn.empty() && !args.target.pid && args.target.pidfile.empty()) {
    throw UsageError("sample: name the target with --pid N, --pidfile F or --spawn CMD");
  }
  std::optional<double> start_at;
  if (!args.start_at.empty()) {
    auto at = run::parse_start_at(args.start_at, unix_seconds());
    if (!at) throw UsageError(at.error().message());
    start_at = *at;
  }
  auto plans = run::load_plans(args.file, overrides_from(args.target));
  if (!plans) throw UsageError(plans.error().message());
  if (plans->plans.size() != 1) {
    throw UsageError(args.file + ": a suite of " + std::to_string(plans->plans.size()) +
                     " scenarios; the agent samples one scenario's run: pass the scenario file the shards run");
  }
  scenario::Plan plan = std::move(plans->plans.front());
  if (!args.interval.empty()) {
    auto d = units::parse_duration(args.interval);
    if (!d || *d < std::chrono::milliseconds(1)) {
      throw UsageError("--interval: expected a duration of at least 1ms (e.g. 100ms), got \"" + args.interval + "\"");
    }
    plan.sample.interval = *d;
  }

  StopOnSignal stop_on_signal;
  run::SampleAgentOptions options;
  options.out_path = args.out;
  options.log_path = log_path_for(args.out);
  options.start_at_unix = start_at;
  options.clock_port = args.clock_port;
  options.version = kVersion;
  options.git_revision = kGitRevision;
  options.command_line = argv;
  options.stop_flag = stop_on_signal.flag();
  options.progress = args.quiet ? nullptr : stderr;
  run::SampleOutcome out = run::run_sample_agent(plan, options);

  if (out.end == run::RunEnd::kNotStarted) {
    std::fprintf(stderr, "h2soak: sampling could not start: %s\n", out.error.c_str());
    return kExitRunFailed;
  }
  const auto& samples = out.result.target.samples;
  const std::size_t n = samples ? samples->samples.size() : 0;
  if (n > 0) {
    std::printf("sampled pid %d (%s): %zu samples, t = %.1f .. %.1f s, start %.3f\n", out.result.target.pid,
                plan.scenario_name.c_str(), n, samples->samples.front().t, samples->samples.back().t,
                out.result.metadata.start_unix);
  } else {
    std::printf("sampled pid %d (%s): no samples\n", out.result.target.pid, plan.scenario_name.c_str());
  }
  if (!out.result_path.empty()) std::printf("result: %s\n", out.result_path.c_str());
  std::fflush(stdout);
  if (out.end != run::RunEnd::kCompleted) {
    std::fprintf(stderr, "h2soak: sampling could not be completed: %s\n", out.error.c_str());
    return kExitRunFailed;
  }
  return kExitPass;
}

}  // namespace

void register_sample_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sample", "Sample the target of a sharded run beside it (no load) over the scenario's timeline, for "
                "`merge --samples`");
  cmd->add_option("file", args->file, "SCENARIO.yaml: the scenario the shards run")->required();
  cmd->add_option("-o,--out", args->out, "write the result (target samples, role sampler) here, atomically")
      ->required();
  cmd->add_option("--interval", args->interval, "sampling interval (default: the scenario's sample.interval, 100ms)");
  cmd->add_option("--start-at", args->start_at,
                  "time zero at this wall-clock time (UNIX_SECONDS, or +S for S seconds from now): the same value "
                  "the shards get with `run --start-at`; default: as soon as the target is ready");
  cmd->add_option("--clock-port", args->clock_port,
                  "answer the shards' `run --clock-from HOST:PORT` clock probes on this UDP port while sampling "
                  "(0: any free port, printed), so that each shard records its clock's offset from this host's")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("-q,--quiet", args->quiet, "no progress lines");
  add_target_options(*cmd, args->target, /*with_remote=*/false);
  cmd->footer(std::string("One of --pid, --pidfile and --spawn is required; a spawned target is stopped at the end "
                          "(its output: FILE's name with .target.log). See docs/run.md, \"Sampling beside the "
                          "target\".\n") +
              kSampleExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_sample(*args, process_command_line()); }; });
}

}  // namespace h2soak::cli
