#pragma once
// From finished runs to a verdict: the bridge between a run (RunResult and
// its scenario Plan) and harness/compare.
//
//   gated_metrics()    the run reduced to the metrics that are compared with a
//                      baseline: every metric with a direction (leak and cost
//                      figures of harness/analysis, rps, errors, latency.p99);
//                      informational ones (direction none) are left out
//   rule_patches()     the scenario's `regression:` rules (built-in ones
//                      merged by the loader) as compare::RulePatch, floors
//                      converted into each metric's unit
//   check_thresholds() the scenario's typed thresholds (the plan's) on every
//                      run of it, through compare's one evaluator; every
//                      metric counts, informational ones too
//   judge()            compare with a baseline (optional) and check the
//                      scenario thresholds → one compare::Verdict for the
//                      sinks; failed() gives exit code 1
//   build()            a baseline from K runs per scenario
//
// Who calls: `h2soak run`, `h2soak baseline record`, `h2soak ab` (harness/cli)
// after every run has finished. Pure except for what compare itself does
// (nothing with files).

#include <string>
#include <vector>

#include "harness/compare/baseline.h"
#include "harness/compare/rules.h"
#include "harness/compare/run_metrics.h"
#include "harness/compare/verdict.h"
#include "harness/result/run_result.h"
#include "harness/scenario/plan.h"
#include "harness/util/result.h"

namespace h2soak::run {

// One finished run of one scenario, as the gate needs it.
struct FinishedRun {
  const scenario::Plan* plan = nullptr;
  const result::RunResult* result = nullptr;
  std::string source;  // the result file's path, for messages
};

compare::RunMetrics gated_metrics(const result::RunResult& r, const std::string& source);

std::vector<compare::RulePatch> rule_patches(const scenario::Plan& plan, const result::RunResult& r);

// `runs` are the runs of one scenario, `plan` its plan.
std::vector<compare::ThresholdVerdict> check_thresholds(const scenario::Plan& plan, const std::string& scenario,
                                                        const std::vector<const FinishedRun*>& runs);

// `baseline` may be null (thresholds only). Errors: those of
// compare::compare_runs (scenario hash mismatch, ...): exit code 2.
Result<compare::Verdict> judge(const std::vector<FinishedRun>& runs, const compare::Baseline* baseline,
                               const std::string& baseline_source);

Result<compare::Baseline> build(const std::vector<FinishedRun>& runs, const std::string& version,
                                const std::string& git_revision);

}  // namespace h2soak::run
