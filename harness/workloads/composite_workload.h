#pragma once
// Several workloads on one worker: the plan runner gives each worker one
// CompositeWorkload holding that worker's share of every planned workload
// (plan_runner.h). It forwards the engine's calls to every part in plan
// order and sums their progress.
//
// A part that is done calls worker.finish() (BenchWorkload does); that
// must not end the other parts, so the composite installs a finish filter on
// the worker (load::Worker::set_finish_filter) that lets the loop end only
// after the composite's own abort() (the engine's drain after stop()).
// Construct on the worker thread before Worker::run (the runner's factory);
// destroy after the loop returned and before the worker.

#include <memory>
#include <vector>

#include "harness/load/workload.h"

namespace h2soak::load {
class Worker;
}

namespace h2soak::workloads {

class CompositeWorkload final : public load::Workload {
 public:
  CompositeWorkload(load::Worker& worker, std::vector<std::unique_ptr<load::Workload>> parts);
  ~CompositeWorkload() override;

  std::string_view name() const override { return "plan"; }
  void start() override;
  void begin_steady() override;
  void stop() override;
  void abort() override;
  void progress(metrics::Counters& counters, std::uint64_t& in_flight) const override;
  // The merge of every part's metrics for the phase (computed on each call).
  const metrics::WorkloadMetrics& metrics(load::Phase phase) const override;
  bool never_connected() const override;
  std::string last_error() const override;

  std::size_t size() const { return parts_.size(); }
  const load::Workload& part(std::size_t i) const { return *parts_[i]; }

 private:
  load::Worker& worker_;
  std::vector<std::unique_ptr<load::Workload>> parts_;
  bool finishing_ = false;
  mutable metrics::WorkloadMetrics merged_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
