// shard_plan(): the N shard plans of every shipped scenario together are the
// unsharded plan (counts sum, rates sum, everything else identical), and the
// arrival offsets of constant-rate workloads interleave.
#include "harness/scenario/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/scenario/scenario_test_support.h"

namespace h2soak::scenario {
namespace {

namespace fs = std::filesystem;
using test_support::from_text;

// The split fields of one workload's params, by category (shard.h).
struct Fields {
  std::vector<std::pair<std::string, std::uint64_t>> counts;      // split exactly
  std::vector<std::pair<std::string, std::uint64_t>> capacities;  // split, at least 1 where loaded
  std::vector<std::pair<std::string, double>> rates;               // rate / N
};

Fields fields_of(const WorkloadParams& params) {
  Fields f;
  if (const auto* t = std::get_if<TabsWorkload>(&params)) {
    f.counts = {{"users", t->users}};
  } else if (const auto* s = std::get_if<SseWorkload>(&params)) {
    f.counts = {{"streams", s->streams}};
  } else if (const auto* u = std::get_if<UploadWorkload>(&params)) {
    if (u->concurrency) f.counts.push_back({"concurrency", *u->concurrency});
    if (u->rate) f.rates.push_back({"rate", *u->rate});
    f.capacities = {{"connections", u->connections}, {"max_in_flight", u->max_in_flight}};
  } else if (const auto* sc = std::get_if<ShortConnectionsWorkload>(&params)) {
    f.rates = {{"rate", sc->rate}};
    f.capacities = {{"max_in_flight", sc->max_in_flight}};
  } else if (const auto* id = std::get_if<IdleWorkload>(&params)) {
    f.counts = {{"connections", id->connections}};
  } else if (const auto* b = std::get_if<BenchWorkload>(&params)) {
    if (b->requests) f.counts.push_back({"requests", *b->requests});
    if (b->rate) f.rates.push_back({"rate", *b->rate});
    if (b->requests || b->rate) f.capacities.push_back({"clients", b->clients});
    else f.counts.push_back({"clients", b->clients});
  }
  return f;
}

// `shard` with every split field set back to `orig`'s value: what must be
// left is identical to the original.
WorkloadParams unsplit(WorkloadParams shard, const WorkloadParams& orig) {
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        const T& o = std::get<T>(orig);
        if constexpr (std::is_same_v<T, TabsWorkload>) {
          p.users = o.users;
        } else if constexpr (std::is_same_v<T, SseWorkload>) {
          p.streams = o.streams;
        } else if constexpr (std::is_same_v<T, UploadWorkload>) {
          p.concurrency = o.concurrency;
          p.rate = o.rate;
          p.connections = o.connections;
          p.max_in_flight = o.max_in_flight;
        } else if constexpr (std::is_same_v<T, ShortConnectionsWorkload>) {
          p.rate = o.rate;
          p.max_in_flight = o.max_in_flight;
        } else if constexpr (std::is_same_v<T, IdleWorkload>) {
          p.connections = o.connections;
        } else if constexpr (std::is_same_v<T, BenchWorkload>) {
          p.requests = o.requests;
          p.rate = o.rate;
          p.clients = o.clients;
        }
      },
      shard);
  return shard;
}

bool loaded(const PlannedWorkload& original, const PlannedWorkload& shard) {
  return !(shard.active.empty() && !original.active.empty());
}

// The heart of the test: N shard plans of `plan` merge back into it.
void expect_union_is_plan(const Plan& plan, unsigned n) {
  std::vector<Plan> shards;
  for (unsigned i = 0; i < n; ++i) {
    auto s = shard_plan(plan, i, n);
    ASSERT_TRUE(s.ok()) << s.error().message();
    shards.push_back(*s);
  }
  for (unsigned i = 0; i < n; ++i) {
    SCOPED_TRACE("shard " + std::to_string(i + 1) + "/" + std::to_string(n));
    const Plan& s = shards[i];
    EXPECT_EQ(s.scenario_hash, plan.scenario_hash) << "shards keep the unsharded hash";
    // Everything but the workloads and their sums is identical.
    Plan rest = s;
    rest.workloads = plan.workloads;
    rest.max_connections = plan.max_connections;
    rest.max_streams = plan.max_streams;
    EXPECT_EQ(rest, plan);
    ASSERT_EQ(s.workloads.size(), plan.workloads.size()) << "no workload is dropped";
    std::uint64_t conns = 0, streams = 0;
    for (const auto& w : s.workloads) conns += w.max_connections, streams += w.max_streams;
    EXPECT_EQ(s.max_connections, conns);
    EXPECT_EQ(s.max_streams, streams);
  }
  for (std::size_t j = 0; j < plan.workloads.size(); ++j) {
    const PlannedWorkload& o = plan.workloads[j];
    SCOPED_TRACE("workload " + o.name + ", N = " + std::to_string(n));
    const Fields of = fields_of(o.params);
    Fields sum = of;
    for (auto& c : sum.counts) c.second = 0;
    for (auto& c : sum.capacities) c.second = 0;
    for (auto& r : sum.rates) r.second = 0;
    unsigned loaded_shards = 0;
    for (unsigned i = 0; i < n; ++i) {
      const PlannedWorkload& w = shards[i].workloads[j];
      const bool has_load = loaded(o, w);
      loaded_shards += has_load ? 1 : 0;
      // Identical but for the split fields (and the windows of an unloaded shard).
      EXPECT_EQ(w.name, o.name);
      EXPECT_EQ(w.kind, o.kind);
      EXPECT_EQ(w.pattern, o.pattern);
      EXPECT_EQ(w.close_at, o.close_at);
      if (has_load) {
        EXPECT_EQ(w.active, o.active);
      }
      EXPECT_EQ(unsplit(w.params, o.params), o.params);
      const Fields f = fields_of(w.params);
      ASSERT_EQ(f.counts.size(), of.counts.size());
      ASSERT_EQ(f.capacities.size(), of.capacities.size());
      ASSERT_EQ(f.rates.size(), of.rates.size());
      for (std::size_t k = 0; k < f.counts.size(); ++k) {
        EXPECT_EQ(f.counts[k].second, shard_count(of.counts[k].second, i, n)) << f.counts[k].first;
        sum.counts[k].second += f.counts[k].second;
      }
      // The first count is the load itself (users, streams, requests, ...): a
      // shard without any of it has no windows; a rate is never 0.
      if (!o.active.empty()) {
        EXPECT_EQ(has_load, f.counts.empty() || f.counts.front().second > 0);
      }
      for (std::size_t k = 0; k < f.capacities.size(); ++k) {
        const std::uint64_t want = has_load ? std::max<std::uint64_t>(1, shard_count(of.capacities[k].second, i, n)) : 0;
        EXPECT_EQ(f.capacities[k].second, want) << f.capacities[k].first;
        sum.capacities[k].second += f.capacities[k].second;
      }
      for (std::size_t k = 0; k < f.rates.size(); ++k) sum.rates[k].second += f.rates[k].second;
      // A shard is unloaded exactly when its share of the load is zero.
      if (!has_load) {
        EXPECT_EQ(w.max_connections, 0u);
        EXPECT_EQ(w.max_streams, 0u);
      }
    }
    for (std::size_t k = 0; k < of.counts.size(); ++k) {
      EXPECT_EQ(sum.counts[k].second, of.counts[k].second) << of.counts[k].first << " sums to the original";
    }
    for (std::size_t k = 0; k < of.rates.size(); ++k) {
      EXPECT_NEAR(sum.rates[k].second, of.rates[k].second, 1e-9 * of.rates[k].second) << of.rates[k].first;
    }
    for (std::size_t k = 0; k < of.capacities.size(); ++k) {
      // Exact when every shard carries load and the capacity covers one each.
      if (loaded_shards == n && of.capacities[k].second >= n) {
        EXPECT_EQ(sum.capacities[k].second, of.capacities[k].second) << of.capacities[k].first;
      }
    }
    // Arrival offsets of a constant-rate workload interleave: sorted, they are
    // 0, 1/R, 2/R, ... (N of them, evenly spaced by 1/R).
    if (!of.rates.empty() && loaded_shards == n) {
      const double rate = of.rates.front().second;
      std::vector<Nanos> offsets;
      for (unsigned i = 0; i < n; ++i) offsets.push_back(shards[i].workloads[j].arrival_offset);
      std::sort(offsets.begin(), offsets.end());
      for (unsigned k = 0; k < n; ++k) {
        const double want_ns = k / rate * 1e9;
        EXPECT_NEAR(static_cast<double>(offsets[k].count()), want_ns, 2.0) << "offset " << k;
        if (k > 0) {
          EXPECT_NEAR(static_cast<double>((offsets[k] - offsets[k - 1]).count()), 1e9 / rate, 2.0);
        }
      }
      // Each shard's spacing is N / R: its offset stays within its first gap.
      EXPECT_LT(static_cast<double>(offsets.back().count()), n / rate * 1e9);
    } else {
      for (unsigned i = 0; i < n; ++i) {
        if (of.rates.empty()) {
          EXPECT_EQ(shards[i].workloads[j].arrival_offset, Nanos{});
        }
      }
    }
  }
}

// Every file in scenarios/ and scenarios/test/, found by a directory scan (a
// new file is covered without editing this test).
std::vector<std::string> shipped_files() {
  std::vector<std::string> out;
  for (const char* dir : {"/scenarios", "/scenarios/test"}) {
    for (const auto& e : fs::directory_iterator(std::string(H2SOAK_SOURCE_DIR) + dir)) {
      if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

EnvLookup no_env() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

TEST(Shard, UnionOfShardsIsTheUnshardedPlanForEveryShippedScenario) {
  std::size_t scenarios = 0;
  std::vector<std::string> suites;
  const auto files = shipped_files();
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    auto loaded_file = load(file, no_env());
    ASSERT_TRUE(loaded_file.ok()) << loaded_file.error().message();
    if (std::holds_alternative<Suite>(*loaded_file)) {
      // A suite only lists scenario files, which are covered on their own.
      suites.push_back(fs::path(file).filename().string());
      continue;
    }
    auto s = std::get<Scenario>(*loaded_file);
    auto plan = make_plan(s);
    ASSERT_TRUE(plan.ok()) << plan.error().message();
    for (unsigned n = 1; n <= 16; ++n) expect_union_is_plan(*plan, n);
    ++scenarios;
    // And with --attribute (Walsh patterns cut the windows), where steady is
    // long enough for it.
    if (!s.attribution.enabled) {
      TargetOverrides o;
      o.attribute = true;
      if (apply_overrides(s, o).ok()) {
        auto modulated = make_plan(s);
        if (modulated.ok()) {
          for (unsigned n = 1; n <= 16; ++n) expect_union_is_plan(*modulated, n);
        }
      }
    }
  }
  std::printf("sharded %zu scenario file(s); skipped %zu suite file(s):", scenarios, suites.size());
  for (const auto& s : suites) std::printf(" %s", s.c_str());
  std::printf("\n");
  EXPECT_GT(scenarios, 5u);
  EXPECT_EQ(scenarios + suites.size(), files.size());
}

const std::string kPlanText =
    "phases: {warmup: 1s, steady: 4s, cooldown: 1s}\n"
    "workloads:\n"
    "  - {kind: tabs, users: 1}\n"
    "  - {kind: short_connections, rate: 30/s, max_in_flight: 2}\n"
    "  - {kind: upload, rate: 12/s}\n"
    "  - {kind: bench, clients: 1, requests: 2, rate: 10/s}\n"
    "  - {kind: bench, name: closed, clients: 5, max_streams: 2}\n"
    "  - {kind: idle, connections: 7}\n";

Plan plan_of(const std::string& text) {
  auto s = from_text(text);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  auto p = make_plan(*s);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message());
  return *p;
}

TEST(Shard, SplitsEachKindAndKeepsAZeroShareWorkloadWithoutLoad) {
  const Plan plan = plan_of(kPlanText);
  auto s = shard_plan(plan, 2, 3);  // shard 3/3
  ASSERT_TRUE(s.ok()) << s.error().message();
  const auto& w = s->workloads;
  ASSERT_EQ(w.size(), 6u);
  // 1 user over 3 shards: shard 3 has none; kept, no windows, nothing open.
  EXPECT_EQ(std::get<TabsWorkload>(w[0].params).users, 0u);
  EXPECT_TRUE(w[0].active.empty());
  EXPECT_EQ(w[0].max_connections, 0u);
  EXPECT_EQ(w[0].close_at, plan.workloads[0].close_at);
  // 30/s → 10/s, first arrival 2/30 s into each window; max_in_flight 2 → at least 1.
  const auto& sc = std::get<ShortConnectionsWorkload>(w[1].params);
  EXPECT_DOUBLE_EQ(sc.rate, 10.0);
  EXPECT_EQ(sc.max_in_flight, 1u);
  EXPECT_NEAR(std::chrono::duration<double>(w[1].arrival_offset).count(), 2.0 / 30, 1e-9);
  EXPECT_EQ(w[1].active, plan.workloads[1].active);
  // upload rate 12/s: 4/s, offset 2/12 s; connections 4 → 1, max_in_flight 64 → 21.
  const auto& u = std::get<UploadWorkload>(w[2].params);
  EXPECT_DOUBLE_EQ(*u.rate, 4.0);
  EXPECT_EQ(u.connections, 1u);
  EXPECT_EQ(u.max_in_flight, 21u);
  EXPECT_NEAR(std::chrono::duration<double>(w[2].arrival_offset).count(), 2.0 / 12, 1e-9);
  // bench: 2 requests over 3 shards: shard 3 has none (not "unlimited").
  const auto& b = std::get<BenchWorkload>(w[3].params);
  EXPECT_EQ(b.requests, std::optional<std::uint64_t>(0));
  EXPECT_TRUE(w[3].active.empty());
  // closed bench: 5 clients → 1 in shard 3 (2, 2, 1).
  EXPECT_EQ(std::get<BenchWorkload>(w[4].params).clients, 1u);
  EXPECT_EQ(w[4].max_connections, 1u);
  EXPECT_EQ(w[4].max_streams, 2u);
  // idle 7 → 3, 2, 2.
  EXPECT_EQ(std::get<IdleWorkload>(w[5].params).connections, 2u);
  EXPECT_EQ(s->scenario_hash, plan.scenario_hash);
  EXPECT_EQ(s->max_connections, 0u + 1 + 1 + 0 + 1 + 2);
}

TEST(Shard, OneShardIsThePlan) {
  const Plan plan = plan_of(kPlanText);
  auto s = shard_plan(plan, 0, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, plan);
}

TEST(Shard, BadIndexOrCountIsAnError) {
  const Plan plan = plan_of(kPlanText);
  EXPECT_FALSE(shard_plan(plan, 0, 0).ok());
  EXPECT_FALSE(shard_plan(plan, 3, 3).ok());
}

TEST(Shard, ShardCount) {
  EXPECT_EQ(shard_count(10, 0, 3), 4u);
  EXPECT_EQ(shard_count(10, 1, 3), 3u);
  EXPECT_EQ(shard_count(10, 2, 3), 3u);
  EXPECT_EQ(shard_count(1, 1, 3), 0u);
  EXPECT_EQ(shard_count(7, 0, 1), 7u);
}

TEST(Shard, ParsesOneBasedIOverN) {
  auto s = parse_shard("1/2");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Shard{0, 2}));
  EXPECT_EQ(s->str(), "1/2");
  auto last = parse_shard("16/16");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, (Shard{15, 16}));
  EXPECT_EQ(last->str(), "16/16");
  EXPECT_EQ(*parse_shard("1/1"), (Shard{0, 1}));
}

TEST(Shard, RejectsMalformedShards) {
  for (const char* bad : {"3/2", "0/2", "1/0", "0/0", "2", "", "/", "1/", "/2", "a/b", "1/2/3", "-1/2", "1 /2",
                          "+1/2", "1/2x"}) {
    SCOPED_TRACE(bad);
    auto s = parse_shard(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message(), std::string("--shard: expected i/N with 1 <= i <= N, got \"") + bad + "\"");
  }
  auto many = parse_shard("1/100000");
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message().find("at most 1024 shards"), std::string::npos);
}

// The caller names the option in the message (Python's keyword for h2soak.bench).
TEST(Shard, ErrorsNameTheOptionAsTheCallerSpellsIt) {
  EXPECT_EQ(parse_shard("1/0", "shard").error().message(), "shard: expected i/N with 1 <= i <= N, got \"1/0\"");
  EXPECT_EQ(parse_shard("1/2000", "shard").error().message(), "shard: at most 1024 shards, got \"1/2000\"");
}

}  // namespace
}  // namespace h2soak::scenario
