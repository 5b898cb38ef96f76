#pragma once
// The scenario's `bench` kind on the plan runner: BenchWorkload (the
// engine's h2load-shaped closed/open model, harness/workloads/bench_workload.h)
// wrapped so that it follows the PlannedWorkload's timeline. It starts at the
// beginning of the first active window and is stopped at the end of that
// window, at close_at, or after the bench's own `duration`, whichever comes
// first (BenchWorkload cannot pause, so later windows are not used; the
// scenario planner gives bench one window). Its metrics are BenchWorkload's.

#include <memory>

#include "harness/workloads/bench_workload.h"
#include "harness/load/event.h"
#include "harness/load/workload.h"
#include "harness/util/result.h"
#include "harness/workloads/workload_context.h"

namespace h2soak::workloads {

// The BenchPlan for the scenario's bench parameters (whole-workload values;
// BenchWorkload takes its worker's share itself). Fails on a bad header line.
Result<BenchPlan> make_bench_plan(const WorkloadContext& context);

class BenchPart final : public load::Workload {
 public:
  BenchPart(load::Worker& worker, const WorkloadContext& context, const BenchPlan& plan);
  ~BenchPart() override;

  std::string_view name() const override { return context_.planned.name; }
  void start() override;
  void begin_steady() override { inner_->begin_steady(); }
  void stop() override;
  void abort() override;
  void progress(metrics::Counters& counters, std::uint64_t& in_flight) const override {
    inner_->progress(counters, in_flight);
  }
  const metrics::WorkloadMetrics& metrics(load::Phase phase) const override { return inner_->metrics(phase); }
  bool never_connected() const override { return inner_->never_connected(); }
  std::string last_error() const override { return inner_->last_error(); }

 private:
  void begin();
  void end();

  load::Worker& worker_;
  WorkloadContext context_;
  std::unique_ptr<BenchWorkload> inner_;
  std::unique_ptr<load::Timer> begin_timer_, end_timer_, abort_timer_;
  bool started_ = false, ended_ = false, aborted_ = false;
};

}  // namespace h2soak::workloads
