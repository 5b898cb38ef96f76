// The engine against misbehaving peers (hostile_server.h): every run ends on
// time, each fault lands in its own error class, the accounting stays exact,
// and the CLI's exit codes follow exit_codes.h.

#include <gtest/gtest.h>

#include "harness/metrics/counters.h"
#include "harness/tests/engine_test_util.h"
#include "harness/tests/hostile_server.h"

namespace h2soak::tests {
namespace {

using metrics::ErrorClass;
using Mode = HostileServer::Mode;
using namespace std::chrono_literals;

HostileServer::Options mode(Mode m, int serve_before_fault = 5) {
  HostileServer::Options o;
  o.mode = m;
  o.serve_before_fault = serve_before_fault;
  return o;
}

TEST(HostilePeer, NormalServerCountsMatchServerSide) {
  HostileServer server(mode(Mode::kNormal));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions& o) {
    p.requests = 500;
    p.clients = 4;
    p.max_streams = 8;
    o.threads = 2;
  });
  expect_exact_accounting(run, 500);
  EXPECT_EQ(run.counters().requests_succeeded, 500u);
  EXPECT_EQ(server.responses_completed.load(), 500);
  EXPECT_EQ(run.counters().bytes_in_data, 500u * 100u);
  EXPECT_EQ(run.counters().connections_opened, 4u);
  EXPECT_LT(run.wall_seconds, 10);
}

TEST(HostilePeer, ClosesMidStreamCountsPeerClosed) {
  HostileServer server(mode(Mode::kCloseMidStream, 5));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 100;
    p.clients = 1;
    p.max_streams = 4;
  });
  expect_exact_accounting(run, 100);
  const auto& c = run.counters();
  EXPECT_GT(c.error(ErrorClass::kPeerClosed), 0u);
  EXPECT_EQ(c.requests_errored, c.error(ErrorClass::kPeerClosed));
  EXPECT_EQ(c.requests_succeeded, static_cast<std::uint64_t>(server.responses_completed.load()));
  EXPECT_GT(server.connections.load(), 1) << "the client reconnects after a connection that served requests";
  EXPECT_LT(run.wall_seconds, 10);
}

TEST(HostilePeer, GoawayMidRunCountsRefusedStreamsAndReconnects) {
  HostileServer server(mode(Mode::kGoawayAfter, 20));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 200;
    p.clients = 2;
    p.max_streams = 8;
  });
  expect_exact_accounting(run, 200);
  const auto& c = run.counters();
  EXPECT_GE(server.goaways_sent.load(), 2);
  EXPECT_GT(c.error(ErrorClass::kGoaway), 0u);
  EXPECT_EQ(c.requests_errored, c.error(ErrorClass::kGoaway) + c.error(ErrorClass::kPeerClosed));
  EXPECT_EQ(c.requests_succeeded, static_cast<std::uint64_t>(server.responses_completed.load()));
  EXPECT_LT(run.wall_seconds, 10);
}

TEST(HostilePeer, RstStreamOnEveryTenthStream) {
  HostileServer server(mode(Mode::kRstEvery10th));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 200;
    p.clients = 1;
    p.max_streams = 10;
  });
  expect_exact_accounting(run, 200);
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_errored, 20u);
  EXPECT_EQ(c.error(ErrorClass::kRstStream), 20u);
  EXPECT_EQ(c.rst_codes[0x2], 20u) << "INTERNAL_ERROR";
  EXPECT_EQ(c.requests_succeeded, 180u);
}

TEST(HostilePeer, StopsReadingEndsWithTimeouts) {
  HostileServer server(mode(Mode::kStopReading));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 8;
    p.clients = 1;
    p.max_streams = 4;
    p.body = net::make_generated_body(4 << 20);  // far beyond the socket buffers
    p.method = "POST";
    p.request_timeout = 300ms;
  });
  expect_exact_accounting(run, 8);
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_timeout, 8u);
  EXPECT_EQ(c.error(ErrorClass::kTimeout), 8u);
  EXPECT_LT(run.wall_seconds, 6);
}

TEST(HostilePeer, StopsReadingEndsOnTimeWithDuration) {
  HostileServer server(mode(Mode::kStopReading));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions& o) {
    p.requests = 0;
    p.clients = 2;
    p.max_streams = 2;
    p.body = net::make_generated_body(4 << 20);
    p.method = "POST";
    o.duration = 1s;
    o.drain = 500ms;
  });
  expect_exact_accounting(run, 0);
  EXPECT_EQ(run.counters().requests_succeeded, 0u);
  EXPECT_EQ(run.counters().requests_errored, run.counters().error(ErrorClass::kOther)) << "cancelled at the end";
  EXPECT_LT(run.wall_seconds, 3.5);
}

TEST(HostilePeer, SlowAnswersAreMeasuredFromTheSend) {
  HostileServer::Options o = mode(Mode::kSlow);
  o.delay = 300ms;
  HostileServer server(o);
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 10;
    p.clients = 1;
    p.max_streams = 10;
  });
  expect_exact_accounting(run, 10);
  EXPECT_EQ(run.counters().requests_succeeded, 10u);
  EXPECT_GE(run.outcome.steady().request_total.min(), 300'000u);
  EXPECT_GE(run.outcome.steady().ttfb.min(), 300'000u);
  EXPECT_LT(run.wall_seconds, 5);
}

TEST(HostilePeer, SlowAnswersTimeOut) {
  HostileServer::Options o = mode(Mode::kSlow);
  o.delay = 2000ms;
  HostileServer server(o);
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 10;
    p.clients = 1;
    p.max_streams = 10;
    p.request_timeout = 200ms;
  });
  expect_exact_accounting(run, 10);
  EXPECT_EQ(run.counters().requests_timeout, 10u);
  EXPECT_LT(run.wall_seconds, 3);
}

TEST(HostilePeer, OpenModeCountsLatencyFromDueTimeAndDropsWhenFull) {
  HostileServer::Options o = mode(Mode::kSlow);
  o.delay = 200ms;
  HostileServer server(o);
  // 100 req/s for 1 s with room for 5 in flight: ~5 start, the rest are dropped.
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions& opt) {
    p.requests = 100;
    p.clients = 1;
    p.max_streams = 5;
    p.rate = 100;
    opt.drain = 1s;
  });
  expect_exact_accounting(run, 100);
  const auto& c = run.counters();
  EXPECT_GT(c.requests_dropped, 50u);
  EXPECT_GT(c.requests_succeeded, 0u);
  EXPECT_GE(run.outcome.steady().request_total.min(), 200'000u);
  EXPECT_LT(run.wall_seconds, 4);
}

TEST(HostilePeer, MalformedFrameIsAProtocolError) {
  HostileServer server(mode(Mode::kMalformedFrame, 3));
  auto run = run_bench(server.url(), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 20;
    p.clients = 1;
    p.max_streams = 1;
  });
  expect_exact_accounting(run, 20);
  const auto& c = run.counters();
  EXPECT_EQ(c.error(ErrorClass::kProtocol), 5u);
  EXPECT_EQ(c.requests_errored, 5u);
  EXPECT_EQ(c.requests_succeeded, 15u);
  EXPECT_LT(run.wall_seconds, 5);
}

TEST(HostilePeer, RefusedConnectionsNeverConnect) {
  const std::uint16_t port = unused_port();
  auto run = run_bench("http://127.0.0.1:" + std::to_string(port) + "/", [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 10;
    p.clients = 2;
  });
  EXPECT_TRUE(run.outcome.never_connected);
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_started, 0u);
  EXPECT_EQ(c.connections_failed, 2u);
  EXPECT_EQ(c.error(ErrorClass::kConnect), 2u);
  EXPECT_LT(run.wall_seconds, 2);
}

TEST(HostilePeer, TlsHandshakeFailureIsCountedAsTls) {
  HostileServer server(mode(Mode::kNotTls));
  auto run = run_bench("https://127.0.0.1:" + std::to_string(server.port()) + "/",
                       [](workloads::BenchPlan& p, load::RunnerOptions&) {
                         p.requests = 10;
                         p.clients = 3;
                       });
  EXPECT_TRUE(run.outcome.never_connected);
  EXPECT_EQ(run.counters().error(ErrorClass::kTls), 3u);
  EXPECT_EQ(run.counters().connections_failed, 3u);
  EXPECT_LT(run.wall_seconds, 3);
}

// Exit codes of the binary (exit_codes.h): 0 ok, 3 nothing could connect, 2 bad usage.
TEST(HostilePeerCli, ExitCodes) {
  const std::string bin = h2soak_binary();
  HostileServer ok(mode(Mode::kNormal));
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench -n 20 -c 2 " + ok.url() + " >/dev/null"), 0);
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench -n 20 -c 2 http://127.0.0.1:" +
                        std::to_string(unused_port()) + "/ >/dev/null 2>&1"),
            3);
  HostileServer tls(mode(Mode::kNotTls));
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench -k -n 20 -c 2 https://127.0.0.1:" +
                        std::to_string(tls.port()) + "/ >/dev/null 2>&1"),
            3);
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench -n 0 " + ok.url() + " >/dev/null 2>&1"), 2);
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench ftp://x/ >/dev/null 2>&1"), 2);
  // Errors in the run are reported, not an exit code of their own.
  HostileServer rst(mode(Mode::kRstEvery10th));
  EXPECT_EQ(run_command("timeout 20 " + bin + " bench -n 50 -m 5 " + rst.url() + " >/dev/null"), 0);
}

}  // namespace
}  // namespace h2soak::tests
