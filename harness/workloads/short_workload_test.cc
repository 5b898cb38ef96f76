// short_connections end to end against h2soak-target: a new TLS connection
// per two requests at a fixed rate (h2), a new HTTP/1.1 connection per three
// requests (h1 over plain TCP and over TLS); the server's accepted-connection
// and request counters must match the client's.
#include <gtest/gtest.h>

#include "harness/workloads/plan_runner.h"
#include "harness/workloads/test_support.h"

namespace h2soak::workloads {
namespace {
using namespace std::chrono_literals;
using testing::TargetServer;

const std::string kAccepted = "h2soak_target_connections_total";
const std::string kIndex = "h2soak_target_requests_total{route=\"index\"}";
const std::string kActive = "h2soak_target_connections_active";

TEST(ShortConnectionsWorkload, OneConnectionPerTwoRequestsAtRate) {
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  scenario::ShortConnectionsWorkload sc;
  sc.rate = 40;
  sc.requests_per_connection = 2;
  sc.max_in_flight = 8;
  sc.path = "/";
  const auto plan = testing::one_workload_plan("short", sc, 500ms, 1500ms, 300ms);
  const auto before = server.scrape({kAccepted, kIndex});
  const double accepted_before = before.at(kAccepted), index_before = before.at(kIndex);
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.https_url();
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kAccepted, kIndex, kActive});
  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  EXPECT_FALSE(w.never_connected) << w.last_error;
  auto m = testing::both_phases(w);
  const auto& c = m.counters;
  const auto& x = m.extra_counters;
  // The scrape that reads the counter afterwards opens one connection itself.
  const double accepted = after.at(kAccepted) - accepted_before - 1;
  std::printf("opened %llu done %llu dropped %llu failed %llu server accepted %.0f requests %llu ok %llu server %.0f\n",
              (unsigned long long)c.connections_opened, (unsigned long long)x.at("short.connections_done"),
              (unsigned long long)x.at("short.connections_dropped"), (unsigned long long)c.connections_failed,
              accepted, (unsigned long long)c.requests_done, (unsigned long long)c.requests_succeeded,
              after.at(kIndex) - index_before);
  // 40 connections/s for 2 s.
  EXPECT_NEAR(static_cast<double>(c.connections_opened + x.at("short.connections_dropped")), 80.0, 6.0);
  EXPECT_EQ(accepted, static_cast<double>(c.connections_opened));
  EXPECT_EQ(c.connections_failed, 0u);
  // Each connection carried two requests, then was closed by the client.
  EXPECT_GE(x.at("short.connections_done"), c.connections_opened - 8);
  EXPECT_GE(c.requests_succeeded, 2 * x.at("short.connections_done"));
  EXPECT_EQ(c.requests_started, c.requests_done);
  EXPECT_GE(after.at(kIndex) - index_before, static_cast<double>(c.requests_succeeded));
  EXPECT_LE(after.at(kIndex) - index_before, static_cast<double>(c.requests_done));
  // Connect and TLS time of every connection; total time of every finished one.
  // (connections still connecting when the window closed were cancelled: at most the pool of 8)
  EXPECT_LE(m.connect.count(), c.connections_opened);
  EXPECT_GE(m.connect.count() + 8, c.connections_opened);
  EXPECT_EQ(m.tls_handshake.count(), m.connect.count());
  EXPECT_EQ(m.extra_histograms.at("short.connection_total_us").count(), x.at("short.connections_done"));
  EXPECT_GT(m.ttfb.count(), 0u);
}

// protocol h1: each arrival opens a new HTTP/1.1 connection, sends three
// requests on it (keep-alive), then closes it.
void run_h1(bool tls) {
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  scenario::ShortConnectionsWorkload sc;
  sc.protocol = scenario::Protocol::kH1;
  sc.rate = 20;
  sc.requests_per_connection = 3;
  sc.max_in_flight = 8;
  sc.path = "/";
  const auto plan = testing::one_workload_plan("short_h1", sc, 500ms, 1500ms, 300ms);
  const auto before = server.scrape({kAccepted, kIndex});
  const double accepted_before = before.at(kAccepted), index_before = before.at(kIndex);
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = tls ? server.https_url() : server.http_url();
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kAccepted, kIndex, kActive});
  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  EXPECT_FALSE(w.never_connected) << w.last_error;
  EXPECT_EQ(w.last_error, "");
  auto m = testing::both_phases(w);
  const auto& c = m.counters;
  const auto& x = m.extra_counters;
  // The scrape that reads the counter afterwards opens one connection itself.
  const double accepted = after.at(kAccepted) - accepted_before - 1;
  const double served = after.at(kIndex) - index_before;
  std::printf("h1 %s: opened %llu closed %llu done %llu dropped %llu failed %llu server accepted %.0f "
              "requests %llu ok %llu server %.0f connect %llu tls %llu active after %.0f\n",
              tls ? "https" : "http", (unsigned long long)c.connections_opened,
              (unsigned long long)c.connections_closed, (unsigned long long)x.at("short.connections_done"),
              (unsigned long long)x.at("short.connections_dropped"), (unsigned long long)c.connections_failed,
              accepted, (unsigned long long)c.requests_done, (unsigned long long)c.requests_succeeded, served,
              (unsigned long long)m.connect.count(), (unsigned long long)m.tls_handshake.count(),
              after.at(kActive) - 1);
  // 20 connections/s for 2 s.
  EXPECT_NEAR(static_cast<double>(c.connections_opened + x.at("short.connections_dropped")), 40.0, 4.0);
  EXPECT_EQ(x.at("short.connections_dropped"), 0u);
  EXPECT_EQ(accepted, static_cast<double>(c.connections_opened));
  EXPECT_EQ(served, static_cast<double>(c.requests_succeeded));
  EXPECT_EQ(c.connections_failed, 0u);
  EXPECT_EQ(c.errors_total(), 0u);
  EXPECT_EQ(c.requests_errored + c.requests_timeout + c.requests_failed, 0u);
  EXPECT_EQ(c.requests_started, c.requests_done);
  // Every connection carried its three requests and was closed by the client.
  EXPECT_EQ(x.at("short.connections_done"), c.connections_opened);
  EXPECT_EQ(c.connections_closed, c.connections_opened);
  EXPECT_EQ(c.requests_succeeded, 3 * c.connections_opened);
  EXPECT_EQ(m.connect.count(), c.connections_opened);
  EXPECT_EQ(m.tls_handshake.count(), tls ? c.connections_opened : 0u);
  EXPECT_EQ(m.extra_histograms.at("short.connection_total_us").count(), x.at("short.connections_done"));
  EXPECT_EQ(m.ttfb.count(), c.requests_succeeded);
  EXPECT_GT(c.bytes_in_total, 0u);
  EXPECT_GT(c.bytes_out, 0u);
  // Nothing left open on the server but the scrape's own connection.
  EXPECT_EQ(after.at(kActive), 1.0);
}

TEST(ShortConnectionsWorkload, H1NewConnectionPerThreeRequestsOverHttp) { run_h1(false); }
TEST(ShortConnectionsWorkload, H1NewConnectionPerThreeRequestsOverHttps) { run_h1(true); }

}  // namespace
}  // namespace h2soak::workloads
