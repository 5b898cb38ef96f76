#include "harness/run/bench.h"

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

// Port 9 (discard) on loopback: resolves, nothing connects.
BenchOptions options() {
  BenchOptions o;
  o.urls = {"http://127.0.0.1:9/"};
  return o;
}

std::string error_of(const BenchOptions& o) {
  auto plan = make_bench_plan(o);
  return plan ? "(accepted)" : plan.error().message();
}

TEST(MakeBenchPlan, RejectsWithTheCliFlagsInTheMessage) {
  auto o = options();
  o.clients = 0;
  EXPECT_EQ(error_of(o), "-c must be at least 1");
  o = options();
  o.threads = 2;
  EXPECT_EQ(error_of(o), "-t must not exceed -c (each thread needs a client)");
  o = options();
  o.requests = 1;
  o.clients = 2;
  EXPECT_EQ(error_of(o), "-n must be at least -c (every client sends a request)");
  o = options();
  o.rate = "fast";
  EXPECT_EQ(error_of(o).rfind("--rate: ", 0), 0u) << error_of(o);
  o = options();
  o.rate = "0/s";
  EXPECT_EQ(error_of(o), "--rate must be positive");
  o = options();
  o.poisson = true;
  EXPECT_EQ(error_of(o), "--poisson needs --rate");
  o = options();
  o.duration = "ten";
  EXPECT_EQ(error_of(o).rfind("-D: ", 0), 0u) << error_of(o);
  o = options();
  o.headers = {"no colon"};
  EXPECT_EQ(error_of(o), "-H wants \"name: value\", got \"no colon\"");
  o = options();
  o.data_file = "/nonexistent/body";
  o.data_size = "10";
  EXPECT_EQ(error_of(o), "give -d FILE or --data-size, not both");
  o = options();
  o.max_frame_size = "100";
  EXPECT_EQ(error_of(o), "--max-frame-size must be within 16384..16777215");
  o = options();
  o.window_bits = 31;
  EXPECT_EQ(error_of(o), "-w/-W must be at most 30");
  o = options();
  o.urls.push_back("http://127.0.0.1:10/");
  EXPECT_EQ(error_of(o), "all URLs must share scheme, host and port with the first: http://127.0.0.1:10/");
}

TEST(MakeBenchPlan, RejectsWithThePythonKeywordsInTheMessage) {
  auto o = options();
  o.spelling = BenchSpelling::kKeywords;
  o.requests = 0;
  EXPECT_EQ(error_of(o), "requests: must be at least 1 (or give duration)");
  o.requests = 1;
  o.threads = 2;
  EXPECT_EQ(error_of(o), "threads: must not exceed clients (each thread needs a client)");
  o.threads = 1;
  o.connection_window_bits = 31;
  EXPECT_EQ(error_of(o), "connection_window_bits: must be within 0..30, got 31");
  o.connection_window_bits = 30;
  o.urls = {"ftp://127.0.0.1/"};
  EXPECT_EQ(error_of(o).rfind("url: ", 0), 0u) << error_of(o);
}

TEST(MakeBenchPlan, AcceptsAnOpenModelWithABodyAndHeaders) {
  auto o = options();
  o.urls.push_back("http://127.0.0.1:9/page/1");
  o.clients = 4;
  o.max_streams = 8;
  o.threads = 2;
  o.duration = "10s";
  o.warmup = "2s";
  o.rate = "500/s";
  o.poisson = true;
  o.data_size = "1KiB";
  o.headers = {"x-test: 1", ":authority: example"};
  o.request_timeout = "500ms";
  o.max_frame_size = "32KiB";
  auto plan = make_bench_plan(o);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->urls.size(), 2u);
  EXPECT_EQ(plan->clients, 4u);
  EXPECT_EQ(plan->max_streams, 8u);
  EXPECT_EQ(plan->requests, 0u);  // -D given
  EXPECT_EQ(plan->rate, 500);
  EXPECT_TRUE(plan->poisson);
  EXPECT_EQ(plan->method, "POST");
  EXPECT_EQ(plan->body.size(), 1024u);
  ASSERT_EQ(plan->headers.size(), 2u);
  EXPECT_EQ(plan->headers[0], (std::pair<std::string, std::string>{"x-test", "1"}));
  EXPECT_EQ(plan->headers[1], (std::pair<std::string, std::string>{":authority", "example"}));
  EXPECT_EQ(plan->request_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(plan->connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(plan->settings.max_frame_size, 32768u);
  EXPECT_EQ(plan->settings.max_concurrent_streams, 8u);

  const load::RunnerOptions runner = bench_runner_options(o);
  EXPECT_EQ(runner.threads, 2);
  EXPECT_EQ(runner.duration, std::chrono::seconds(10));
  EXPECT_EQ(runner.warmup, std::chrono::seconds(2));
}

TEST(BenchResult, RecordsTheGeneratorAndWarnsWhenItWasSaturated) {
  auto o = options();
  o.duration = "10s";
  auto plan = make_bench_plan(o);
  ASSERT_TRUE(plan) << plan.error().message();
  load::RunOutcome out;
  out.steady_start = out.origin + std::chrono::seconds(1);
  out.end = out.origin + std::chrono::seconds(11);
  out.steady_seconds = 10;
  out.never_connected = false;
  load::WorkerLoad busy;
  for (int s = 1; s <= 11; ++s) {
    busy.t.push_back(s);
    busy.busy.push_back(1.0);
    busy.lag_max.push_back(0);
  }
  out.workers = {busy};
  const auto r = bench_result(o, *plan, out, 1.7e9, "1.2.3", "abc", {"h2soak", "bench"});
  EXPECT_EQ(r.status.state, result::RunState::kCompleted);
  EXPECT_EQ(r.metadata.scenario_name, "bench");
  ASSERT_EQ(r.workloads.size(), 1u);
  EXPECT_EQ(r.workloads[0].params.at("duration"), "10s");
  EXPECT_EQ(r.workloads[0].params.at("model"), "closed");
  ASSERT_TRUE(r.generator);
  ASSERT_EQ(r.generator->workers.size(), 1u);
  EXPECT_EQ(r.generator->workers[0].busy, busy.busy);
  ASSERT_EQ(r.generator->warnings.size(), 1u);
  EXPECT_NE(r.generator->warnings[0].find("CPU-saturated"), std::string::npos) << r.generator->warnings[0];
  EXPECT_NEAR(r.analysis.at("generator.busy").value, 1.0, 1e-9);
}

}  // namespace
}  // namespace h2soak::run
