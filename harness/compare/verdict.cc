#include "harness/compare/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "harness/compare/format.h"
#include "harness/compare/stats.h"

namespace h2soak::compare {

const char* status_name(MetricStatus s) {
  switch (s) {
    case MetricStatus::kPass: return "PASS";
    case MetricStatus::kRegression: return "REGRESSION";
    case MetricStatus::kImproved: return "IMPROVED";
    case MetricStatus::kNew: return "NEW";
    case MetricStatus::kMissing: return "MISSING";
    case MetricStatus::kWarning: return "WARN";
  }
  return "?";
}

const char* method_name(Method m) {
  switch (m) {
    case Method::kNone: return "none";
    case Method::kInterval: return "interval";
    case Method::kMannWhitney: return "mann-whitney";
    case Method::kLeakInterval: return "leak-interval";
  }
  return "?";
}

const char* origin_name(LimitOrigin o) {
  switch (o) {
    case LimitOrigin::kNone: return "none";
    case LimitOrigin::kFloor: return "floor";
    case LimitOrigin::kTolerance: return "tolerance";
    case LimitOrigin::kSpread: return "spread";
  }
  return "?";
}

std::size_t Verdict::count(MetricStatus s) const {
  return static_cast<std::size_t>(
      std::count_if(metrics.begin(), metrics.end(), [s](const MetricVerdict& m) { return m.status == s; }));
}

std::size_t Verdict::failed_thresholds() const {
  return static_cast<std::size_t>(
      std::count_if(thresholds.begin(), thresholds.end(), [](const ThresholdVerdict& t) { return !t.passed; }));
}

bool Verdict::failed() const { return count(MetricStatus::kRegression) > 0 || failed_thresholds() > 0; }

std::string limit_explanation(const MetricVerdict& v) {
  if (!v.limit || !v.anchor || !v.allowance) return {};
  const bool lower = v.rule.direction == Direction::kLowerIsBetter;
  std::string anchor = format_value(*v.anchor, v.unit);
  std::string base = v.baseline && *v.baseline != *v.anchor
                         ? "0 (the baseline " + format_value(*v.baseline, v.unit) + " lies below zero)"
                         : "baseline " + anchor;
  return "limit " + format_value(*v.limit, v.unit) + " = " + base + (lower ? " + " : " - ") +
         origin_name(v.limit_origin) + " " + format_value(*v.allowance, v.unit);
}

namespace {

struct Allowance {
  double value = 0;
  LimitOrigin origin = LimitOrigin::kFloor;
};

// The largest of tolerance, floor and (when given) spread; ties go to the
// term a reader can act on most directly: spread, then tolerance, then floor.
Allowance allowance_of(const Rule& rule, double anchor, std::optional<double> spread) {
  Allowance a{rule.absolute_floor, LimitOrigin::kFloor};
  const double tolerance = rule.relative_tolerance * std::fabs(anchor);
  if (tolerance >= a.value && tolerance > 0) a = {tolerance, LimitOrigin::kTolerance};
  if (spread && *spread >= a.value && *spread > 0) a = {*spread, LimitOrigin::kSpread};
  return a;
}

}  // namespace

MetricVerdict judge_metric(const BaselineMetric& base, const MetricSamples& current, const Rule& rule) {
  MetricVerdict v;
  v.unit = current.unit.empty() ? base.unit : current.unit;
  v.rule = rule;
  v.baseline_runs = base.values.size();
  v.current_runs = current.values.size();
  const double ref = base.reference;
  const double cur = median(current.values);
  v.baseline = ref;
  v.current = cur;
  v.change_abs = cur - ref;
  if (ref != 0) v.change_pct = 100.0 * (cur - ref) / std::fabs(ref);

  // +1: an increase is bad (lower is better); -1: a decrease is bad.
  const double bad = rule.direction == Direction::kLowerIsBetter ? 1.0 : -1.0;
  // A leak limit never starts on the good side of zero.
  const double anchor = rule.kind == MetricKind::kLeak ? bad * std::max(bad * ref, 0.0) : ref;
  const std::string unit = v.unit;
  auto f = [&unit](double x) { return format_value(x, unit); };
  auto set_limit = [&](const Allowance& a) {
    v.anchor = anchor;
    v.allowance = a.value;
    v.limit_origin = a.origin;
    v.limit = anchor + bad * a.value;
  };

  const bool leak_with_cis = rule.kind == MetricKind::kLeak && !current.cis.empty() &&
                             current.cis.size() == current.values.size();
  const bool mann_whitney = !leak_with_cis && base.values.size() >= kMinRunsForMannWhitney &&
                            current.values.size() >= kMinRunsForMannWhitney;

  if (leak_with_cis) {
    std::vector<double> los, his;
    for (const auto& ci : current.cis) {
      los.push_back(ci.lo);
      his.push_back(ci.hi);
    }
    Interval ci{median(los), median(his)};
    v.current_ci = ci;
    v.method = Method::kLeakInterval;
    const Allowance a = allowance_of(rule, anchor, base.spread());
    set_limit(a);
    const double limit = *v.limit;
    const double good_limit = ref - bad * a.value;
    // The interval must lie entirely beyond the limit: for lower-is-better
    // its lower bound above the limit.
    const double near_edge = bad > 0 ? ci.lo : ci.hi;  // edge closest to "better"
    const double far_edge = bad > 0 ? ci.hi : ci.lo;   // edge closest to "worse"
    const std::string ci_text = "[" + f(ci.lo) + ", " + f(ci.hi) + "]";
    if (bad * (near_edge - limit) > 0) {
      v.status = MetricStatus::kRegression;
      v.reason = "interval " + ci_text + " lies " + (bad > 0 ? "above" : "below") + " the " + limit_explanation(v);
    } else if (bad * (far_edge - good_limit) < 0) {
      v.status = MetricStatus::kImproved;
      v.reason = "interval " + ci_text + " lies beyond " + f(good_limit) + " on the better side";
    } else {
      v.status = MetricStatus::kPass;
      v.reason = "interval " + ci_text + " reaches the allowed range (" + limit_explanation(v) + ")";
    }
  } else if (mann_whitney) {
    v.method = Method::kMannWhitney;
    const Allowance a = allowance_of(rule, anchor, std::nullopt);
    set_limit(a);
    const double limit = *v.limit;
    const double good_limit = ref - bad * a.value;
    MannWhitney mw = mann_whitney_u(current.values, base.values);
    v.p_value = mw.p_value;
    char p[32];
    std::snprintf(p, sizeof p, "%.3g", mw.p_value);
    const bool significant = mw.p_value < rule.alpha;
    if (significant && bad * (cur - limit) > 0) {
      v.status = MetricStatus::kRegression;
      v.reason = "median " + f(cur) + " beyond the " + limit_explanation(v) + " and significant (p = " + p + ")";
    } else if (significant && bad * (cur - good_limit) < 0) {
      v.status = MetricStatus::kImproved;
      v.reason = "median " + f(cur) + " better than " + f(good_limit) + " and significant (p = " + p + ")";
    } else {
      v.status = MetricStatus::kPass;
      v.reason = significant ? "significant (p = " + std::string(p) + ") but within the " + limit_explanation(v)
                             : "no significant difference (p = " + std::string(p) + ")";
    }
  } else {
    v.method = Method::kInterval;
    const Allowance a = allowance_of(rule, anchor, base.spread());
    set_limit(a);
    const double limit = *v.limit;
    const double good_limit = ref - bad * a.value;
    if (bad * (cur - limit) > 0) {
      v.status = MetricStatus::kRegression;
      v.reason = f(cur) + " is beyond the " + limit_explanation(v);
    } else if (bad * (cur - good_limit) < 0) {
      v.status = MetricStatus::kImproved;
      v.reason = f(cur) + " is better than " + f(good_limit);
    } else {
      v.status = MetricStatus::kPass;
      v.reason = "within the " + limit_explanation(v);
    }
  }

  if (v.status == MetricStatus::kRegression && rule.gate == Gate::kWarn) {
    v.status = MetricStatus::kWarning;
    v.reason += "; an efficiency figure, so a warning only: it moves with the machine's load "
                "(confirm with h2soak ab, which compares pair by pair)";
  }
  return v;
}

namespace {

// The lone-peak rule (verdict.h): a peak that regressed while its resource's residual and
// slope did not becomes a warning.
void demote_lone_peaks(std::vector<MetricVerdict>& metrics, std::size_t first) {
  auto regressed = [&](const std::string& metric) {
    for (std::size_t i = first; i < metrics.size(); ++i) {
      if (metrics[i].metric == metric) return metrics[i].status == MetricStatus::kRegression;
    }
    return false;
  };
  static constexpr std::string_view kPeak = ".peak";
  for (std::size_t i = first; i < metrics.size(); ++i) {
    MetricVerdict& v = metrics[i];
    const std::string& m = v.metric;
    if (v.status != MetricStatus::kRegression || m.size() <= kPeak.size() ||
        m.compare(m.size() - kPeak.size(), kPeak.size(), kPeak) != 0) {
      continue;
    }
    const std::string resource = m.substr(0, m.size() - kPeak.size());
    if (regressed(resource + ".residual") || regressed(resource + ".slope")) continue;
    v.status = MetricStatus::kWarning;
    v.reason += "; a peak alone, so a warning only: " + resource + ".residual and .slope pass, and a target "
                "that stalls for a moment holds more at once without leaking (confirm with h2soak ab)";
  }
}

struct ScenarioRuns {
  std::string hash;
  std::vector<const RunMetrics*> runs;
};

}  // namespace

std::string explain_by_attribution(const std::string& metric, const RunMetrics& run) {
  const auto dot = metric.rfind('.');
  if (dot == std::string::npos) return "";
  std::string signal = metric.substr(0, dot);
  if (signal == "rss_anon" || signal == "pss") signal = "rss";
  const std::string prefix = "attribution." + signal + ".";
  struct Row {
    std::string workload;
    const MetricValue* value;
    double share;
  };
  std::vector<Row> rows;
  bool any = false;
  for (auto it = run.metrics.lower_bound(prefix); it != run.metrics.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    const std::string workload = it->first.substr(prefix.size());
    if (workload.find('.') != std::string::npos) continue;  // gauge.x.y under gauge.x
    any = true;
    const MetricValue& mv = it->second;
    if (workload == "(time)" || !mv.ci || (mv.ci->lo <= 0 && mv.ci->hi >= 0)) continue;
    rows.push_back({workload, &mv, std::strtod(mv.note.c_str(), nullptr)});
  }
  if (!any) return "";
  if (rows.empty()) return "attribution: no workload's events explain it (every interval contains 0)";
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.share > b.share; });
  std::string out;
  for (const Row& r : rows) {
    const MetricValue& v = *r.value;
    out += (out.empty() ? "" : "; ") + format_per_event(v.value, v.unit) + " of " + r.workload + " " +
           format_interval(v.ci->lo, v.ci->hi, v.unit) + ", " + v.note;
  }
  return out;
}

Result<Verdict> compare_runs(const Baseline& baseline, const std::vector<RunMetrics>& runs,
                             const CompareOptions& options, std::string baseline_source) {
  if (runs.empty()) return Error("no results to compare");
  Verdict verdict;
  verdict.baseline_source = std::move(baseline_source);
  verdict.baseline_created_at = baseline.created_at;
  verdict.baseline_machine = baseline.machine;
  const std::string& bsrc = verdict.baseline_source.empty() ? std::string("the baseline") : verdict.baseline_source;

  std::vector<scenario::Threshold> extra;
  for (const auto& text : options.thresholds) {
    auto t = scenario::parse_result_threshold(text);
    if (!t) return t.error();
    extra.push_back(std::move(*t));
  }

  std::map<std::string, ScenarioRuns> by_scenario;
  std::set<std::string> machine_notes;
  for (const auto& run : runs) {
    verdict.result_sources.push_back(run.source);
    auto& group = by_scenario[run.scenario];
    if (group.runs.empty()) {
      group.hash = run.scenario_hash;
    } else if (run.scenario_hash != group.hash) {
      return Error("scenario \"" + run.scenario + "\" has hash " + run.scenario_hash + " here but " + group.hash +
                       " in " + group.runs.front()->source + "; results of one scenario must come from the same version",
                   run.source);
    }
    group.runs.push_back(&run);
    const auto& m = run.machine;
    const auto& bm = baseline.machine;
    if (m.hostname != bm.hostname || m.cpu_model != bm.cpu_model || m.cores != bm.cores) {
      machine_notes.insert("results from " + m.hostname + " (" + m.cpu_model + ", " + std::to_string(m.cores) +
                           " cores) are compared with a baseline recorded on " + bm.hostname + " (" +
                           bm.cpu_model + ", " + std::to_string(bm.cores) + " cores)");
    }
  }
  verdict.notes.insert(verdict.notes.end(), machine_notes.begin(), machine_notes.end());

  for (const auto& [name, group] : by_scenario) {
    const BaselineScenario* bs = baseline.find(name);
    if (bs == nullptr) {
      verdict.notes.push_back("scenario \"" + name + "\" is not in " + bsrc + "; its metrics are NEW");
    } else if (bs->hash != group.hash) {
      std::string msg = "scenario \"" + name + "\" has hash " + group.hash + " in " + group.runs.front()->source +
                        " but " + bs->hash + " in " + bsrc +
                        ": the scenario changed since the baseline was recorded";
      if (!options.allow_hash_mismatch) {
        return Error(msg + "; record a new baseline, or pass --allow-hash-mismatch to compare anyway");
      }
      verdict.notes.push_back(msg + " (compared anyway: --allow-hash-mismatch)");
    }

    // Union of metric names, sorted.
    std::set<std::string> names;
    if (bs != nullptr) {
      for (const auto& [metric, _] : bs->metrics) names.insert(metric);
    }
    for (const RunMetrics* run : group.runs) {
      for (const auto& [metric, value] : run->metrics) {
        if (!value.informational) names.insert(metric);  // informational: thresholds only
      }
    }

    const std::size_t first_of_scenario = verdict.metrics.size();
    for (const auto& metric : names) {
      MetricSamples samples;
      bool all_cis = true;
      std::optional<Direction> hint;
      std::optional<MetricKind> kind_hint;
      for (const RunMetrics* run : group.runs) {
        auto it = run->metrics.find(metric);
        if (it == run->metrics.end() || it->second.informational) continue;
        if (samples.values.empty()) {
          samples.unit = it->second.unit;
          hint = it->second.direction;
          kind_hint = it->second.kind;
        }
        samples.values.push_back(it->second.value);
        if (it->second.ci) {
          samples.cis.push_back(*it->second.ci);
        } else {
          all_cis = false;
        }
      }
      if (!all_cis) samples.cis.clear();

      const BaselineMetric* bm = nullptr;
      if (bs != nullptr) {
        if (auto it = bs->metrics.find(metric); it != bs->metrics.end()) bm = &it->second;
      }

      MetricVerdict v;
      if (bm != nullptr && !samples.values.empty()) {
        Rule rule = apply_patches(bm->rule, metric, options.patches);
        v = judge_metric(*bm, samples, rule);
      } else if (bm != nullptr) {
        v.unit = bm->unit;
        v.rule = apply_patches(bm->rule, metric, options.patches);
        v.baseline = bm->reference;
        v.baseline_runs = bm->values.size();
        v.status = MetricStatus::kMissing;
        v.reason = "in the baseline but not in the results";
      } else {
        v.unit = samples.unit;
        Rule rule = default_rule(metric, samples.unit);
        if (hint) rule.direction = *hint;
        if (kind_hint) rule.kind = *kind_hint;
        v.rule = apply_patches(rule, metric, options.patches);
        v.current = median(samples.values);
        v.current_runs = samples.values.size();
        v.status = MetricStatus::kNew;
        v.reason = "not in the baseline";
      }
      v.scenario = name;
      v.metric = metric;
      if (v.status == MetricStatus::kRegression || v.status == MetricStatus::kWarning) {
        v.explanation = explain_by_attribution(metric, *group.runs.front());
      }
      verdict.metrics.push_back(std::move(v));
    }
    demote_lone_peaks(verdict.metrics, first_of_scenario);

    // Thresholds: the results' own (deduplicated, in order) then the extra ones.
    std::vector<scenario::Threshold> gates;
    std::set<std::string> seen;
    for (const RunMetrics* run : group.runs) {
      for (const auto& t : run->thresholds) {
        if (seen.insert(t.text).second) gates.push_back(t);
      }
    }
    for (const auto& t : extra) {
      if (seen.insert(t.text).second) gates.push_back(t);
    }
    for (const auto& t : gates) verdict.thresholds.push_back(evaluate_threshold(t, name, group.runs));
  }

  for (const auto& bs : baseline.scenarios) {
    if (by_scenario.find(bs.name) == by_scenario.end()) {
      verdict.notes.push_back("scenario \"" + bs.name + "\" of " + bsrc + " is not in the results; not compared");
    }
  }
  return verdict;
}

}  // namespace h2soak::compare
