#include "harness/result/run_result.h"

namespace h2soak::result {

HistogramSummary summarize(const metrics::Histogram& h) {
  HistogramSummary s;
  s.count = h.count();
  s.min = h.min();
  s.max = h.max();
  s.mean = h.mean();
  s.sd = h.stddev();
  s.p50 = h.value_at_percentile(50);
  s.p90 = h.value_at_percentile(90);
  s.p99 = h.value_at_percentile(99);
  s.p999 = h.value_at_percentile(99.9);
  s.p9999 = h.value_at_percentile(99.99);
  return s;
}

const metrics::WorkloadMetrics* WorkloadResult::find_phase(const std::string& phase) const {
  for (const auto& p : phases) {
    if (p.phase == phase) return &p.metrics;
  }
  return nullptr;
}

const char* to_string(Direction d) {
  switch (d) {
    case Direction::kLowerIsBetter: return "lower";
    case Direction::kHigherIsBetter: return "higher";
    case Direction::kNone: break;
  }
  return "none";
}

const char* to_string(RunState s) {
  switch (s) {
    case RunState::kCompleted: return "completed";
    case RunState::kTargetDied: return "target_died";
    case RunState::kAborted: break;
  }
  return "aborted";
}

}  // namespace h2soak::result
