#include "harness/run/sample_agent.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "harness/result/environment.h"
#include "harness/result/result_json.h"
#include "harness/run/clock_probe.h"
#include "harness/run/start_barrier.h"
#include "harness/run/target_launch.h"
#include "harness/sampler/sampler.h"
#include "harness/workloads/plan_runner.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

// How the run ended, as the watch loop decides it.
using Ending = result::RunStatus;

void say(const SampleAgentOptions& options, const std::string& line) {
  if (options.progress == nullptr) return;
  std::fprintf(options.progress, "%s\n", line.c_str());
  std::fflush(options.progress);
}

// Step 3: from time zero to the end of the window, phase marks at their
// planned offsets; the target dying or the stop flag end it early.
Ending sample_until_end(const scenario::Plan& plan, const SampleAgentOptions& options, const SampleWindow& window,
                        TimePoint zero, sampler::Sampler& sampler, launch::TargetProcess& proc,
                        const std::atomic<bool>& vanished) {
  Ending ending;
  std::size_t next_phase = 0;
  bool closed = false;
  for (;;) {
    const TimePoint t = now();
    while (next_phase < plan.phases.size() && t >= zero + plan.phases[next_phase].start) {
      sampler.begin_phase(plan.phases[next_phase].name);
      say(options, fmt::format("sampling pid {}: {} (t = {:.1f} s of {:.1f} s)", proc.pid(),
                               plan.phases[next_phase].name, seconds(plan.phases[next_phase].start),
                               seconds(window.end)));
      ++next_phase;
    }
    if (!closed && t >= zero + window.end) {
      sampler.end_phase();
      closed = true;
    }
    if (t >= zero + window.stop) break;
    const double at = seconds_between(zero, t);
    if (vanished.load() || !proc.alive()) {
      std::string how = "disappeared";
      if (auto ex = proc.exit_status()) how = ex->describe();
      ending.state = result::RunState::kTargetDied;
      ending.reason = fmt::format("the target {} {} while sampled at t = {:.1f} s (phase {})", proc.describe(), how,
                                  at, plan.phase_name_at(at));
      break;
    }
    if (options.stop_flag != nullptr && options.stop_flag->load()) {
      ending.state = result::RunState::kAborted;
      ending.reason = fmt::format("interrupted at t = {:.1f} s (phase {})", at, plan.phase_name_at(at));
      break;
    }
    // Phase marks wake the loop on time by themselves; the 200 ms turn only
    // bounds how late a Ctrl-C or a dead target is noticed (the sampler thread
    // flags a vanished process itself). Waking every 50 ms cost this agent
    // 0.30 % of a core at idle, more than the sampling (harness/bench/sampler_overhead.sh).
    TimePoint wake = std::min(t + std::chrono::milliseconds(200), zero + window.stop);
    if (next_phase < plan.phases.size()) wake = std::min(wake, zero + plan.phases[next_phase].start);
    if (!closed) wake = std::min(wake, zero + window.end);
    std::this_thread::sleep_until(wake);
  }
  return ending;
}

}  // namespace

SampleWindow sample_window(const scenario::Plan& plan) {
  SampleWindow w;
  w.lead = sampler_lead(plan.sample.interval);
  w.end = plan.total_duration;
  w.stop = w.end + workloads::PlanRunOptions{}.drain;
  return w;
}

result::RunResult sampler_result(const scenario::Plan& plan, const SampleAgentOptions& options) {
  result::RunResult r;
  r.metadata = result::collect_metadata(options.version, options.git_revision, options.command_line);
  r.metadata.scenario_name = plan.scenario_name;
  r.metadata.scenario_hash = plan.scenario_hash;
  r.metadata.scenario_path = plan.source_file;
  r.metadata.duration = seconds(plan.total_duration);
  r.metadata.extra["role"] = kSamplerRole;
  r.target.mode = "none";
  return r;
}

void finish_sampler_result(result::RunResult& r, std::optional<sampler::SampleSeries> series,
                           result::RunState state, const std::string& reason) {
  r.status.state = state;
  r.status.reason = reason;
  r.workloads.clear();
  r.phases.clear();
  if (series) r.phases = series->phases;
  r.target.samples = std::move(series);
}

SampleOutcome run_sample_agent(const scenario::Plan& plan, const SampleAgentOptions& options) {
  SampleOutcome out;
  out.result = sampler_result(plan, options);
  result::RunResult& r = out.result;

  // 0. the shards' clock reference, up before anything waits
  std::unique_ptr<ClockServer> clock;
  if (options.clock_port) {
    auto started = ClockServer::start(*options.clock_port);
    if (!started) {
      out.end = RunEnd::kNotStarted;
      out.error = "--clock-port: " + started.error().message();
      return out;
    }
    clock = std::move(*started);
    r.metadata.extra["clock_port"] = std::to_string(clock->port());
    say(options, fmt::format("clock service on UDP port {} (for `run --clock-from`)", clock->port()));
  }

  // 1. the target (its log, like the result, goes into a folder that may not exist yet)
  std::error_code ec;
  for (const auto& file : {options.out_path, options.log_path}) {
    if (const fs::path dir = fs::path(file).parent_path(); !dir.empty()) fs::create_directories(dir, ec);
  }
  auto launched = launch_target(plan, LaunchOptions{options.reference_binary, options.log_path});
  if (!launched) {
    out.end = RunEnd::kNotStarted;
    out.error = launched.error().message();
    return out;
  }
  if (launched->remote()) {
    out.end = RunEnd::kNotStarted;
    out.error = "the sampler agent samples a process on this host: give --pid, --pidfile or --spawn (the scenario's target is remote)";
    return out;
  }
  launch::TargetProcess& proc = *launched->process;
  describe_target(*launched, r);

  // 2. time zero, and the wait for the sampler's lead before it
  const SampleWindow window = sample_window(plan);
  const TimePoint steady_now = now();
  const double unix_now = unix_seconds();
  const TimePoint zero = time_zero(steady_now, unix_now, options.start_at_unix, window.lead, plan.sample.interval);
  // The wall clock at the samples' t = 0, as the shards' start_unix is theirs.
  r.metadata.start_unix = unix_now + seconds(zero - steady_now);
  record_start_at(options.start_at_unix, r.metadata.start_unix, r.metadata.extra);
  if (options.start_at_unix) {
    say(options, fmt::format("sampling pid {}: waiting for --start-at {:.3f} (in {:.1f} s)", proc.pid(),
                             *options.start_at_unix, seconds(zero - steady_now)));
  }

  Ending ending;
  std::optional<sampler::SampleSeries> series;
  if (!wait_until(zero - window.lead, options.stop_flag, [&proc] { return proc.alive(); })) {
    ending.state = proc.alive() ? result::RunState::kAborted : result::RunState::kTargetDied;
    ending.reason = proc.alive() ? "interrupted before sampling started"
                                 : "the target " + proc.describe() + " ended before sampling started";
  } else {
    // 3. sample
    auto created = sampler::Sampler::create(target_sampler_options(plan, *launched), zero);
    if (!created) {
      out.end = RunEnd::kNotStarted;
      out.error = "cannot sample the target " + proc.describe() + ": " + created.error().message();
      proc.stop(plan.target.stop_grace);
      return out;
    }
    sampler::Sampler& sampler = **created;
    std::atomic<bool> vanished{false};
    sampler.set_on_vanished([&vanished](double) { vanished.store(true); });
    if (auto st = sampler.start(); !st) {
      out.end = RunEnd::kNotStarted;
      out.error = "cannot sample the target " + proc.describe() + ": " + st.error().message();
      proc.stop(plan.target.stop_grace);
      return out;
    }
    ending = sample_until_end(plan, options, window, zero, sampler, proc, vanished);
    series = sampler.stop();
  }

  // 4. the target, if spawned here
  stop_target(plan, *launched, r);
  if (clock) r.metadata.extra["clock_probes_answered"] = std::to_string(clock->answered());

  // 5. the result file (also a partial one)
  finish_sampler_result(r, std::move(series), ending.state, ending.reason);
  if (r.status.state != result::RunState::kCompleted) {
    out.end = RunEnd::kIncomplete;
    out.error = r.status.reason;
  }
  if (auto st = result::write_result(r, options.out_path); !st) {
    if (out.end == RunEnd::kCompleted) out.end = RunEnd::kWriteFailed;
    out.error += std::string(out.error.empty() ? "" : "; and ") + "cannot write the result: " + st.error().message();
  } else {
    out.result_path = options.out_path;
  }
  return out;
}

}  // namespace h2soak::run
