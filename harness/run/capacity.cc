#include "harness/run/capacity.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "harness/compare/result_adapter.h"
#include "harness/compare/threshold.h"
#include "harness/run/client_metrics.h"
#include "harness/scenario/loader.h"
#include "harness/util/text.h"

namespace h2soak::run {
namespace {

constexpr double kDefaultBudget = 0.001;

// "p99" → "latency.p99": the percentiles every objective names most.
std::string expand_shorthand(std::string_view text) {
  static const char* const kShort[] = {"p50", "p90", "p95", "p99", "p999", "max", "mean"};
  std::string t(trim(text));
  for (const char* s : kShort) {
    const std::string_view name(s);
    if (t.size() > name.size() && t.compare(0, name.size(), name) == 0) {
      const char next = t[name.size()];
      if (next == ' ' || next == '<' || next == '>' || next == '=' || next == '!') return "latency." + t;
    }
  }
  return t;
}

bool upper_bound(scenario::CompareOp op) { return op == scenario::CompareOp::kLt || op == scenario::CompareOp::kLe; }

std::string percent(double fraction) { return fmt::format("{:.3g} %", 100 * fraction); }

result::AnalysisMetric fraction_metric(double v) {
  result::AnalysisMetric m;
  m.value = v;
  m.unit = "fraction";
  return m;
}

double value_or_nan(const std::map<std::string, result::AnalysisMetric>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? std::nan("") : it->second.value;
}

}  // namespace

std::vector<std::string> default_objectives() { return {"latency.p99 < 250ms", "error_rate < 0.1%"}; }

Result<scenario::Threshold> parse_objective(std::string_view text) {
  // drop_rate is no scenario metric root; the parser takes extra roots in the
  // place of workload names.
  auto t = scenario::parse_threshold(expand_shorthand(text), {"drop_rate"});
  if (!t) return Error("--objective \"" + std::string(trim(text)) + "\": " + t.error().message());
  t->text = std::string(trim(text));
  return t;
}

Result<Objectives> make_objectives(const std::vector<std::string>& texts, BenchSpelling spelling) {
  Objectives o;
  for (const auto& text : texts.empty() ? default_objectives() : texts) {
    auto t = parse_objective(text);
    if (!t && spelling == BenchSpelling::kKeywords) {
      // parse_objective names the flag: '--objective "p99 < 250": ...'.
      constexpr std::string_view kFlag = "--objective ";
      std::string m = t.error().message();
      if (m.compare(0, kFlag.size(), kFlag) == 0) m.erase(0, kFlag.size());
      return Error(m, "objectives");
    }
    if (!t) return t.error();
    if (t->metric == "error_rate" && upper_bound(t->op)) {
      if (auto v = compare::quantity_in(t->value, "fraction")) o.drop_budget = *v;
    }
    o.list.push_back(std::move(*t));
  }
  return o;
}

std::string drop_objective(const Objectives& o) { return fmt::format("drop_rate < {:g}%", 100 * o.drop_budget); }

std::string achieved_objective(const Objectives& o) {
  return fmt::format("achieved >= {:g}% of offered", 100 * o.min_achieved);
}

void judge_stage(StageOutcome& outcome, const Objectives& objectives) {
  result::CapacityStage& s = outcome.stage;
  std::vector<std::pair<std::string, std::string>> failed;  // objective, why
  compare::RunMetrics measured;
  measured.metrics = compare::metric_values_of(outcome.metrics);
  for (const auto& t : objectives.list) {
    const compare::ThresholdVerdict v = compare::evaluate_threshold(t, "capacity", {&measured});
    if (!v.passed) failed.emplace_back(t.text, v.detail);
  }
  if (!(s.drop_rate < objectives.drop_budget) && s.dropped > 0) {
    failed.emplace_back(drop_objective(objectives), fmt::format("{} of the arrivals dropped ({}), budget {}", s.dropped,
                                                    percent(s.drop_rate), percent(objectives.drop_budget)));
  }
  if (!(s.achieved >= objectives.min_achieved * s.offered)) {
    failed.emplace_back(achieved_objective(objectives),
                        fmt::format("achieved {:.1f} req/s of {:.1f} offered", s.achieved, s.offered));
  }
  if (!outcome.early_stop.empty() &&
      std::none_of(failed.begin(), failed.end(), [&](const auto& f) { return f.first == outcome.early_stop; })) {
    failed.emplace(failed.begin(), outcome.early_stop, "stopped early: " + outcome.early_detail);
  }
  s.passed = failed.empty();
  s.broken = failed.empty() ? "" : failed.front().first;
  s.detail.clear();
  for (const auto& [objective, why] : failed) {
    if (!s.detail.empty()) s.detail += "; ";
    s.detail += why;
  }
  if (s.stopped_early && !outcome.early_detail.empty() && !s.detail.starts_with("stopped early")) {
    s.detail = "stopped early: " + outcome.early_detail + "; " + s.detail;
  }
}

Status check_search_options(const SearchOptions& o, BenchSpelling spelling) {
  // "--growth must be greater than 1" for the CLI, "growth: must be greater than 1" for Python.
  const bool kw = spelling == BenchSpelling::kKeywords;
  auto rejected = [kw](const char* flag, const char* keyword, const std::string& predicate) {
    return kw ? Error(predicate, keyword) : Error(std::string(flag) + " " + predicate);
  };
  if (!(o.start_rate > 0) || !std::isfinite(o.start_rate)) {
    return rejected("--start-rate", "start_rate", "must be positive");
  }
  if (!(o.max_rate >= o.start_rate) || !std::isfinite(o.max_rate)) {
    return rejected("--max-rate", "max_rate",
                    kw ? fmt::format("must be at least start_rate, got {:g}/s and {:g}/s", o.max_rate, o.start_rate)
                       : fmt::format("({:g}/s) must be at least --start-rate ({:g}/s)", o.max_rate, o.start_rate));
  }
  if (!(o.growth > 1) || !std::isfinite(o.growth)) return rejected("--growth", "growth", "must be greater than 1");
  if (o.refine < 0 || o.refine > 20) return rejected("--refine", "refine", "must be within 0..20");
  return {};
}

result::CapacitySearch search_capacity(const SearchOptions& options, const Objectives& objectives,
                                       const MeasureStage& measure, const StageObserver& on_stage) {
  result::CapacitySearch out;
  for (const auto& t : objectives.list) out.objectives.push_back(t.text);
  out.interval_high = std::nan("");
  bool have_pass = false;

  // Runs one stage; false when the search must end (stop and note set).
  auto run_stage = [&](double rate, bool& passed) {
    StageOutcome o = measure(rate);
    o.stage.offered = rate;
    judge_stage(o, objectives);
    if (o.stage.generator_bound) {
      o.stage.passed = false;
      o.stage.broken = "generator-bound";
      o.stage.detail = o.generator_note;
    }
    out.stages.push_back(o.stage);
    if (on_stage) on_stage(out.stages.back(), o);
    if (!o.abort.empty()) {
      out.stop = o.abort;
      out.note = o.abort_detail.empty() ? o.abort : o.abort_detail;
      return false;
    }
    if (o.stage.generator_bound) {
      out.stop = "generator-bound";
      out.note = fmt::format("generator-bound at {:g} req/s: the figure measures h2soak, not the service ({})", rate,
                             o.generator_note);
      return false;
    }
    passed = o.stage.passed;
    if (passed) {
      have_pass = true;
      out.interval_low = std::max(out.interval_low, rate);
    } else if (std::isnan(out.interval_high) || rate < out.interval_high) {
      out.interval_high = rate;
      out.first_broken = o.stage.broken;
    }
    return true;
  };

  // The ramp.
  double rate = std::min(options.start_rate, options.max_rate);
  for (;;) {
    bool passed = false;
    if (!run_stage(rate, passed)) break;
    if (!passed) {
      if (!have_pass) {
        out.stop = "first-stage-failed";
        out.note = fmt::format("the first stage ({:g} req/s) already broke \"{}\": try a lower --start-rate", rate,
                               out.first_broken);
        break;
      }
      // The bisection between the last pass and the first failure.
      out.stop = "refined";
      for (int i = 0; i < options.refine; ++i) {
        const double mid = (out.interval_low + out.interval_high) / 2;
        bool mid_passed = false;
        if (!run_stage(mid, mid_passed)) break;
      }
      if (out.stop == "refined") {
        out.note = fmt::format("bisected {} time(s) between {:g} and {:g} req/s", options.refine,
                               out.interval_low, out.interval_high);
      }
      break;
    }
    if (rate >= options.max_rate) {
      out.stop = "max-rate";
      out.note = fmt::format("every stage up to --max-rate {:g} req/s met the objectives", options.max_rate);
      break;
    }
    rate = std::min(rate * options.growth, options.max_rate);
  }
  out.capacity = have_pass ? out.interval_low : 0;
  return out;
}

EarlyStop::EarlyStop(const Objectives& objectives, double offered_rate)
    : EarlyStop(objectives, offered_rate, Limits{}) {}

EarlyStop::EarlyStop(const Objectives& objectives, double offered_rate, Limits limits)
    : limits_(limits),
      offered_(offered_rate),
      drop_budget_(objectives.drop_budget),
      error_budget_(kDefaultBudget),
      drop_objective_(drop_objective(objectives)),
      achieved_objective_(achieved_objective(objectives)) {
  for (const auto& t : objectives.list) {
    if (!upper_bound(t.op)) continue;
    if (t.metric == "error_rate") {
      if (auto v = compare::quantity_in(t.value, "fraction")) {
        error_budget_ = *v;
        error_objective_ = t.text;
      }
    } else if (t.metric.starts_with("latency.") && t.value.unit == scenario::Unit::kDuration && t.value.value > 0) {
      latency_limits_.emplace_back(t.text, t.value.value);
    }
  }
}

bool EarlyStop::trigger(std::string objective, std::string detail) {
  objective_ = std::move(objective);
  detail_ = std::move(detail);
  return true;
}

bool EarlyStop::update(const load::Progress& p) {
  if (triggered()) return true;
  if (!p.steady) return false;
  const metrics::Counters& c = p.counters;
  if (!seen_steady_) {
    // The first steady report: counters restarted with the steady phase.
    seen_steady_ = true;
    steady_since_ = p.elapsed_seconds;
    last_elapsed_ = p.elapsed_seconds;
    last_done_ = c.requests_done;
    last_completion_at_ = p.elapsed_seconds;
    return false;
  }
  const double interval = p.elapsed_seconds - last_elapsed_;
  const std::uint64_t done_now = c.requests_done - std::min(c.requests_done, last_done_);
  if (done_now > 0) last_completion_at_ = p.elapsed_seconds;
  last_elapsed_ = p.elapsed_seconds;
  last_done_ = c.requests_done;
  const double steady = p.elapsed_seconds - steady_since_;
  if (steady < limits_.min_seconds || !(interval > 0)) return false;

  const std::uint64_t errors = c.requests_failed + c.requests_errored + c.requests_timeout + c.connections_failed;
  const std::uint64_t arrivals = c.requests_started + c.requests_dropped;
  if (c.requests_dropped >= 20 && arrivals > 0) {
    const double rate = static_cast<double>(c.requests_dropped) / static_cast<double>(arrivals);
    if (rate > limits_.factor * drop_budget_) {
      return trigger(drop_objective_, fmt::format("{} of the arrivals dropped after {:.1f} s ({}, budget {})",
                                                 c.requests_dropped, steady, percent(rate), percent(drop_budget_)));
    }
  }
  const std::uint64_t attempts = c.requests_done + c.connections_failed;
  if (errors >= 20 && attempts > 0) {
    const double rate = static_cast<double>(errors) / static_cast<double>(attempts);
    if (rate > limits_.factor * error_budget_) {
      return trigger(error_objective_.empty() ? "error_rate" : error_objective_,
                     fmt::format("{} errors after {:.1f} s ({}, budget {})", errors, steady, percent(rate),
                                 percent(error_budget_)));
    }
  }
  if (p.in_flight > 0 && !latency_limits_.empty()) {
    // Little's law: time in flight = requests in flight / completions per second.
    const double per_s = static_cast<double>(done_now) / interval;
    const double waited = p.elapsed_seconds - last_completion_at_;
    const double mean = per_s > 0 ? static_cast<double>(p.in_flight) / per_s : waited;
    for (const auto& [text, limit] : latency_limits_) {
      if (mean > limits_.latency_factor * limit) {
        return trigger(text, fmt::format("{} requests in flight at {:.0f} completions/s: about {:.0f} ms each, "
                                         "over {:g} x the objective's {:g} ms",
                                         p.in_flight, per_s, 1000 * mean, limits_.latency_factor, 1000 * limit));
      }
    }
  }
  if (steady >= limits_.min_seconds + 1 && static_cast<double>(c.requests_done) < 0.5 * offered_ * steady) {
    return trigger(achieved_objective_, fmt::format("{} completions in {:.1f} s at {:g} req/s offered",
                                                   c.requests_done, steady, offered_));
  }
  return false;
}

std::map<std::string, result::AnalysisMetric> stage_metrics(const std::vector<result::WorkloadResult>& workloads,
                                                            double steady_seconds) {
  std::map<std::string, result::AnalysisMetric> m;
  add_client_metrics({&workloads, steady_seconds}, m);
  std::uint64_t started = 0, dropped = 0;
  for (const auto& w : workloads) {
    for (const auto& p : w.phases) {
      started += p.metrics.counters.requests_started;
      dropped += p.metrics.counters.requests_dropped;
    }
  }
  m["drop_rate"] = fraction_metric(started + dropped > 0
                                       ? static_cast<double>(dropped) / static_cast<double>(started + dropped)
                                       : 0.0);
  return m;
}

void fill_stage_figures(result::CapacityStage& s, const std::map<std::string, result::AnalysisMetric>& m) {
  auto count = [&](const char* name) {
    const double v = value_or_nan(m, name);
    return std::isfinite(v) && v > 0 ? static_cast<std::uint64_t>(std::llround(v)) : 0;
  };
  s.achieved = value_or_nan(m, "rps");
  if (std::isnan(s.achieved)) s.achieved = 0;
  s.requests = count("requests");
  s.errors = count("errors");
  s.dropped = count("dropped");
  s.error_rate = value_or_nan(m, "error_rate");
  s.drop_rate = value_or_nan(m, "drop_rate");
  s.p50 = value_or_nan(m, "latency.p50");
  s.p90 = value_or_nan(m, "latency.p90");
  s.p99 = value_or_nan(m, "latency.p99");
  s.p999 = value_or_nan(m, "latency.p999");
}

}  // namespace h2soak::run
