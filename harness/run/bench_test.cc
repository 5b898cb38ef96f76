#include "harness/run/bench.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/scenario/loader.h"

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

// ---- --shard: one bench split N ways ----

// The arrival times (seconds from the schedule's start) of a constant-rate
// plan sending `requests`: first_due, then every 1/rate.
std::vector<double> arrivals(const workloads::BenchPlan& p) {
  std::vector<double> t;
  const double first = std::chrono::duration<double>(p.first_due).count();
  for (std::uint64_t k = 0; k < p.requests; ++k) t.push_back(first + static_cast<double>(k) / p.rate);
  return t;
}

// For several option sets and N = 1..16: the N shard plans together are the
// whole plan: requests, rate and --max-in-flight add up exactly, clients add
// up (exactly in a closed -D run; elsewhere 1 per loaded shard when -c < N),
// the constant-rate arrivals interleave into the whole run's schedule, and
// everything else is the whole plan's.
TEST(ShardBenchPlan, TheShardsTogetherAreTheWholePlan) {
  struct Case {
    std::uint64_t n;
    std::uint32_t c, m;
    std::string duration, rate;
    std::uint64_t max_in_flight;
  };
  const std::vector<Case> cases = {
      {1000, 10, 4, "", "", 0},      {7, 3, 1, "", "", 0},          {1, 1, 8, "10s", "", 0},
      {1, 13, 2, "10s", "", 0},      {1, 5, 1, "5s", "999/s", 40}, {2000, 16, 1, "", "500/s", 0},
      {37, 2, 3, "", "300/s", 5},
  };
  for (const auto& k : cases) {
    auto o = options();
    o.requests = k.n;
    o.clients = k.c;
    o.max_streams = k.m;
    o.duration = k.duration;
    o.rate = k.rate;
    o.max_in_flight = k.max_in_flight;
    o.headers = {"x-case: 1"};
    o.request_timeout = "2s";
    auto whole = make_bench_plan(o);
    ASSERT_TRUE(whole) << whole.error().message();
    for (unsigned n = 1; n <= 16; ++n) {
      SCOPED_TRACE(::testing::Message() << "-n " << k.n << " -c " << k.c << " -D " << k.duration << " --rate "
                                        << k.rate << " N " << n);
      std::uint64_t requests = 0, clients = 0, in_flight = 0;
      unsigned loaded = 0;
      double rate = 0;
      std::vector<double> union_of;
      for (unsigned i = 0; i < n; ++i) {
        auto part = shard_bench_plan(*whole, scenario::Shard{i, n});
        ASSERT_TRUE(part) << part.error().message();
        requests += part->requests;
        clients += part->clients;
        in_flight += part->max_in_flight;
        rate += part->rate;
        loaded += part->clients > 0 ? 1 : 0;
        if (whole->requests > 0) {
          EXPECT_EQ(part->clients > 0, part->requests > 0);
        }
        if (whole->rate > 0 && whole->requests > 0) {
          auto t = arrivals(*part);
          union_of.insert(union_of.end(), t.begin(), t.end());
        }
        EXPECT_EQ(part->max_streams, whole->max_streams);
        EXPECT_EQ(part->method, whole->method);
        EXPECT_EQ(part->headers, whole->headers);
        EXPECT_EQ(part->request_timeout, whole->request_timeout);
        EXPECT_EQ(part->urls.size(), whole->urls.size());
      }
      EXPECT_EQ(requests, whole->requests);
      EXPECT_NEAR(rate, whole->rate, 1e-9 * whole->rate);
      if (whole->requests == 0 && whole->rate == 0) {
        EXPECT_EQ(clients, whole->clients);  // closed -D: the clients are the load
      } else {
        EXPECT_EQ(clients, std::max<std::uint64_t>(whole->clients, loaded));
      }
      if (whole->max_in_flight > 0) {
        EXPECT_EQ(in_flight, std::max<std::uint64_t>(whole->max_in_flight, n));
      }
      if (!union_of.empty()) {
        std::sort(union_of.begin(), union_of.end());
        ASSERT_EQ(union_of.size(), whole->requests);
        for (std::size_t j = 0; j < union_of.size(); ++j) {
          ASSERT_NEAR(union_of[j], static_cast<double>(j) / whole->rate, 1e-6) << "arrival " << j;
        }
      }
    }
  }
}

TEST(MakeBenchPlan, ShardOfTheLoadAndItsRefusals) {
  auto o = options();
  o.requests = 10;
  o.clients = 3;
  o.shard = "2/3";
  auto plan = make_bench_plan(o);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->requests, 3u);
  EXPECT_EQ(plan->clients, 1u);

  o.shard = "4/3";
  EXPECT_EQ(error_of(o), "--shard: expected i/N with 1 <= i <= N, got \"4/3\"");
  o.spelling = BenchSpelling::kKeywords;
  EXPECT_EQ(error_of(o), "shard: expected i/N with 1 <= i <= N, got \"4/3\"");
  o = options();
  o.requests = 2;
  o.shard = "3/3";
  EXPECT_EQ(error_of(o), "--shard 3/3: -n 2 split 3 ways leaves this shard no request (give -n at least 3)");
  o = options();
  o.clients = 2;
  o.duration = "10s";
  o.shard = "3/3";
  EXPECT_EQ(error_of(o), "--shard 3/3: -c 2 split 3 ways leaves this shard no client (give -c at least 3)");
  o = options();
  o.requests = 30;
  o.clients = 3;
  o.threads = 2;
  o.shard = "2/2";
  EXPECT_EQ(error_of(o), "--shard 2/2: -t 2 exceeds this shard's 1 client(s) (-c 3 split 2 ways)");
  o.shard = "1/2";
  EXPECT_TRUE(make_bench_plan(o)) << "shard 1/2 has 2 clients";
  o = options();
  o.requests = 100;
  o.rate = "100/s";
  o.poisson = true;
  o.shard = "2/2";
  auto poisson = make_bench_plan(o);
  ASSERT_TRUE(poisson) << poisson.error().message();
  EXPECT_TRUE(poisson->poisson);
  EXPECT_EQ(poisson->rate, 50);
  EXPECT_EQ(poisson->requests, 50u);
}

// ---- --poisson: the gaps each shard draws ----

// `count` gaps of worker `worker` of `plan`, in seconds, as BenchWorkload draws them.
std::vector<double> gaps_of(const workloads::BenchPlan& plan, int worker, int workers, std::size_t count) {
  workloads::ArrivalGaps gaps(plan.rate / workers, plan.poisson, plan.worker_seed(worker));
  std::vector<double> out;
  for (std::size_t k = 0; k < count; ++k) out.push_back(std::chrono::duration<double>(gaps.next()).count());
  return out;
}

workloads::BenchPlan poisson_plan(const std::string& shard) {
  auto o = options();
  o.rate = "1000/s";
  o.poisson = true;
  o.duration = "10s";
  o.clients = 8;
  o.shard = shard;
  auto plan = make_bench_plan(o);
  EXPECT_TRUE(plan) << plan.error().message();
  return plan ? *plan : workloads::BenchPlan{};
}

// Without sharding (and with --shard 1/1) worker w draws what it always drew:
// exponential gaps of mean workers/rate from std::mt19937_64 seeded
// 0x5eed0000 + w.
TEST(PoissonShards, OneShardDrawsTheUnshardedStream) {
  for (const char* shard : {"", "1/1"}) {
    SCOPED_TRACE(std::string("--shard ") + shard);
    const workloads::BenchPlan plan = poisson_plan(shard);
    for (int w = 0; w < 2; ++w) {
      std::mt19937_64 rng(0x5eed0000ULL + static_cast<unsigned>(w));
      std::exponential_distribution<double> exp(1.0);
      workloads::ArrivalGaps gaps(plan.rate / 2, true, plan.worker_seed(w));
      for (int k = 0; k < 1000; ++k) {
        const Nanos expected =
            std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(exp(rng) * (1.0 / (plan.rate / 2))));
        ASSERT_EQ(gaps.next(), expected) << "worker " << w << " gap " << k;
      }
    }
  }
}

// N shards of one --poisson bench draw independent streams: no two shards
// (nor two workers of them) share a seed or a gap sequence, each shard's mean
// gap is N / rate, and the shards' arrivals together are a Poisson process of
// the whole rate: mean gap 1 / rate, coefficient of variation 1 (exponential
// gaps; shards drawing the same gaps would arrive in clusters, i / rate
// apart). 100,000 gaps per shard and fixed seeds: the tolerances are several
// standard errors wide (mean: 0.3 %, CV: about 0.5 %).
TEST(PoissonShards, ShardsDrawIndependentStreamsThatAddUpToTheWholeRate) {
  constexpr unsigned kShards = 4;
  constexpr std::size_t kGaps = 100000;
  const double rate = 1000;
  std::vector<std::vector<double>> streams;
  std::vector<std::uint64_t> seeds;
  std::vector<double> arrivals;
  for (unsigned i = 0; i < kShards; ++i) {
    const workloads::BenchPlan part = poisson_plan(std::to_string(i + 1) + "/" + std::to_string(kShards));
    ASSERT_DOUBLE_EQ(part.rate, rate / kShards);
    for (int w = 0; w < 8; ++w) seeds.push_back(part.worker_seed(w));
    streams.push_back(gaps_of(part, 0, 1, kGaps));
    double sum = 0, t = std::chrono::duration<double>(part.first_due).count();
    for (double g : streams.back()) {
      sum += g;
      t += g;
      arrivals.push_back(t);
    }
    EXPECT_NEAR(sum / kGaps, kShards / rate, 0.02 * kShards / rate) << "shard " << i;
  }
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::adjacent_find(seeds.begin(), seeds.end()), seeds.end()) << "two workers share a seed";
  for (unsigned i = 0; i < kShards; ++i) {
    for (unsigned j = i + 1; j < kShards; ++j) {
      std::size_t same = 0;
      for (std::size_t k = 0; k < 1000; ++k) same += streams[i][k] == streams[j][k] ? 1 : 0;
      EXPECT_EQ(same, 0u) << "shards " << i << " and " << j;
    }
  }
  // The union up to the time every shard still covers.
  double horizon = arrivals.back();
  for (unsigned i = 0; i < kShards; ++i) horizon = std::min(horizon, arrivals[(i + 1) * kGaps - 1]);
  std::sort(arrivals.begin(), arrivals.end());
  arrivals.erase(std::upper_bound(arrivals.begin(), arrivals.end(), horizon), arrivals.end());
  double sum = 0, sum2 = 0;
  for (std::size_t k = 1; k < arrivals.size(); ++k) {
    const double g = arrivals[k] - arrivals[k - 1];
    sum += g;
    sum2 += g * g;
  }
  const double n = static_cast<double>(arrivals.size() - 1);
  const double mean = sum / n, cv = std::sqrt(sum2 / n - mean * mean) / mean;
  EXPECT_NEAR(mean, 1 / rate, 0.02 / rate);
  EXPECT_NEAR(cv, 1.0, 0.03);
}

// A shard's result names its own share and carries the whole run: the bench
// plan text (whole params and every other option) and its hash, the same in
// every shard of one bench and different for other options.
TEST(BenchResult, AShardCarriesTheWholeRunAndItsHash) {
  const auto result_of = [](BenchOptions o) {
    auto plan = make_bench_plan(o);
    EXPECT_TRUE(plan) << plan.error().message();
    return bench_result(o, *plan, load::RunOutcome{}, 1.7e9, "1.2.3", "abc", {"h2soak", "bench"});
  };
  auto o = options();
  o.requests = 100;
  o.clients = 4;
  o.rate = "50/s";
  o.shard = "2/3";
  const auto two = result_of(o);
  EXPECT_EQ(two.metadata.extra.at("shard"), "2/3");
  EXPECT_EQ(two.workloads.at(0).params.at("requests"), "33");
  EXPECT_EQ(two.workloads.at(0).params.at("clients"), "1");
  const std::string& text = two.metadata.extra.at("bench_plan");
  EXPECT_EQ(two.metadata.scenario_hash, scenario::text_hash(text));
  auto whole = parse_bench_plan_text(text);
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(whole->at("requests"), "100");
  EXPECT_EQ(whole->at("clients"), "4");
  EXPECT_EQ(whole->at("rate"), "50");
  EXPECT_EQ(whole->at("model"), "open-constant");
  EXPECT_EQ(whole->at("connect_timeout"), "10s");

  o.shard = "3/3";
  EXPECT_EQ(result_of(o).metadata.scenario_hash, two.metadata.scenario_hash);
  o.headers = {"x-other: 1"};
  EXPECT_NE(result_of(o).metadata.scenario_hash, two.metadata.scenario_hash);
  o.shard.clear();
  const auto unsharded = result_of(o);
  EXPECT_EQ(unsharded.metadata.scenario_hash, "");
  EXPECT_EQ(unsharded.metadata.extra.count("bench_plan"), 0u);
  EXPECT_EQ(unsharded.metadata.extra.count("shard"), 0u);

  EXPECT_FALSE(parse_bench_plan_text("clients=1\n"));
  EXPECT_FALSE(parse_bench_plan_text("h2soak.bench/v1\nno equals sign\n"));
}

}  // namespace
}  // namespace h2soak::run
