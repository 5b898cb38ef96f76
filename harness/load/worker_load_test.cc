// The generator watching itself: a worker's busy share and timer lateness are
// real measurements of its thread, not estimates. A workload that burns CPU
// must read as busy, one that blocks its loop without CPU as late but idle.
#include <time.h>

#include <thread>

#include <gtest/gtest.h>

#include "harness/load/event.h"
#include "harness/load/runner.h"
#include "harness/load/worker.h"

namespace h2soak::load {
namespace {

double thread_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Every 100 ms, holds its loop for `hold`: spinning (CPU) or sleeping (no CPU).
class HoldingWorkload final : public Workload {
 public:
  HoldingWorkload(Worker& w, Nanos hold, bool spin) : worker_(w), hold_(hold), spin_(spin) {}
  std::string_view name() const override { return "holding"; }
  void start() override {
    timer_ = std::make_unique<Timer>(worker_.loop(), [this] { hold(); });
    timer_->start(std::chrono::milliseconds(100), std::chrono::milliseconds(100));
  }
  void begin_steady() override {}
  void stop() override {
    timer_.reset();
    worker_.finish();
  }
  void abort() override { stop(); }
  void progress(metrics::Counters&, std::uint64_t& in_flight) const override { in_flight = 0; }
  const metrics::WorkloadMetrics& metrics(Phase) const override { return metrics_; }
  bool never_connected() const override { return false; }

 private:
  void hold() {
    if (!spin_) {
      std::this_thread::sleep_for(hold_);
      return;
    }
    const double until = thread_cpu() + std::chrono::duration<double>(hold_).count();
    while (thread_cpu() < until) {
    }
  }
  Worker& worker_;
  Nanos hold_;
  bool spin_;
  std::unique_ptr<Timer> timer_;
  metrics::WorkloadMetrics metrics_;
};

WorkerLoad run_holding(Nanos hold, bool spin) {
  RunnerOptions options;
  options.threads = 1;
  options.duration = std::chrono::milliseconds(2500);
  RunOutcome out = run_workers(options, [&](Worker& w) { return std::make_unique<HoldingWorkload>(w, hold, spin); });
  EXPECT_EQ(out.workers.size(), 1u);
  return out.workers.empty() ? WorkerLoad{} : out.workers.front();
}

double mean_busy(const WorkerLoad& l) {
  double sum = 0;
  for (double b : l.busy) sum += b;
  return l.busy.empty() ? 0 : sum / static_cast<double>(l.busy.size());
}

TEST(WorkerLoad, SpinningReadsBusy) {
  const WorkerLoad l = run_holding(std::chrono::milliseconds(80), true);
  ASSERT_GE(l.t.size(), 2u);
  EXPECT_EQ(l.t.size(), l.busy.size());
  EXPECT_EQ(l.t.size(), l.lag_max.size());
  // 80 ms of CPU every 100 ms; preemption on a shared machine only lowers it.
  EXPECT_GT(mean_busy(l), 0.5);
  EXPECT_LT(mean_busy(l), 1.1);
}

TEST(WorkerLoad, ABlockedLoopReadsLateButNotBusy) {
  const WorkerLoad l = run_holding(std::chrono::milliseconds(60), false);
  EXPECT_LT(mean_busy(l), 0.3);
  // The housekeeping timer shares the loop: it waits behind the 60 ms sleeps.
  ASSERT_GT(l.loop_lag.count(), 10u);
  EXPECT_GE(l.loop_lag.value_at_percentile(99), 30'000u);
  double worst = 0;
  for (double v : l.lag_max) worst = std::max(worst, v);
  EXPECT_GE(worst, 30'000);
}

}  // namespace
}  // namespace h2soak::load
