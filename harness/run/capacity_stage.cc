#include "harness/run/capacity_stage.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/result/environment.h"
#include "harness/run/generator_check.h"
#include "harness/sampler/sampler.h"
#include "harness/util/clock.h"

namespace h2soak::run {
namespace {

constexpr auto kSampleInterval = std::chrono::milliseconds(100);

// The target's figures over one stage: CPU (cores) over the steady part,
// peaks over the whole stage.
void add_target_figures(const sampler::SampleSeries& s, double steady_start, result::CapacityStage& stage) {
  if (s.samples.empty()) return;
  const ProcessFigures f = process_figures(s, steady_start);
  stage.target_rss_peak = f.rss_peak;
  stage.target_threads_peak = f.threads_peak;
  if (f.fds_readable) stage.target_fds_peak = f.fds_peak;
  if (f.cpu) stage.target_cpu = *f.cpu;
}

}  // namespace

StageOutcome run_capacity_stage(const CapacityStageOptions& options, const Objectives& objectives, double rate) {
  StageOutcome o;
  o.stage.offered = rate;
  workloads::BenchPlan plan = *options.plan;
  plan.rate = rate;
  plan.requests = 0;

  std::atomic<bool> stop{false};
  load::RunnerOptions runner = options.runner;
  runner.duration = options.stage;
  runner.warmup = options.warmup;
  runner.stop_flag = &stop;
  EarlyStop early(objectives, rate);
  runner.on_progress = [&](const load::Progress& p) {
    if (options.interrupt != nullptr && options.interrupt->load()) stop.store(true);
    if (early.update(p)) stop.store(true);
    if (options.on_progress) options.on_progress(rate, p);
  };

  std::unique_ptr<sampler::Sampler> sampler;
  const TimePoint zero = now();
  std::atomic<bool> vanished{false};
  if (options.target_pid > 0) {
    sampler::SamplerOptions so;
    so.pid = options.target_pid;
    so.interval = kSampleInterval;
    so.pss_every = 0;
    auto created = sampler::Sampler::create(so, zero);
    if (!created) {
      o.abort = "target-gone";
      o.abort_detail = fmt::format("cannot sample the target (pid {}): {}", options.target_pid,
                                   created.error().message());
      return o;
    }
    sampler = std::move(*created);
    sampler->set_on_vanished([&](double) {
      vanished.store(true);
      stop.store(true);
    });
    if (auto st = sampler->start(); !st) {
      o.abort = "target-gone";
      o.abort_detail = fmt::format("cannot sample the target (pid {}): {}", options.target_pid, st.error().message());
      return o;
    }
  }

  const double start_unix = unix_seconds();
  const load::RunOutcome out = load::run_workers(runner, [&plan](load::Worker& w) {
    return std::make_unique<workloads::BenchWorkload>(w, plan);
  });

  BenchOptions bench = *options.bench;
  bench.rate = fmt::format("{}/s", rate);
  const result::RunResult r = bench_result(bench, plan, out, start_unix, "", "", {});
  // Completions of the steady phase over the time they took: from steady
  // start to the last one, so a backlog that drains after the deadline
  // lowers the achieved rate instead of counting as if it were on time.
  const double measured = std::max(out.steady_seconds, seconds_between(out.steady_start, out.end));
  o.metrics = stage_metrics(r.workloads, measured);
  fill_stage_figures(o.stage, o.metrics);
  o.stage.seconds = measured;
  if (sampler) {
    const sampler::SampleSeries series = sampler->stop();
    add_target_figures(series, seconds_between(zero, out.steady_start), o.stage);
  }

  if (early.triggered()) {
    o.stage.stopped_early = true;
    o.early_stop = early.objective();
    o.early_detail = early.detail();
  }
  // Saturation is what makes a stage generator-bound; a late timer alone is
  // noted (it may be the machine, shared with the target, not the generator).
  const auto busy = r.analysis.find("generator.busy");
  const GeneratorLimits limits;
  if (busy != r.analysis.end() && busy->second.value >= limits.busy) o.stage.generator_bound = true;
  if (r.generator && !r.generator->warnings.empty()) {
    o.generator_note = fmt::format("{}", fmt::join(r.generator->warnings, "; "));
  }

  if (options.interrupt != nullptr && options.interrupt->load()) {
    o.abort = "interrupted";
    o.abort_detail = fmt::format("interrupted during the stage at {:g} req/s", rate);
  } else if (vanished.load()) {
    o.abort = "target-gone";
    o.abort_detail = fmt::format("the target (pid {}) ended during the stage at {:g} req/s", options.target_pid, rate);
  } else if (out.never_connected) {
    o.abort = "target-gone";
    o.abort_detail = fmt::format("no connection to {} could be established{}{}", options.bench->urls.front(),
                                 out.last_error.empty() ? "" : ": ", out.last_error);
  }
  return o;
}

result::RunResult capacity_result(const result::CapacitySearch& search, const CapacityRunInfo& info) {
  result::RunResult r;
  r.metadata = result::collect_metadata(info.version, info.git_revision, info.command_line);
  r.metadata.scenario_name = "capacity";
  r.metadata.start_unix = info.start_unix;
  r.metadata.duration = info.duration;
  for (const auto& [k, v] : info.params) r.metadata.extra["capacity." + k] = v;
  if (search.stop == "interrupted") {
    r.status.state = result::RunState::kAborted;
    r.status.reason = search.note;
  } else if (search.stop == "target-gone") {
    r.status.state = result::RunState::kTargetDied;
    r.status.reason = search.note;
  }
  r.target.url = info.urls.empty() ? "" : info.urls.front();
  r.target.mode = info.target_mode;
  r.target.pid = info.target_pid;

  result::AnalysisMetric m;
  m.value = search.capacity;
  m.unit = "req/s";
  m.direction = result::Direction::kHigherIsBetter;
  m.note = fmt::format("interval [{:g}, {}] req/s; first broken objective: {}; search ended: {}",
                       search.interval_low,
                       std::isnan(search.interval_high) ? std::string("none failed")
                                                        : fmt::format("{:g}", search.interval_high),
                       search.first_broken.empty() ? "none" : search.first_broken, search.stop);
  r.analysis["capacity"] = m;
  r.capacity = search;
  return r;
}

}  // namespace h2soak::run
