// sse end to end against h2soak-target: concurrent event streams left by
// RST_STREAM and by connection close, cross-checked against /metrics.
#include <gtest/gtest.h>

#include <atomic>

#include "harness/workloads/plan_runner.h"
#include "harness/workloads/test_support.h"

namespace h2soak::workloads {
namespace {
using namespace std::chrono_literals;
using testing::TargetServer;

const std::string kEvents = "h2soak_target_requests_total{route=\"events\"}";
const std::string kActive = "h2soak_target_sse_streams_active";
const std::string kProduced = "h2soak_target_sse_events_total";

TEST(SseWorkload, HoldsStreamsLeavesAndReopensMatchingServerCounts) {
  TargetServer server({"--sse-interval", "50ms"});
  ASSERT_GT(server.port(), 0);
  scenario::SseWorkload sse;
  sse.streams = 10;
  sse.streams_per_connection = 3;
  sse.hold = {300ms, 700ms};
  sse.leave = scenario::SseLeave::kMixed;
  const auto plan = testing::one_workload_plan("sse", sse, 1s, 2s, 500ms);

  const auto before = server.scrape({kEvents, kActive, kProduced});
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.http_url();
  double max_active = 0;
  opts.on_progress = [&](const load::Progress& p) {
    if (p.elapsed_seconds > 3.0) return;
    max_active = std::max(max_active, server.scrape_one(kActive));
  };
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kEvents, kActive, kProduced});

  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  EXPECT_FALSE(w.never_connected) << w.last_error;
  auto m = testing::both_phases(w);
  const auto& x = m.extra_counters;
  const std::uint64_t opened = x.at("sse.streams_opened");
  std::printf("opened %llu events %llu rst %llu close %llu early %llu server opened %.0f produced %.0f max active %.0f\n",
              (unsigned long long)opened, (unsigned long long)x.at("sse.events"),
              (unsigned long long)x.at("sse.left_rst"), (unsigned long long)x.at("sse.left_close"),
              (unsigned long long)x.at("sse.ended_early"), after.at(kEvents) - before.at(kEvents),
              after.at(kProduced) - before.at(kProduced), max_active);
  // 10 streams held 0.3..0.7 s for 3 s: about 60 streams opened.
  EXPECT_GE(opened, 30u);
  EXPECT_LE(opened, 120u);
  // The server saw every stream the client opened (a stream opened in the
  // last instant before the close may not have reached it).
  EXPECT_LE(after.at(kEvents) - before.at(kEvents), static_cast<double>(opened));
  EXPECT_GE(after.at(kEvents) - before.at(kEvents), static_cast<double>(opened) - 4);
  // While load ran, the server held (up to) the configured 10 streams; none after.
  EXPECT_LE(max_active, 10.0);
  EXPECT_GE(max_active, 6.0);
  EXPECT_EQ(after.at(kActive), 0.0);
  // Both ways of leaving were used; the server ended none early.
  EXPECT_GT(x.at("sse.left_rst"), 0u);
  EXPECT_GT(x.at("sse.left_close"), 0u);
  EXPECT_EQ(x.at("sse.ended_early"), 0u);
  // Events: what the client counted was produced by the server; most arrived.
  const double produced = after.at(kProduced) - before.at(kProduced);
  EXPECT_LE(static_cast<double>(x.at("sse.events")), produced);
  EXPECT_GE(static_cast<double>(x.at("sse.events")), 0.7 * produced);
  // First event at once, then one every 50 ms.
  const auto& ttfe = m.extra_histograms.at("sse.time_to_first_event_us");
  const auto& gap = m.extra_histograms.at("sse.event_gap_us");
  EXPECT_GE(ttfe.count(), opened * 9 / 10);
  EXPECT_LT(ttfe.value_at_percentile(50), 40'000u);
  EXPECT_GT(gap.value_at_percentile(50), 35'000u);
  EXPECT_LT(gap.value_at_percentile(50), 80'000u);
  // Streams left on purpose are done and succeeded, not errors.
  EXPECT_EQ(m.counters.requests_started, m.counters.requests_done);
  EXPECT_EQ(m.counters.requests_errored + m.counters.requests_timeout, 0u);
}

}  // namespace
}  // namespace h2soak::workloads
