// idle end to end against h2soak-target: silent connections of the three
// kinds, held through the cooldown; with short server timeouts the server
// closes every one (and says so in /metrics), with its defaults none.
#include <gtest/gtest.h>

#include "harness/workloads/plan_runner.h"
#include "harness/workloads/test_support.h"

namespace h2soak::workloads {
namespace {
using namespace std::chrono_literals;
using testing::TargetServer;

const std::string kTimeouts = "h2soak_target_timeouts_total";
const std::string kActive = "h2soak_target_connections_active";
const std::string kAccepted = "h2soak_target_connections_total";

scenario::IdleWorkload ten_idle() {
  scenario::IdleWorkload idle;
  idle.connections = 10;
  idle.no_tls_handshake = 0.3;
  idle.no_request = 0.3;
  return idle;
}

TEST(IdleWorkload, ServerWithShortTimeoutsClosesEveryConnection) {
  TargetServer server({"--idle-timeout", "1s", "--read-timeout", "1s"});
  ASSERT_GT(server.port(), 0);
  // Load windows end at 1.5 s, the hold lasts until the end (3 s): the
  // connections must survive the end of the load window.
  const auto plan = testing::one_workload_plan("idle", ten_idle(), 500ms, 1s, 1500ms, 3s);
  const auto before = server.scrape({kTimeouts, kAccepted});
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.https_url();
  double active_mid = -1;
  opts.on_progress = [&](const load::Progress& p) {
    if (p.elapsed_seconds >= 0.5 && active_mid < 0) active_mid = server.scrape_one(kActive);
  };
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kTimeouts, kAccepted, kActive});
  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  EXPECT_FALSE(w.never_connected) << w.last_error;
  auto m = testing::both_phases(w);
  const auto& x = m.extra_counters;
  const auto& close = m.extra_histograms.at("idle.time_to_server_close_us");
  std::printf("opened %llu closed by server %llu still open %llu failed %llu; p50 %.3f s max %.3f s; server timeouts %.0f, active mid-run %.0f\n",
              (unsigned long long)x.at("idle.opened"), (unsigned long long)x.at("idle.server_closed"),
              (unsigned long long)x.at("idle.still_open"), (unsigned long long)x.at("idle.connect_failed"),
              close.value_at_percentile(50) / 1e6, close.max() / 1e6, after.at(kTimeouts) - before.at(kTimeouts),
              active_mid);
  EXPECT_EQ(x.at("idle.opened"), 10u);
  EXPECT_EQ(x.at("idle.connect_failed"), 0u);
  EXPECT_EQ(x.at("idle.server_closed"), 10u);
  // The seven that spoke h2 got a GOAWAY; the three TCP-only ones were just closed.
  EXPECT_EQ(x.at("idle.closed_goaway"), 7u);
  EXPECT_EQ(x.at("idle.closed_eof") + x.at("idle.closed_reset"), 3u);
  std::printf("goaway %llu eof %llu reset %llu\n", (unsigned long long)x.at("idle.closed_goaway"),
              (unsigned long long)x.at("idle.closed_eof"), (unsigned long long)x.at("idle.closed_reset"));
  EXPECT_EQ(x.at("idle.still_open"), 0u);
  EXPECT_EQ(close.count(), 10u);
  // Closed after about the server's 1 s timeouts.
  EXPECT_GE(close.min(), 900'000u);
  EXPECT_LE(close.max(), 2'500'000u);
  // The server accepted exactly those (plus the scrapes) and timed them all out.
  EXPECT_EQ(after.at(kAccepted) - before.at(kAccepted), 10.0 + 1.0 + (active_mid >= 0 ? 1.0 : 0.0));
  EXPECT_EQ(after.at(kTimeouts) - before.at(kTimeouts), 10.0);
  EXPECT_GE(active_mid, 11.0);  // the ten + the scrape's own
  // The four one-request connections got their answers.
  EXPECT_EQ(m.counters.requests_succeeded, 4u);
}

TEST(IdleWorkload, ServerWithoutShortTimeoutsKeepsThemUntilCloseAt) {
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  const auto plan = testing::one_workload_plan("idle", ten_idle(), 500ms, 500ms, 1s, 2s);
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.http_url();
  double active_late = -1;
  opts.on_progress = [&](const load::Progress& p) {
    if (p.elapsed_seconds >= 1.5 && active_late < 0) active_late = server.scrape_one(kActive);
  };
  const PlanRunOutcome out = run_plan(plan, opts);
  auto m = testing::both_phases(out.workloads.at(0));
  const auto& x = m.extra_counters;
  EXPECT_EQ(x.at("idle.opened"), 10u);
  EXPECT_EQ(x.at("idle.server_closed"), 0u);
  EXPECT_EQ(x.at("idle.still_open"), 10u);
  // In the cooldown (load over) the server still held all ten.
  EXPECT_EQ(active_late, 11.0);
}

}  // namespace
}  // namespace h2soak::workloads
