#include "harness/run/analyze_result.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "harness/analysis/analysis.h"
#include "harness/run/attribution_metrics.h"
#include "harness/run/client_metrics.h"
#include "harness/run/generator_check.h"
#include "harness/scenario/scenario.h"

namespace h2soak::run {
namespace {

result::Direction to_result(analysis::Direction d) {
  switch (d) {
    case analysis::Direction::kLowerIsBetter: return result::Direction::kLowerIsBetter;
    case analysis::Direction::kHigherIsBetter: return result::Direction::kHigherIsBetter;
    case analysis::Direction::kNone: break;
  }
  return result::Direction::kNone;
}

const sampler::PhaseMark* find_mark(const std::vector<sampler::PhaseMark>& marks, const std::string& name) {
  auto it = std::find_if(marks.begin(), marks.end(), [&](const sampler::PhaseMark& m) { return m.name == name; });
  return it == marks.end() ? nullptr : &*it;
}

// Requests of the steady phase that ended within [from, to) seconds since the
// run's start, from the per-second series (whole seconds).
std::uint64_t steady_requests_within(const std::vector<result::WorkloadResult>& workloads, double from, double to) {
  std::uint64_t n = 0;
  for (const auto& w : workloads) {
    const auto* m = w.find_phase(scenario::kSteady);
    if (m == nullptr) continue;
    const auto& points = m->series.points();
    const auto first = static_cast<std::size_t>(std::max(0.0, std::floor(from)));
    const auto last = static_cast<std::size_t>(std::max(0.0, std::ceil(to)));
    for (std::size_t s = first; s < last && s < points.size(); ++s) n += points[s].requests_done;
  }
  return n;
}

}  // namespace

void analyze_result(result::RunResult& r, const AnalyzeOptions& options) {
  const sampler::PhaseMark* steady_mark = find_mark(r.phases, scenario::kSteady);
  double steady_seconds = steady_mark != nullptr && steady_mark->end >= 0 ? steady_mark->end - steady_mark->start : 0;

  if (r.target.samples) {
    sampler::SampleSeries series = *r.target.samples;  // a copy: the stored marks stay as run
    analysis::RequestCounts counts;
    counts.steady = requests_done(r.workloads, scenario::kSteady);
    counts.loaded = counts.steady + requests_done(r.workloads, scenario::kWarmup);
    if (options.steady_seconds && steady_mark != nullptr) {
      const double cut = std::min(*options.steady_seconds, steady_seconds);
      for (auto& mark : series.phases) {
        if (mark.name == scenario::kSteady) mark.end = mark.start + cut;
      }
      counts.steady = steady_requests_within(r.workloads, steady_mark->start, steady_mark->start + cut);
      steady_seconds = cut;
    }
    analysis::Analysis a = analysis::analyze(series, counts);
    for (const auto& m : a.metrics) {
      result::AnalysisMetric am;
      am.value = m.value;
      am.unit = m.unit;
      am.direction = to_result(m.direction);
      am.ci_low = m.ci_low;
      am.ci_high = m.ci_high;
      am.leak = m.is_leak_metric;
      r.analysis[m.name] = am;
    }
    add_attribution_metrics(r, r.analysis, a.notes);
    if (!a.notes.empty()) {
      std::string notes;
      for (const auto& n : a.notes) notes += (notes.empty() ? "" : "; ") + n;
      r.metadata.extra["analysis_notes"] = notes;
    }
  }
  add_client_metrics(ClientMetricsInput{&r.workloads, options.rate_seconds.value_or(steady_seconds)}, r.analysis);
  if (r.generator && steady_mark != nullptr) {
    r.generator->warnings = check_generator(*r.generator, *steady_mark, r.metadata.cpu_count, r.analysis);
  }
}

void analyze_for_plan(const scenario::Plan& plan, result::RunResult& r) {
  AnalyzeOptions options;
  options.rate_seconds = std::chrono::duration<double>(plan.steady.end - plan.steady.start).count();
  analyze_result(r, options);
  r.thresholds.insert(r.thresholds.end(), plan.thresholds.begin(), plan.thresholds.end());
}

}  // namespace h2soak::run
