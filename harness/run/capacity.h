#pragma once
// `h2soak capacity`'s search, as pure functions (docs/capacity.md): what the
// highest arrival rate is that a service sustains within its objectives, and
// which objective breaks first above it.
//
//   Objectives obj = *make_objectives({"p99 < 250ms", "error_rate < 0.1%"});
//   CapacitySearch s = search_capacity(search_options, obj, [&](double rate) { return measure(rate); });
//
// The search calls `measure(rate)` once per stage (an open-model load at that
// fixed arrival rate; run/capacity_stage.h runs it on the engine, the unit
// tests give a synthetic service), judges each stage (judge_stage) and
// decides the next rate: a geometric ramp from start_rate by `growth` until a
// stage fails (or max_rate passes), then `refine` bisections between the last
// passing and the first failing rate. It ends early when a stage was
// generator-bound (the figure would measure h2soak) or was interrupted.
//
// EarlyStop decides, from the engine's once-a-second progress, when a stage
// is so clearly broken that running it to its end would only waste time.
//
// Pure: no I/O, no clock.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/load/runner.h"
#include "harness/result/run_result.h"
#include "harness/run/bench.h"
#include "harness/scenario/scenario.h"
#include "harness/util/result.h"

namespace h2soak::run {

// The objectives used when none is given.
std::vector<std::string> default_objectives();

// One objective in the scenario threshold grammar (scenario::Threshold), over
// a stage's client metrics (client_metrics.h) plus `drop_rate`. Shorthands:
// "p99 < 250ms" is "latency.p99 < 250ms" (also p50 p90 p95 p999 max mean).
Result<scenario::Threshold> parse_objective(std::string_view text);

// What a stage must meet.
struct Objectives {
  std::vector<scenario::Threshold> list;  // as given, in order
  // Arrivals dropped (never started: the in-flight bound was reached) over
  // arrivals, below this: the limit of an `error_rate <` objective, else 0.1 %.
  double drop_budget = 0.001;
  // The rate completed over the rate offered, at least this.
  double min_achieved = 0.95;
};

// Parses each text (parse_objective); none: default_objectives(). The Error
// names the objective, and the option as `spelling` asks ('--objective "..."'
// for the CLI, 'objectives: "..."' for h2soak.capacity).
Result<Objectives> make_objectives(const std::vector<std::string>& texts,
                                   BenchSpelling spelling = BenchSpelling::kFlags);

// What one stage measured. measure() fills everything but the verdict
// (stage.passed, stage.broken, stage.detail), which judge_stage() sets.
struct StageOutcome {
  result::CapacityStage stage;                            // figures; stage.offered is the rate asked for
  std::map<std::string, result::AnalysisMetric> metrics;  // what objectives name (client metrics, drop_rate)
  std::string early_stop;       // the objective EarlyStop found broken ("" when the stage ran to its end)
  std::string early_detail;     // why, in words
  std::string generator_note;   // with stage.generator_bound: the generator's warning
  std::string abort;            // the search must end: "interrupted", "target-gone" ("" to go on)
  std::string abort_detail;
};

// The implicit objectives as `broken` names them: "drop_rate < 0.1%",
// "achieved >= 95% of offered".
std::string drop_objective(const Objectives& objectives);
std::string achieved_objective(const Objectives& objectives);

// Sets stage.passed / broken / detail: every objective holds (in order; the
// first that fails is `broken`, `detail` names every one that failed), drops
// are below the budget, the achieved rate is at least min_achieved of the
// offered one, and the stage was not stopped early (a stopped stage fails on
// the objective that stopped it, should its partial figures pass).
void judge_stage(StageOutcome& outcome, const Objectives& objectives);

struct SearchOptions {
  double start_rate = 100;     // req/s
  double max_rate = 100'000;   // req/s; no stage above it
  double growth = 2;           // > 1
  int refine = 3;              // bisection steps after the first failing stage
};

// Checks the options (rates positive, start <= max, growth > 1, refine 0..20);
// the Error names them as `spelling` asks (--start-rate, start_rate).
Status check_search_options(const SearchOptions& options, BenchSpelling spelling = BenchSpelling::kFlags);

using MeasureStage = std::function<StageOutcome(double rate)>;
// Called after each stage is judged (the table's rows, live).
using StageObserver = std::function<void(const result::CapacityStage& stage, const StageOutcome& outcome)>;

// The search described above. The result's stages are in the order run;
// `stop` says why it ended: "refined" (the bisection steps are done),
// "max-rate" (max_rate passed), "first-stage-failed" (start_rate already
// failed: capacity 0, interval [0, start_rate]), "generator-bound" (the
// generator limited a stage; capacity is the highest pass before it, a lower
// bound), "interrupted" / "target-gone" (measure() asked to abort).
result::CapacitySearch search_capacity(const SearchOptions& options, const Objectives& objectives,
                                       const MeasureStage& measure, const StageObserver& on_stage = {});

// Decides, once a second, whether a running stage has clearly broken an
// objective. Looks only at the steady part of the stage, and only after
// `min_seconds` of it:
//   - drops above `factor` times the drop budget (and at least 20 of them);
//   - errors above `factor` times the error budget (and at least 20);
//   - a latency objective (latency.* < L): the mean time in flight over the
//     last second by Little's law (in flight / completions per second), or
//     the time without any completion while requests are in flight, above
//     `latency_factor` x L; the p99 is at least about that mean;
//   - completions below half the offered rate for `min_seconds` + 1 s.
class EarlyStop {
 public:
  struct Limits {
    // Steady seconds since the first steady report (itself up to 1 s into
    // steady); 0.9, not 1, because reports come on a 100 ms wake-up and the
    // second one may arrive 0.9x s after the first.
    double min_seconds = 0.9;
    double factor = 10;          // drops / errors past factor x budget
    double latency_factor = 4;   // latency past latency_factor x the objective
  };
  EarlyStop(const Objectives& objectives, double offered_rate);
  EarlyStop(const Objectives& objectives, double offered_rate, Limits limits);

  // The engine's progress (load::RunnerOptions::on_progress). True once the
  // stage should stop; objective() and detail() then say why (and stay).
  bool update(const load::Progress& p);
  bool triggered() const { return !objective_.empty(); }
  const std::string& objective() const { return objective_; }
  const std::string& detail() const { return detail_; }

 private:
  bool trigger(std::string objective, std::string detail);

  Limits limits_;
  double offered_;
  double drop_budget_;
  double error_budget_;
  std::string error_objective_;           // the error_rate objective as written, or ""
  std::string drop_objective_, achieved_objective_;
  std::vector<std::pair<std::string, double>> latency_limits_;  // objective text, limit in seconds
  bool seen_steady_ = false;
  double steady_since_ = 0;               // elapsed seconds at the first steady progress
  double last_elapsed_ = 0;
  std::uint64_t last_done_ = 0;
  double last_completion_at_ = 0;         // elapsed seconds of the last second with a completion
  std::string objective_, detail_;
};

// The metrics of a stage as objectives read them: add_client_metrics() over
// the stage's workloads (phases "warmup" and "steady") and `steady_seconds`,
// plus drop_rate (dropped / (started + dropped), fraction).
std::map<std::string, result::AnalysisMetric> stage_metrics(const std::vector<result::WorkloadResult>& workloads,
                                                            double steady_seconds);

// Fills the figures of `stage` (achieved, requests, errors, drops, rates,
// percentiles) from stage_metrics()'s map.
void fill_stage_figures(result::CapacityStage& stage, const std::map<std::string, result::AnalysisMetric>& metrics);

}  // namespace h2soak::run
