#include "harness/run/runner.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "harness/result/environment.h"
#include "harness/result/result_json.h"
#include "harness/run/analyze_result.h"
#include "harness/run/clock_probe.h"
#include "harness/run/generator_check.h"
#include "harness/run/progress.h"
#include "harness/run/start_barrier.h"
#include "harness/run/target_launch.h"
#include "harness/sampler/sampler.h"
#include "harness/workloads/plan_runner.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t errors_of(const metrics::Counters& c) {
  return c.requests_failed + c.requests_errored + c.requests_timeout + c.connections_failed;
}

// How the run ended, as the watch loop decides it.
using Ending = result::RunStatus;

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

// Step 2: the sampler, started a few intervals before load time zero (so the
// analysis has a level from before the load). The target vanishing sets
// `vanished` (on the sampler thread).
struct Sampling {
  std::unique_ptr<sampler::Sampler> sampler;
  TimePoint zero{};  // load time zero: the sampler's and the result's origin
};

// With a start barrier (RunOptions::start_at_unix), time zero is the
// barrier's moment: this waits until the sampler's lead before it.
Result<Sampling> start_sampling(const scenario::Plan& plan, const RunOptions& options, const LaunchedTarget& launched,
                                std::atomic<bool>& vanished) {
  const Nanos interval = plan.sample.interval;
  const Nanos lead = sampler_lead(interval);
  const TimePoint zero = time_zero(now(), unix_seconds(), options.start_at_unix, lead, interval);
  if (options.start_at_unix) {
    if (options.progress != nullptr) {
      std::fprintf(options.progress, "%s: waiting for --start-at %.3f (load in %.1f s)\n", plan.scenario_name.c_str(),
                   *options.start_at_unix, seconds(zero - now()));
      std::fflush(options.progress);
    }
    if (!wait_until(zero - lead, options.stop_flag, [&launched] { return launched.alive(); })) {
      return Error(launched.alive() ? "interrupted while waiting for --start-at"
                                    : "the target " + launched.describe() + " ended while waiting for --start-at");
    }
  }
  Sampling sampling;
  sampling.zero = zero;
  auto created = sampler::Sampler::create(target_sampler_options(plan, launched), sampling.zero);
  if (!created) return Error("cannot sample the target " + launched.describe() + ": " + created.error().message());
  sampling.sampler = std::move(*created);
  sampling.sampler->set_on_vanished([&vanished](double) { vanished.store(true); });
  if (auto st = sampling.sampler->start(); !st) {
    return Error("cannot sample the target " + launched.describe() + ": " + st.error().message());
  }
  return sampling;
}

// The generator watching itself: h2soak's own process, once a second on the
// target's time axis. Self-monitoring is best effort: a failure costs the
// series, never the run.
std::unique_ptr<sampler::Sampler> start_self_sampling(TimePoint zero) {
  sampler::SamplerOptions so;
  so.pid = static_cast<int>(::getpid());
  so.interval = std::chrono::seconds(1);
  so.pss_every = 0;
  auto created = sampler::Sampler::create(so, zero);
  if (!created || !(*created)->start()) return nullptr;
  return std::move(*created);
}

result::Generator generator_of(const workloads::PlanRunOutcome& load, sampler::Sampler* self) {
  result::Generator g;
  if (self != nullptr) g.samples = self->stop();
  g.workers = generator_workers(load.workers);
  return g;
}

// The terminal line and RunOptions::on_progress, from the engine's progress
// (once a second on the load thread): requests per second over the last
// interval, errors over all phases, the target's latest sample.
class ProgressReporter {
 public:
  ProgressReporter(const scenario::Plan& plan, const RunOptions& options, const sampler::Sampler& sampler)
      : plan_(plan),
        options_(options),
        sampler_(sampler),
        printer_(options.progress, options.progress_tty),
        label_(options.progress_label.empty() ? plan.scenario_name : options.progress_label) {}

  void report(const load::Progress& p) {
    ProgressState s;
    s.label = label_;
    s.phase = p.phase;
    s.elapsed = p.elapsed_seconds;
    s.total = seconds(plan_.total_duration);
    const std::uint64_t done = p.counters.requests_done;
    const double dt = p.elapsed_seconds - last_elapsed_;
    // The counters restart when warm-up ends (steady figures from then on).
    if (last_phase_ == scenario::kWarmup && p.phase != scenario::kWarmup) {
      warmup_errors_ = last_errors_;
      last_done_ = 0;
    }
    const std::uint64_t delta = done >= last_done_ ? done - last_done_ : done;
    s.rps = dt > 0 ? static_cast<double>(delta) / dt : 0;
    last_errors_ = errors_of(p.counters);
    s.errors = warmup_errors_ + last_errors_;
    s.in_flight = p.in_flight;
    s.target = sampler_.latest();
    last_done_ = done;
    last_elapsed_ = p.elapsed_seconds;
    last_phase_ = p.phase;
    printer_.print(s);
    if (options_.on_progress) options_.on_progress(s);
  }
  void finish() { printer_.finish(); }

 private:
  const scenario::Plan& plan_;
  const RunOptions& options_;
  const sampler::Sampler& sampler_;
  ProgressPrinter printer_;
  std::string label_;
  std::uint64_t last_done_ = 0;
  double last_elapsed_ = 0;
  std::uint64_t warmup_errors_ = 0;
  std::uint64_t last_errors_ = 0;
  std::string last_phase_;
};

// Step 3: the load on its own thread from time zero; this thread marks the
// phase boundaries in the sampler and watches the target (dying, vanishing)
// and the caller's stop flag, either of which stops the load.
struct LoadRun {
  workloads::PlanRunOutcome plan;
  Ending watched;  // kCompleted unless the target died or the caller stopped the run
  double zero_unix = 0;  // wall clock at time zero: the result's start_unix
};

LoadRun run_load_and_watch(const scenario::Plan& plan, const RunOptions& options, const LaunchedTarget& launched,
                           Sampling& sampling, const std::atomic<bool>& vanished) {
  sampler::Sampler& sampler = *sampling.sampler;
  const TimePoint zero = sampling.zero;
  std::this_thread::sleep_until(zero);
  const double zero_unix = unix_seconds();

  std::atomic<bool> stop{false};
  ProgressReporter reporter(plan, options, sampler);
  workloads::PlanRunOptions po;
  po.threads = options.threads;
  po.base_url = launched.url;
  po.insecure = plan.target.insecure;
  po.stop_flag = &stop;
  po.on_progress = [&reporter](const load::Progress& p) { reporter.report(p); };

  LoadRun run;
  run.zero_unix = zero_unix;
  std::atomic<bool> load_done{false};
  std::thread load_thread([&] {
    run.plan = workloads::run_plan(plan, po);
    load_done.store(true);
  });

  std::size_t next_phase = 0;
  auto watch = [&] {
    const TimePoint t = now();
    while (next_phase < plan.phases.size() && t >= zero + plan.phases[next_phase].start) {
      sampler.begin_phase(plan.phases[next_phase].name);
      ++next_phase;
    }
    if (stop.load()) return;
    const double at = seconds_between(zero, t);
    if (vanished.load() || !launched.alive()) {
      std::string how = "disappeared";
      if (auto ex = launched.process->exit_status()) how = ex->describe();
      run.watched.state = result::RunState::kTargetDied;
      run.watched.reason = fmt::format("the target {} {} mid-run at t = {:.1f} s (phase {})", launched.describe(), how,
                                       at, plan.phase_name_at(at));
      stop.store(true);
    } else if (options.stop_flag != nullptr && options.stop_flag->load()) {
      run.watched.state = result::RunState::kAborted;
      run.watched.reason = fmt::format("interrupted at t = {:.1f} s (phase {})", at, plan.phase_name_at(at));
      stop.store(true);
    }
  };
  while (!load_done.load()) {
    watch();
    TimePoint wake = now() + std::chrono::milliseconds(50);
    if (next_phase < plan.phases.size()) wake = std::min(wake, zero + plan.phases[next_phase].start);
    std::this_thread::sleep_until(wake);
  }
  load_thread.join();
  watch();  // a crash during the last moments, or the final phase mark
  reporter.finish();
  return run;
}

// How the run ended: what the watch saw first, else what the load reports.
Ending how_it_ended(const LoadRun& run, const std::string& url) {
  if (run.watched.state != result::RunState::kCompleted) return run.watched;
  const workloads::PlanRunOutcome& load = run.plan;
  Ending ending;
  if (!load.error.empty()) {
    ending.state = result::RunState::kAborted;
    ending.reason = "the load could not start: " + load.error;
  } else if (load.never_connected) {
    std::string why;
    for (const auto& w : load.workloads) {
      if (!w.last_error.empty()) why = w.last_error;
    }
    ending.state = result::RunState::kAborted;
    ending.reason = "no connection to the target " + url + " could be established" + (why.empty() ? "" : ": " + why);
  } else if (load.interrupted) {
    ending.state = result::RunState::kAborted;
    ending.reason = "the load was interrupted";
  }
  return ending;
}

// Step 4 is stop_target() (target_launch.h).
// Step 5: the result document: status, client metrics, samples, analysis,
// the scenario's thresholds.
void fill_result(const scenario::Plan& plan, const Ending& ending, const workloads::PlanRunOutcome& load,
                 sampler::SampleSeries series, result::Generator generator, result::RunResult& r) {
  r.status.state = ending.state;
  r.status.reason = ending.reason;
  r.workloads = to_results(load.workloads);
  r.generator = std::move(generator);
  r.phases = series.phases;
  r.target.samples = std::move(series);
  analyze_for_plan(plan, r);
}

result::RunResult start_result(const scenario::Plan& plan, const RunOptions& options) {
  result::RunResult r;
  r.metadata = result::collect_metadata(options.version, options.git_revision, options.command_line);
  r.metadata.scenario_name = plan.scenario_name;
  r.metadata.scenario_hash = plan.scenario_hash;
  r.metadata.scenario_path = plan.source_file;
  r.metadata.duration = seconds(plan.total_duration);
  r.metadata.extra = options.extra_metadata;
  if (plan.modulation.slots > 0) {
    result::Modulation m;
    m.start = seconds(plan.steady.start);
    m.slot = seconds(plan.modulation.slot);
    m.slots = plan.modulation.slots;
    for (const auto& w : plan.workloads) {
      if (!w.pattern.empty()) m.patterns[w.name] = w.pattern;
    }
    r.modulation = std::move(m);
  }
  return r;
}

// `--clock-from`: this host's clock against the sampler agent's, before the barrier.
void measure_clock(const scenario::Plan& plan, const RunOptions& options, result::RunResult& r) {
  const std::string from = fmt::format("{}:{}", options.clock_host, options.clock_port);
  const auto measured = measure_clock_offset(options.clock_host, options.clock_port);
  record_clock(from, measured, r.metadata.extra);
  if (options.progress == nullptr) return;
  if (measured) {
    std::fprintf(options.progress, "%s: clock offset against %s: %+.3f ms (± %.3f ms)\n", plan.scenario_name.c_str(),
                 from.c_str(), measured->offset * 1000.0, measured->uncertainty * 1000.0);
  } else {
    std::fprintf(options.progress, "%s: WARNING: clock offset not measured: %s\n", plan.scenario_name.c_str(),
                 measured.error().message().c_str());
  }
}

}  // namespace

RunOutcome run_scenario(const scenario::Plan& plan, const RunOptions& options) {
  RunOutcome out;
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  const std::string stem = options.stem.empty() ? plan.scenario_name : options.stem;
  const std::string result_path = (fs::path(options.out_dir) / (stem + ".json")).string();
  const std::string log_path = (fs::path(options.out_dir) / (stem + ".target.log")).string();
  out.result = start_result(plan, options);
  result::RunResult& r = out.result;

  // 1. the target
  auto launched = launch_target(plan, LaunchOptions{options.reference_binary, log_path});
  if (!launched) {
    out.end = RunEnd::kNotStarted;
    out.error = launched.error().message();
    return out;
  }
  describe_target(*launched, r);
  if (!launched->note.empty() && options.progress != nullptr) {
    std::fprintf(options.progress, "%s: note: %s\n", plan.scenario_name.c_str(), launched->note.c_str());
  }
  if (!options.clock_host.empty()) measure_clock(plan, options, r);

  // 2. the sampler
  std::atomic<bool> vanished{false};
  auto sampling = start_sampling(plan, options, *launched, vanished);
  if (!sampling) {
    out.end = RunEnd::kNotStarted;
    out.error = sampling.error().message();
    stop_target(plan, *launched, r);
    return out;
  }

  std::unique_ptr<sampler::Sampler> self = start_self_sampling(sampling->zero);

  // 3. the load, watched
  const LoadRun load = run_load_and_watch(plan, options, *launched, *sampling, vanished);
  const Ending ending = how_it_ended(load, launched->url);
  // The result's clock starts at time zero (the series' and samples' t = 0),
  // so that results of processes started together line up (merge.h).
  r.metadata.start_unix = load.zero_unix;
  record_start_at(options.start_at_unix, load.zero_unix, r.metadata.extra);

  // 4. stop sampling, then the target
  sampler::SampleSeries series = sampling->sampler->stop();
  result::Generator generator = generator_of(load.plan, self.get());
  stop_target(plan, *launched, r);

  // 5. the result document
  fill_result(plan, ending, load.plan, std::move(series), std::move(generator), r);

  // 6. the result file (also for a partial run)
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
