#include "harness/workloads/factory.h"

#include "harness/workloads/bench_part.h"
#include "harness/workloads/idle_workload.h"
#include "harness/workloads/short_workload.h"
#include "harness/workloads/sse_workload.h"
#include "harness/workloads/tabs_workload.h"
#include "harness/workloads/upload_workload.h"

namespace h2soak::workloads {
namespace {

// A kind that has no implementation yet: does nothing, says so.
class UnimplementedWorkload final : public load::Workload {
 public:
  explicit UnimplementedWorkload(const WorkloadContext& c)
      : name_(c.planned.name), error_(std::string("workload kind not implemented: ") + scenario::to_string(c.planned.kind)) {}
  std::string_view name() const override { return name_; }
  void start() override {}
  void begin_steady() override {}
  void stop() override {}
  void abort() override {}
  void progress(metrics::Counters& counters, std::uint64_t& in_flight) const override {
    counters = {};
    in_flight = 0;
  }
  const metrics::WorkloadMetrics& metrics(load::Phase p) const override { return m_[static_cast<int>(p)]; }
  bool never_connected() const override { return true; }
  std::string last_error() const override { return error_; }

 private:
  std::string name_, error_;
  metrics::WorkloadMetrics m_[load::kPhaseCount];
};

}  // namespace

Status check_workload(const WorkloadContext& context) {
  if (context.planned.kind == scenario::WorkloadKind::kBench) {
    auto plan = make_bench_plan(context);
    if (!plan) return plan.error();
  }
  return {};
}

std::unique_ptr<load::Workload> make_workload(load::Worker& worker, const WorkloadContext& context) {
  switch (context.planned.kind) {
    case scenario::WorkloadKind::kBench: {
      auto plan = make_bench_plan(context);
      if (!plan) break;
      return std::make_unique<BenchPart>(worker, context, *plan);
    }
    case scenario::WorkloadKind::kTabs: return std::make_unique<TabsWorkload>(worker, context);
    case scenario::WorkloadKind::kSse: return std::make_unique<SseWorkload>(worker, context);
    case scenario::WorkloadKind::kUpload: return std::make_unique<UploadWorkload>(worker, context);
    case scenario::WorkloadKind::kShortConnections:
      return std::make_unique<ShortConnectionsWorkload>(worker, context);
    case scenario::WorkloadKind::kIdle: return std::make_unique<IdleWorkload>(worker, context);
    default: break;
  }
  return std::make_unique<UnimplementedWorkload>(context);
}

}  // namespace h2soak::workloads
