#include "harness/run/runner.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "harness/result/environment.h"
#include "harness/result/result_json.h"
#include "harness/run/analyze_result.h"
#include "harness/run/progress.h"
#include "harness/run/target_launch.h"
#include "harness/run/thresholds.h"
#include "harness/sampler/sampler.h"
#include "harness/workloads/plan_runner.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t errors_of(const metrics::Counters& c) {
  return c.requests_failed + c.requests_errored + c.requests_timeout + c.connections_failed;
}

// Everything the watch loop decides about how the run ended.
struct Ending {
  result::RunState state = result::RunState::kCompleted;
  std::string reason;
};

std::string phase_at(const scenario::Plan& plan, double t) {
  if (t < 0) return "before load";
  const auto* p = plan.phase_at(std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(t)));
  return p != nullptr ? p->name : "end";
}

std::vector<result::WorkloadResult> to_results(const std::vector<workloads::WorkloadOutcome>& outcomes) {
  std::vector<result::WorkloadResult> out;
  for (const auto& w : outcomes) {
    result::WorkloadResult r;
    r.name = w.name;
    r.kind = w.kind;
    r.params = w.params;
    r.phases.push_back({scenario::kWarmup, w.warmup});
    r.phases.push_back({scenario::kSteady, w.steady});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

RunOutcome run_scenario(const scenario::Plan& plan, const RunOptions& options) {
  RunOutcome out;
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  const std::string stem = options.stem.empty() ? plan.scenario_name : options.stem;
  const std::string result_path = (fs::path(options.out_dir) / (stem + ".json")).string();
  const std::string log_path = (fs::path(options.out_dir) / (stem + ".target.log")).string();

  result::RunResult& r = out.result;
  r.metadata = result::collect_metadata(options.version, options.git_revision, options.command_line);
  r.metadata.scenario_name = plan.scenario_name;
  r.metadata.scenario_hash = plan.scenario_hash;
  r.metadata.scenario_path = plan.source_file;
  r.metadata.duration = seconds(plan.total_duration);
  r.metadata.extra = options.extra_metadata;

  // 1. the target
  auto launched = launch_target(plan, LaunchOptions{options.reference_binary, log_path});
  if (!launched) {
    out.end = RunEnd::kNotStarted;
    out.error = launched.error().message();
    return out;
  }
  target::TargetProcess& proc = *launched->process;
  r.target.url = launched->url;
  r.target.mode = launched->mode;
  r.target.command = launched->command;
  r.target.pid = proc.pid();
  if (proc.spawned()) r.target.log_path = proc.log_path();

  // 2. the sampler, started a few intervals before load time zero
  const Nanos interval = plan.sample.interval;
  const Nanos lead = std::max<Nanos>(interval * 6 + std::chrono::milliseconds(20), std::chrono::milliseconds(300));
  sampler::SamplerOptions so;
  so.pid = proc.pid();
  so.interval = interval;
  so.pss_every = static_cast<unsigned>(std::max<std::int64_t>(1, plan.sample.pss_interval / interval));
  so.metrics_url = launched->metrics_url;
  so.gauges = plan.sample.gauges;
  so.insecure = plan.target.insecure;
  TimePoint zero = now() + lead;
  auto sampler = sampler::Sampler::create(so, zero);
  if (!sampler) {
    out.end = RunEnd::kNotStarted;
    out.error = "cannot sample the target " + proc.describe() + ": " + sampler.error().message();
    proc.stop(plan.target.stop_grace);
    return out;
  }
  std::atomic<bool> vanished{false};
  (*sampler)->set_on_vanished([&vanished](double) { vanished.store(true); });
  if (auto st = (*sampler)->start(); !st) {
    out.end = RunEnd::kNotStarted;
    out.error = "cannot sample the target " + proc.describe() + ": " + st.error().message();
    proc.stop(plan.target.stop_grace);
    return out;
  }
  std::this_thread::sleep_until(zero);

  // 3. the load, on its own thread; this thread marks phases and watches
  std::atomic<bool> stop{false};
  ProgressPrinter printer(options.progress, options.progress_tty);
  const std::string label = options.progress_label.empty() ? plan.scenario_name : options.progress_label;
  std::uint64_t last_done = 0;
  double last_elapsed = 0;
  std::uint64_t warmup_errors = 0;
  std::uint64_t last_errors = 0;
  std::string last_phase;
  workloads::PlanRunOptions po;
  po.threads = options.threads;
  po.base_url = launched->url;
  po.insecure = plan.target.insecure;
  po.stop_flag = &stop;
  sampler::Sampler* sampler_ptr = sampler->get();
  po.on_progress = [&](const workloads::PlanProgress& p) {
    ProgressState s;
    s.label = label;
    s.phase = p.phase;
    s.elapsed = p.elapsed_seconds;
    s.total = seconds(plan.total_duration);
    const std::uint64_t done = p.counters.requests_done;
    const double dt = p.elapsed_seconds - last_elapsed;
    // The counters restart when warm-up ends (steady figures from then on).
    if (last_phase == scenario::kWarmup && p.phase != scenario::kWarmup) {
      warmup_errors = last_errors;
      last_done = 0;
    }
    const std::uint64_t delta = done >= last_done ? done - last_done : done;
    s.rps = dt > 0 ? static_cast<double>(delta) / dt : 0;
    last_errors = errors_of(p.counters);
    s.errors = warmup_errors + last_errors;
    s.in_flight = p.in_flight;
    s.target = sampler_ptr->latest();
    last_done = done;
    last_elapsed = p.elapsed_seconds;
    last_phase = p.phase;
    printer.print(s);
  };

  std::atomic<bool> plan_done{false};
  workloads::PlanRunOutcome plan_out;
  std::thread load_thread([&] {
    plan_out = workloads::run_plan(plan, po);
    plan_done.store(true);
  });

  Ending ending;
  std::size_t next_phase = 0;
  auto watch = [&] {
    const TimePoint t = now();
    while (next_phase < plan.phases.size() && t >= zero + plan.phases[next_phase].start) {
      sampler_ptr->begin_phase(plan.phases[next_phase].name);
      ++next_phase;
    }
    if (stop.load()) return;
    if (vanished.load() || !proc.alive()) {
      const double at = seconds_between(zero, t);
      std::string how = "disappeared";
      if (auto ex = proc.exit_status()) how = ex->describe();
      ending.state = result::RunState::kTargetDied;
      ending.reason = fmt::format("the target {} {} mid-run at t = {:.1f} s (phase {})", proc.describe(), how, at,
                                  phase_at(plan, at));
      stop.store(true);
    } else if (options.stop_flag != nullptr && options.stop_flag->load()) {
      ending.state = result::RunState::kAborted;
      ending.reason = fmt::format("interrupted at t = {:.1f} s (phase {})", seconds_between(zero, t),
                                  phase_at(plan, seconds_between(zero, t)));
      stop.store(true);
    }
  };
  while (!plan_done.load()) {
    watch();
    TimePoint wake = now() + std::chrono::milliseconds(50);
    if (next_phase < plan.phases.size()) wake = std::min(wake, zero + plan.phases[next_phase].start);
    std::this_thread::sleep_until(wake);
  }
  load_thread.join();
  watch();  // a crash during the last moments, or the final phase mark
  printer.finish();

  if (ending.state == result::RunState::kCompleted) {
    if (!plan_out.error.empty()) {
      ending.state = result::RunState::kAborted;
      ending.reason = "the load could not start: " + plan_out.error;
    } else if (plan_out.never_connected) {
      std::string why;
      for (const auto& w : plan_out.workloads) {
        if (!w.last_error.empty()) why = w.last_error;
      }
      ending.state = result::RunState::kAborted;
      ending.reason = "no connection to the target " + launched->url + " could be established" +
                      (why.empty() ? "" : ": " + why);
    } else if (plan_out.interrupted) {
      ending.state = result::RunState::kAborted;
      ending.reason = "the load was interrupted";
    }
  }

  // 4. stop sampling, then the target
  sampler::SampleSeries series = sampler_ptr->stop();
  if (proc.spawned()) {
    target::ExitStatus ex = proc.stop(plan.target.stop_grace);
    if (ex.kind == target::ExitStatus::Kind::kExited) r.target.exit_code = ex.code;
    if (ex.kind == target::ExitStatus::Kind::kSignaled) r.target.exit_signal = ex.signal;
    r.metadata.extra["target_exit"] = ex.describe();
  }

  // 5. analysis
  r.status.state = ending.state;
  r.status.reason = ending.reason;
  r.workloads = to_results(plan_out.workloads);
  r.phases = series.phases;
  r.target.samples = std::move(series);
  AnalyzeOptions analyze_options;
  analyze_options.rate_seconds = seconds(plan.steady.end - plan.steady.start);
  analyze_result(r, analyze_options);
  for (const auto& t : plan.thresholds) r.thresholds.push_back(result_threshold_text(t, r.analysis));

  // 6. the result file
  if (r.status.state != result::RunState::kCompleted) {
    out.end = RunEnd::kIncomplete;
    out.error = r.status.reason;
  }
  if (auto st = result::write_result(r, result_path); !st) {
    // Said even for an incomplete run: its partial result is what was lost.
    if (out.end == RunEnd::kCompleted) out.end = RunEnd::kWriteFailed;
    out.error += std::string(out.error.empty() ? "" : "; and ") + "cannot write the result: " + st.error().message();
  } else {
    out.result_path = result_path;
  }
  return out;
}

}  // namespace h2soak::run
