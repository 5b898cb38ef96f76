#include "harness/run/pairwise.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/compare/format.h"

namespace h2soak::run {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Pair {
  compare::RunMetrics a;
  compare::RunMetrics b;
};

}  // namespace

Result<compare::Verdict> compare_pairs(const std::vector<FinishedRun>& a, const std::vector<FinishedRun>& b) {
  if (a.empty() || a.size() != b.size()) return Error("A/B needs as many completed A runs as B runs (and at least one)");
  compare::Verdict verdict;
  verdict.baseline_source = "A";
  for (std::size_t i = 0; i < a.size(); ++i) {
    verdict.result_sources.push_back(a[i].source);
    verdict.result_sources.push_back(b[i].source);
  }

  // Pairs by scenario, in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::size_t>> by_scenario;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string& name = a[i].result->metadata.scenario_name;
    if (b[i].result->metadata.scenario_name != name) return Error("pair " + std::to_string(i + 1) + " mixes scenarios");
    if (by_scenario.find(name) == by_scenario.end()) order.push_back(name);
    by_scenario[name].push_back(i);
  }

  for (const auto& name : order) {
    const auto& idx = by_scenario[name];
    std::vector<Pair> pairs;
    for (auto i : idx) pairs.push_back({gated_metrics(*a[i].result, a[i].source), gated_metrics(*b[i].result, b[i].source)});
    const auto patches = rule_patches(*b[idx.front()].plan, *b[idx.front()].result);

    std::set<std::string> names;
    for (const auto& p : pairs) {
      for (const auto& [m, _] : p.a.metrics) {
        if (p.b.metrics.count(m) != 0) names.insert(m);
      }
    }
    for (const auto& metric : names) {
      std::vector<double> av, bv, diffs, ratios, ci_diffs;
      bool all_ratios = true, all_cis = true;
      const compare::MetricValue* first = nullptr;
      for (const auto& p : pairs) {
        auto ia = p.a.metrics.find(metric);
        auto ib = p.b.metrics.find(metric);
        if (ia == p.a.metrics.end() || ib == p.b.metrics.end()) continue;
        if (first == nullptr) first = &ib->second;
        av.push_back(ia->second.value);
        bv.push_back(ib->second.value);
        diffs.push_back(ib->second.value - ia->second.value);
        if (ia->second.value != 0) {
          ratios.push_back(ib->second.value / ia->second.value);
        } else {
          all_ratios = false;
        }
        if (!ib->second.ci) all_cis = false;
      }
      if (first == nullptr) continue;
      compare::Rule rule = compare::default_rule(metric, first->unit);
      if (first->direction) rule.direction = *first->direction;
      if (first->kind) rule.kind = *first->kind;
      rule = compare::apply_patches(rule, metric, patches);
      // Pairs share the machine's state of the moment, so efficiency figures
      // are judged here as strictly as leaks: no metric only warns.
      rule.gate = compare::Gate::kFail;
      const double bad = rule.direction == compare::Direction::kLowerIsBetter ? 1.0 : -1.0;

      if (all_cis && rule.kind == compare::MetricKind::kLeak) {
        for (const auto& p : pairs) {
          auto ia = p.a.metrics.find(metric);
          auto ib = p.b.metrics.find(metric);
          if (ia == p.a.metrics.end() || ib == p.b.metrics.end()) continue;
          // B's bound on the side of A: its whole interval is beyond A by this
          // much. A leak figure of A on the good side of zero (memory that
          // settled during steady) counts as zero, as in a baseline compare.
          const double near = bad > 0 ? ib->second.ci->lo : ib->second.ci->hi;
          const double a_anchor = bad * std::max(bad * ia->second.value, 0.0);
          ci_diffs.push_back(near - a_anchor);
        }
      }

      compare::MetricVerdict v;
      v.scenario = name;
      v.metric = metric;
      v.unit = first->unit;
      v.rule = rule;
      v.baseline = median(av);
      v.current = median(bv);
      v.change_abs = median(diffs);
      if (all_ratios && !ratios.empty()) v.change_pct = (median(ratios) - 1) * 100;
      v.baseline_runs = av.size();
      v.current_runs = bv.size();
      v.method = all_cis && rule.kind == compare::MetricKind::kLeak ? compare::Method::kLeakInterval
                                                                     : compare::Method::kInterval;
      const double tolerance = rule.relative_tolerance * std::fabs(*v.baseline);
      const double allowance = std::max(tolerance, rule.absolute_floor);
      v.limit = *v.baseline + bad * allowance;
      v.anchor = *v.baseline;
      v.allowance = allowance;
      v.limit_origin = tolerance > rule.absolute_floor ? compare::LimitOrigin::kTolerance : compare::LimitOrigin::kFloor;
      const double shift = v.method == compare::Method::kLeakInterval ? median(ci_diffs) : *v.change_abs;
      auto f = [&](double x) { return compare::format_value(x, v.unit); };
      const std::string how = fmt::format("{} pair(s): median B−A {}{}", av.size(), f(*v.change_abs),
                                          v.change_pct ? fmt::format(" (B/A {:+.1f}%)", *v.change_pct) : "");
      if (bad * shift > allowance) {
        v.status = compare::MetricStatus::kRegression;
        v.reason = how + (v.method == compare::Method::kLeakInterval ? ", B's interval" : "") + " beyond the allowance " +
                   f(allowance);
      } else if (bad * *v.change_abs < -allowance) {
        v.status = compare::MetricStatus::kImproved;
        v.reason = how + ", better by more than " + f(allowance);
      } else {
        v.status = compare::MetricStatus::kPass;
        v.reason = how + ", within ± " + f(allowance);
      }
      verdict.metrics.push_back(std::move(v));
    }

    std::vector<const FinishedRun*> b_runs;
    for (auto i : idx) b_runs.push_back(&b[i]);
    for (auto& t : check_thresholds(*b[idx.front()].plan, name, b_runs)) verdict.thresholds.push_back(std::move(t));
  }
  verdict.notes.push_back(fmt::format("A/B: {} pair(s) run alternately (A B A B ...); BASELINE = median of A, "
                                      "CURRENT = median of B, CHANGE = median of the paired differences",
                                      a.size()));
  return verdict;
}

}  // namespace h2soak::run
