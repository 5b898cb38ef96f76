// run_plan end to end: the shipped mixed test scenario (every kind at once)
// plus a bench workload, shortened, against h2soak-target; and the stop flag.
#include "harness/workloads/plan_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "harness/scenario/loader.h"
#include "harness/workloads/test_support.h"

namespace h2soak::workloads {
namespace {
using namespace std::chrono_literals;
using testing::TargetServer;

scenario::Plan mixed_plan(Nanos warmup, Nanos steady, Nanos cooldown) {
  auto sc = scenario::load_scenario(std::string(H2SOAK_SOURCE_DIR) + "/scenarios/test/mixed.yaml");
  EXPECT_TRUE(sc.ok()) << (sc.ok() ? "" : sc.error().message());
  scenario::Scenario s = *sc;
  for (auto& p : s.phases) {
    if (p.name == scenario::kWarmup) p.duration = warmup;
    if (p.name == scenario::kSteady) p.duration = steady;
    if (p.name == scenario::kCooldown) p.duration = cooldown;
  }
  scenario::Workload bench;
  bench.name = "bench";
  scenario::BenchWorkload b;
  b.clients = 2;
  b.max_streams = 4;
  b.rate = 100;
  b.paths = {"/page/1", "/static/css/site-0.css"};
  bench.params = b;
  s.workloads.push_back(bench);
  auto plan = scenario::make_plan(s);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message());
  return *plan;
}

TEST(PlanRunner, RunsEveryKindAtOnceOverThePlanTimeline) {
  TargetServer server({"--threads", "2", "--idle-timeout", "3s"});
  ASSERT_GT(server.port(), 0);
  const auto plan = mixed_plan(1500ms, 2s, 1500ms);
  const std::string kTotal = "h2soak_target_requests_total";
  const double before = server.scrape_one(kTotal);
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.https_url();
  std::vector<std::string> phases;
  double last_elapsed = 0;
  bool concurrent = false;
  std::atomic<int> in_callback{0};
  opts.on_progress = [&](const load::Progress& p) {
    if (in_callback.fetch_add(1) != 0) concurrent = true;
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
    EXPECT_GT(p.elapsed_seconds, last_elapsed);
    last_elapsed = p.elapsed_seconds;
    in_callback.fetch_sub(1);
  };
  const auto t0 = now();
  const PlanRunOutcome out = run_plan(plan, opts);
  const double took = seconds_between(t0, now());
  const double after = server.scrape_one(kTotal);

  ASSERT_TRUE(out.error.empty()) << out.error;
  EXPECT_FALSE(out.interrupted);
  EXPECT_FALSE(out.never_connected);
  EXPECT_GE(took, 5.0);
  EXPECT_LT(took, 7.0);
  EXPECT_FALSE(concurrent);
  if (!phases.empty() && phases.back().empty()) phases.pop_back();  // a tick in the final drain
  EXPECT_EQ(phases, (std::vector<std::string>{"warmup", "steady", "cooldown"}));
  ASSERT_EQ(out.workloads.size(), 6u);
  const std::vector<std::string> kinds{"tabs", "sse", "upload", "short_connections", "idle", "bench"};
  std::uint64_t client_done = 0;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const auto& w = out.workloads[i];
    EXPECT_EQ(w.kind, kinds[i]);
    EXPECT_FALSE(w.never_connected) << w.name << ": " << w.last_error;
    EXPECT_FALSE(w.params.empty()) << w.name;
    const auto m = testing::both_phases(w);
    const auto& c = m.counters;
    std::printf("%-18s warmup %6llu steady %6llu errors %llu dropped %llu\n", w.name.c_str(),
                (unsigned long long)w.warmup.counters.requests_done,
                (unsigned long long)w.steady.counters.requests_done, (unsigned long long)c.errors_total(),
                (unsigned long long)c.requests_dropped);
    client_done += c.requests_done;
    EXPECT_EQ(c.errors_total(), 0u) << w.name;
    for (std::size_t e = 0; e < metrics::kErrorClassCount; ++e)
      if (c.errors[e]) std::printf("  error %s: %llu\n", std::string(metrics::to_string(static_cast<metrics::ErrorClass>(e))).c_str(), (unsigned long long)c.errors[e]);
    EXPECT_EQ(c.requests_started, c.requests_done) << w.name;
    if (w.kind != "idle") {
      EXPECT_GT(w.warmup.counters.requests_done, 0u) << w.name;
      EXPECT_GT(w.steady.counters.requests_done, 0u) << w.name;
    }
    // The per-second series count from the plan's time zero: every request
    // lies within the run's 5 s (+ drain), and each is counted once by its
    // start and once by its end.
    std::uint64_t series_done = 0, series_started = 0;
    const auto& points = m.series.points();
    EXPECT_LE(points.size(), 8u) << w.name << ": the series does not count from the run's start";
    for (const auto& p : points) {
      series_done += p.requests_done;
      series_started += p.started;
    }
    EXPECT_EQ(series_done, c.requests_done) << w.name;
    EXPECT_EQ(series_started, c.requests_done) << w.name;
  }
  // Idle connections were held through the cooldown; the server's 3 s idle
  // timeout closed the ones that had finished TLS.
  const auto idle = testing::both_phases(out.workloads[4]);
  EXPECT_EQ(idle.extra_counters.at("idle.opened"), 10u);
  EXPECT_EQ(idle.extra_counters.at("idle.server_closed") + idle.extra_counters.at("idle.still_open"), 10u);
  EXPECT_GT(idle.extra_counters.at("idle.server_closed"), 0u);
  // Every response the clients counted was counted by the server (plus the
  // scrape), and at most the SSE streams abandoned before their response besides.
  std::uint64_t abandoned = 0;
  for (const auto& w : out.workloads) {
    const auto m = testing::both_phases(w);
    for (const char* k : {"tabs.sse_abandoned", "sse.abandoned"})
      if (auto it = m.extra_counters.find(k); it != m.extra_counters.end()) abandoned += it->second;
  }
  EXPECT_GE(after - before - 1, static_cast<double>(client_done));
  EXPECT_LE(after - before - 1, static_cast<double>(client_done + abandoned));
}

TEST(PlanRunner, StopFlagEndsTheRunEarly) {
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  const auto plan = mixed_plan(1s, 20s, 5s);
  std::atomic<bool> stop{false};
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.http_url();
  opts.stop_flag = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(1500ms);
    stop = true;
  });
  const auto t0 = now();
  const PlanRunOutcome out = run_plan(plan, opts);
  stopper.join();
  EXPECT_TRUE(out.interrupted);
  EXPECT_LT(seconds_between(t0, now()), 3.5);
  EXPECT_GT(testing::both_phases(out.workloads.at(0)).counters.requests_done, 0u);
}

TEST(PlanRunner, UnreachableTargetIsNeverConnected) {
  // Port 1 on loopback: nobody listens there.
  const auto plan = mixed_plan(500ms, 1s, 200ms);
  PlanRunOptions opts;
  opts.threads = 1;
  opts.base_url = "http://127.0.0.1:1";
  const PlanRunOutcome out = run_plan(plan, opts);
  EXPECT_TRUE(out.never_connected);
  EXPECT_TRUE(out.error.empty());
  PlanRunOptions bad = opts;
  bad.base_url = "ftp://x";
  EXPECT_FALSE(run_plan(plan, bad).error.empty());
}

}  // namespace
}  // namespace h2soak::workloads
