#include "harness/run/capacity_plan.h"

#include <chrono>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "harness/run/capacity_stage.h"
#include "harness/util/atomic_file.h"
#include "harness/util/text.h"
#include "harness/util/units.h"

namespace h2soak::run {
namespace {

constexpr auto kMinStage = std::chrono::milliseconds(500);

constexpr OptionName kStartRate{"--start-rate", "start_rate"};
constexpr OptionName kMaxRate{"--max-rate", "max_rate"};
constexpr OptionName kStage{"--stage", "stage"};
constexpr OptionName kWarmup{"--warm-up", "warm_up"};
constexpr OptionName kTargetPid{"--target-pid", "target_pid"};
constexpr OptionName kTargetPidfile{"--target-pidfile", "target_pidfile"};

bool keywords(const CapacityOptions& o) { return o.bench.spelling == BenchSpelling::kKeywords; }

// "--stage: unknown duration unit ...", "stage: unknown duration unit ...".
Error about(const CapacityOptions& o, OptionName opt, const std::string& message) {
  return Error(message, opt.in(o.bench.spelling));
}

// "--stage must be at least 500ms", "stage: must be at least 500ms".
Error rejected(const CapacityOptions& o, OptionName opt, const std::string& predicate) {
  return keywords(o) ? Error(predicate, opt.keyword) : Error(std::string(opt.flag) + " " + predicate);
}

Result<double> rate_of(const CapacityOptions& o, const std::string& text, OptionName opt) {
  return parse_option(o.bench.spelling, opt, text, units::parse_rate);
}

Result<Nanos> duration_of(const CapacityOptions& o, const std::string& text, OptionName opt) {
  return parse_option(o.bench.spelling, opt, text, units::parse_duration);
}

// The pid to sample (0: none) and how it was given.
Status set_target(const CapacityOptions& o, CapacityPlan& plan) {
  if (o.target_pid && !o.target_pidfile.empty()) {
    return keywords(o) ? Error("give target_pid or target_pidfile, not both")
                       : Error("give --target-pid or --target-pidfile, not both");
  }
  if (o.target_pid) {
    if (*o.target_pid <= 0) return rejected(o, kTargetPid, "must be a process id");
    plan.target_pid = *o.target_pid;
    plan.target_mode = "pid";
    return {};
  }
  if (o.target_pidfile.empty()) return {};
  auto text = read_file(o.target_pidfile);
  if (!text) return about(o, kTargetPidfile, text.error().message());
  const std::string_view t = trim(*text);
  int pid = 0;
  for (char c : t) {
    if (c < '0' || c > '9' || pid > 100'000'000) return about(o, kTargetPidfile, o.target_pidfile + ": not a pid");
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0) return about(o, kTargetPidfile, o.target_pidfile + ": not a pid");
  plan.target_pid = pid;
  plan.target_mode = "pidfile";
  return {};
}

}  // namespace

Result<CapacityPlan> make_capacity_plan(const CapacityOptions& o) {
  CapacityPlan plan;
  const BenchSpelling spelling = o.bench.spelling;
  auto start = rate_of(o, o.start_rate, kStartRate);
  if (!start) return start.error();
  auto max = rate_of(o, o.max_rate, kMaxRate);
  if (!max) return max.error();
  plan.search.start_rate = *start;
  plan.search.max_rate = *max;
  plan.search.growth = o.growth;
  plan.search.refine = o.refine;
  if (auto st = check_search_options(plan.search, spelling); !st) return st.error();
  auto objectives = make_objectives(o.objectives, spelling);
  if (!objectives) return objectives.error();
  plan.objectives = std::move(*objectives);
  auto stage = duration_of(o, o.stage, kStage);
  if (!stage) return stage.error();
  if (*stage < kMinStage) return rejected(o, kStage, "must be at least 500ms");
  auto warmup = duration_of(o, o.warmup, kWarmup);
  if (!warmup) return warmup.error();
  plan.stage = *stage;
  plan.warmup = *warmup;
  if (auto st = set_target(o, plan); !st) return st.error();

  // One stage is `h2soak bench --rate R -D stage --warm-up-time W`; the rate is set per stage.
  plan.bench = o.bench;
  plan.bench.duration = o.stage;
  plan.bench.warmup = o.warmup;
  plan.bench.rate = o.start_rate;
  auto made = make_bench_plan(plan.bench);
  if (!made) return made.error();
  plan.plan = std::move(*made);

  plan.params = {{"start_rate", o.start_rate},
                 {"max_rate", o.max_rate},
                 {"stage", o.stage},
                 {"warm_up", o.warmup},
                 {"growth", fmt::format("{:g}", o.growth)},
                 {"refine", std::to_string(o.refine)},
                 {"clients", std::to_string(plan.plan.clients)},
                 {"max_streams", std::to_string(plan.plan.max_streams)},
                 {"threads", std::to_string(o.bench.threads)},
                 {"protocol", plan.plan.h1 ? "h1" : "h2"}};
  return plan;
}

result::CapacitySearch run_capacity(const CapacityPlan& plan, const CapacityHooks& hooks) {
  CapacityStageOptions so;
  so.plan = &plan.plan;
  so.bench = &plan.bench;
  so.runner = bench_runner_options(plan.bench);
  so.stage = plan.stage;
  so.warmup = plan.warmup;
  so.target_pid = plan.target_pid;
  so.interrupt = hooks.interrupt;
  so.on_progress = hooks.on_progress;
  return search_capacity(
      plan.search, plan.objectives, [&](double rate) { return run_capacity_stage(so, plan.objectives, rate); },
      hooks.on_stage);
}

result::RunResult capacity_plan_result(const CapacityPlan& plan, const result::CapacitySearch& search,
                                       double start_unix, double duration, const std::string& version,
                                       const std::string& git_revision, std::vector<std::string> command_line) {
  CapacityRunInfo info;
  info.urls = plan.bench.urls;
  info.target_mode = plan.target_mode;
  info.target_pid = plan.target_pid;
  info.start_unix = start_unix;
  info.duration = duration;
  info.version = version;
  info.git_revision = git_revision;
  info.command_line = std::move(command_line);
  info.params = plan.params;
  return capacity_result(search, info);
}

}  // namespace h2soak::run
