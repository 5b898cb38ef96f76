#include "harness/run/gate.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/compare/result_adapter.h"
#include "harness/compare/threshold.h"
#include "harness/run/route_check.h"

namespace h2soak::run {
namespace {

compare::Direction to_compare(scenario::Direction d) {
  return d == scenario::Direction::kHigherIsBetter ? compare::Direction::kHigherIsBetter
                                                   : compare::Direction::kLowerIsBetter;
}

struct Group {
  const scenario::Plan* plan = nullptr;
  std::vector<const FinishedRun*> runs;
};

// Groups by scenario name, keeping the order of first appearance.
std::vector<std::pair<std::string, Group>> group_runs(const std::vector<FinishedRun>& runs) {
  std::vector<std::pair<std::string, Group>> groups;
  for (const auto& r : runs) {
    const std::string& name = r.result->metadata.scenario_name;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
    if (it == groups.end()) {
      groups.push_back({name, Group{r.plan, {}}});
      it = std::prev(groups.end());
    }
    it->second.runs.push_back(&r);
  }
  return groups;
}

}  // namespace

compare::RunMetrics gated_metrics(const result::RunResult& r, const std::string& source) {
  compare::RunMetrics m = compare::run_metrics_of(r, source);
  std::erase_if(m.metrics, [](const auto& entry) { return entry.second.informational; });
  m.thresholds.clear();  // evaluated by judge() with the scenario's typed gates
  return m;
}

std::vector<compare::RulePatch> rule_patches(const scenario::Plan& plan, const result::RunResult& r) {
  std::vector<compare::RulePatch> patches;
  // Gauge peaks depend on how much load was in flight at one instant (streams,
  // connections, a heap between two collections): looser than the 10 %
  // default, and a warning only — a leak shows in the gauge's slope and
  // residual.
  compare::RulePatch gauge_peak;
  gauge_peak.pattern = "gauge.*.peak";
  gauge_peak.relative_tolerance = 0.25;
  gauge_peak.gate = compare::Gate::kWarn;
  patches.push_back(gauge_peak);

  for (const auto& rule : plan.regression.rules) {
    const std::string name = compare::canonical_metric_name(rule.metric);
    std::vector<std::string> targets;
    for (const auto& [metric, _] : r.analysis) {
      if (compare::glob_match(name, metric)) targets.push_back(metric);
    }
    if (targets.empty()) targets.push_back(name);  // not measured in this run: rule kept for the record
    for (const auto& metric : targets) {
      compare::RulePatch p;
      p.pattern = metric;
      p.direction = to_compare(rule.direction);
      p.kind = rule.leak ? compare::MetricKind::kLeak : compare::MetricKind::kValue;
      p.relative_tolerance = rule.tolerance;
      p.gate = rule.gate == scenario::Gate::kWarn ? compare::Gate::kWarn : compare::Gate::kFail;
      auto a = r.analysis.find(metric);
      if (a != r.analysis.end()) {
        if (auto floor = compare::quantity_in(rule.floor, a->second.unit)) p.absolute_floor = *floor;
      } else if (rule.floor.unit == scenario::Unit::kNumber) {
        p.absolute_floor = rule.floor.value;
      }
      patches.push_back(std::move(p));
    }
  }
  return patches;
}

std::vector<compare::ThresholdVerdict> check_thresholds(const scenario::Plan& plan, const std::string& scenario,
                                                        const std::vector<const FinishedRun*>& runs) {
  std::vector<compare::RunMetrics> measured;
  for (const auto* r : runs) measured.push_back(compare::run_metrics_of(*r->result, r->source));
  std::vector<const compare::RunMetrics*> each;
  for (const auto& m : measured) each.push_back(&m);
  std::vector<compare::ThresholdVerdict> out;
  for (const auto& t : plan.thresholds) out.push_back(compare::evaluate_threshold(t, scenario, each));
  return out;
}

Result<compare::Verdict> judge(const std::vector<FinishedRun>& runs, const compare::Baseline* baseline,
                               const std::string& baseline_source) {
  compare::Verdict verdict;
  verdict.baseline_source = baseline_source;
  if (baseline != nullptr) {
    verdict.baseline_created_at = baseline->created_at;
    verdict.baseline_machine = baseline->machine;
  }
  for (const auto& r : runs) verdict.result_sources.push_back(r.source);

  std::set<std::string> seen_notes;
  std::set<std::string> scenarios_run;
  for (const auto& r : runs) scenarios_run.insert(r.result->metadata.scenario_name);

  for (const auto& [name, group] : group_runs(runs)) {
    if (baseline != nullptr) {
      std::vector<compare::RunMetrics> metrics;
      for (const auto* r : group.runs) metrics.push_back(gated_metrics(*r->result, r->source));
      compare::CompareOptions options;
      options.patches = rule_patches(*group.plan, *group.runs.front()->result);
      auto v = compare::compare_runs(*baseline, metrics, options, baseline_source);
      if (!v) return v.error();
      verdict.metrics.insert(verdict.metrics.end(), v->metrics.begin(), v->metrics.end());
      for (const auto& note : v->notes) {
        // Each per-scenario comparison notes the baseline's other scenarios
        // as "not in the results"; keep that note only when it is true.
        bool about_other = false;
        for (const auto& s : scenarios_run) {
          if (note.find("scenario \"" + s + "\" of ") == 0) about_other = true;
        }
        if (!about_other && seen_notes.insert(note).second) verdict.notes.push_back(note);
      }
    }
    for (auto& t : check_thresholds(*group.plan, name, group.runs)) verdict.thresholds.push_back(std::move(t));
    std::vector<std::string> loaded;
    for (const auto& phase : group.plan->phases) {
      if (phase.load) loaded.push_back(phase.name);
    }
    for (const auto* r : group.runs) {
      RouteChecks routes = check_routes(*r->result, loaded);
      for (auto& f : routes.failed) {
        if (seen_notes.insert(f.expression).second) verdict.thresholds.push_back(std::move(f));
      }
      for (auto& n : routes.notes) {
        if (seen_notes.insert(n).second) verdict.notes.push_back(std::move(n));
      }
    }
  }
  for (const auto& r : runs) {
    if (r.result->status.state != result::RunState::kCompleted) {
      verdict.notes.push_back(r.source + ": the run did not complete (" + r.result->status.reason + ")");
    }
    // A saturated or late generator makes the client figures its own: said
    // beside the verdict, not a failure (the target did nothing wrong).
    if (r.result->generator) {
      for (const auto& w : r.result->generator->warnings) verdict.notes.push_back(r.source + ": WARNING: " + w);
    }
  }
  return verdict;
}

Result<compare::Baseline> build(const std::vector<FinishedRun>& runs, const std::string& version,
                                const std::string& git_revision) {
  std::vector<compare::RunMetrics> metrics;
  compare::BuildOptions options;
  options.h2soak_version = version;
  options.git_revision = git_revision;
  std::set<std::string> patched;
  for (const auto& [name, group] : group_runs(runs)) {
    for (auto& p : rule_patches(*group.plan, *group.runs.front()->result)) {
      if (patched.insert(p.pattern).second) options.patches.push_back(std::move(p));
    }
  }
  for (const auto& r : runs) {
    if (r.result->status.state != result::RunState::kCompleted) {
      return Error("the run did not complete (" + r.result->status.reason +
                       "); a baseline is never recorded from partial runs",
                   r.source);
    }
    metrics.push_back(gated_metrics(*r.result, r.source));
  }
  return compare::build_baseline(metrics, options);
}

}  // namespace h2soak::run
