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
// `spent` adds up the thread CPU seconds the holds took.
class HoldingWorkload final : public Workload {
 public:
  HoldingWorkload(Worker& w, Nanos hold, bool spin, double& spent)
      : worker_(w), hold_(hold), spin_(spin), spent_(spent) {}
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
    const double start = thread_cpu();
    if (spin_) {
      const double until = start + std::chrono::duration<double>(hold_).count();
      while (thread_cpu() < until) {
      }
    } else {
      std::this_thread::sleep_for(hold_);
    }
    spent_ += thread_cpu() - start;
  }
  Worker& worker_;
  Nanos hold_;
  bool spin_;
  double& spent_;
  std::unique_ptr<Timer> timer_;
  metrics::WorkloadMetrics metrics_;
};

WorkerLoad run_holding(Nanos hold, bool spin, double* spent = nullptr) {
  RunnerOptions options;
  options.threads = 1;
  options.duration = std::chrono::milliseconds(2500);
  double ignored = 0;
  double& sink = spent ? *spent : ignored;
  RunOutcome out =
      run_workers(options, [&](Worker& w) { return std::make_unique<HoldingWorkload>(w, hold, spin, sink); });
  EXPECT_EQ(out.workers.size(), 1u);
  return out.workers.empty() ? WorkerLoad{} : out.workers.front();
}

double mean_busy(const WorkerLoad& l) {
  double sum = 0;
  for (double b : l.busy) sum += b;
  return l.busy.empty() ? 0 : sum / static_cast<double>(l.busy.size());
}

// The thread CPU seconds the busy series accounts for: busy × interval length.
double cpu_in_series(const WorkerLoad& l) {
  double cpu = 0;
  double prev = 0;
  for (std::size_t i = 0; i < l.t.size() && i < l.busy.size(); ++i) {
    cpu += l.busy[i] * (l.t[i] - prev);
    prev = l.t[i];
  }
  return cpu;
}

TEST(WorkerLoad, SpinningReadsBusy) {
  double spent = 0;
  const WorkerLoad l = run_holding(std::chrono::milliseconds(80), true, &spent);
  ASSERT_GE(l.t.size(), 2u);
  EXPECT_EQ(l.t.size(), l.busy.size());
  EXPECT_EQ(l.t.size(), l.lag_max.size());
  // 80 ms of CPU every 100 ms of timer. How much of a core the thread gets
  // depends on what else the machine runs, so the series is checked against
  // the CPU the spinning really took, not against a share of the wall clock:
  // it must account for all of it (plus the loop's own little), no more.
  ASSERT_GT(spent, 0.2) << "the workload never spun";
  const double in_series = cpu_in_series(l);
  EXPECT_GE(in_series, 0.9 * spent) << "spent " << spent << " s";
  EXPECT_LE(in_series, spent + 0.1) << "spent " << spent << " s";
  for (double b : l.busy) EXPECT_LT(b, 1.1);
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
