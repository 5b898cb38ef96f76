#include "harness/run/merge.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/result/result_json.h"
#include "harness/run/batch.h"
#include "harness/run/bench.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

const std::string kScenario = std::string(H2SOAK_SOURCE_DIR) + "/scenarios/test/many_tabs.yaml";

// A shard's result: one tabs workload with a steady phase, started at `start_unix`.
MergeInput shard(const std::string& tag, double start_unix, const std::string& source) {
  MergeInput in;
  in.source = source;
  auto& m = in.result.metadata;
  m.scenario_name = "test_many_tabs";
  m.scenario_hash = "abc123";
  m.start_unix = start_unix;
  m.duration = 8;
  if (!tag.empty()) m.extra["shard"] = tag;
  in.result.phases = {{"warmup", 0, 1}, {"steady", 1, 6}, {"cooldown", 6, 8}};
  result::WorkloadResult w;
  w.name = "tabs";
  w.kind = "tabs";
  w.phases.push_back({"warmup", {}});
  w.phases.push_back({"steady", {}});
  in.result.workloads.push_back(std::move(w));
  return in;
}

metrics::WorkloadMetrics& steady(MergeInput& in, const std::string& workload = "tabs") {
  for (auto& w : in.result.workloads) {
    if (w.name == workload) return w.phases[1].metrics;
  }
  ADD_FAILURE() << "no workload " << workload;
  static metrics::WorkloadMetrics none;
  return none;
}

const metrics::WorkloadMetrics& steady(const result::RunResult& r, const std::string& workload = "tabs") {
  const auto* m = r.workloads.at(0).find_phase("steady");
  EXPECT_EQ(r.workloads.at(0).name, workload);
  EXPECT_NE(m, nullptr);
  return *m;
}

void give_samples(MergeInput& in, int pid) {
  sampler::SampleSeries s;
  s.pid = pid;
  for (int i = 0; i < 10; ++i) {
    sampler::Sample x;
    x.t = i * 0.5;
    x.rss = 1'000'000;
    s.samples.push_back(x);
  }
  s.phases = in.result.phases;
  in.result.target.pid = pid;
  in.result.target.samples = std::move(s);
}

std::vector<std::uint64_t> done_per_second(const metrics::IntervalSeries& s) {
  std::vector<std::uint64_t> out;
  for (const auto& p : s.points()) out.push_back(p.requests_done);
  return out;
}

// The error of a merge that must be refused.
std::string refusal(const std::vector<MergeInput>& inputs, const MergeOptions& options = {}) {
  auto r = merge_shards(inputs, options);
  EXPECT_FALSE(r.ok()) << "merged, but should have been refused";
  return r ? std::string() : r.error().message();
}

TEST(MergeShards, CountersAdd) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.4, "b.json");
  steady(a).counters.requests_started = 100;
  steady(a).counters.requests_done = 100;
  steady(a).counters.requests_succeeded = 99;
  steady(a).counters.requests_errored = 1;
  steady(a).counters.record_status(200);
  steady(a).counters.record_error(metrics::ErrorClass::kRstStream);
  steady(a).counters.bytes_in_total = 5000;
  steady(a).extra_counter("sse.events") = 7;
  steady(b).counters.requests_started = 50;
  steady(b).counters.requests_done = 50;
  steady(b).counters.requests_succeeded = 50;
  steady(b).counters.record_status(200);
  steady(b).counters.record_status(200);
  steady(b).counters.bytes_in_total = 2500;
  steady(b).extra_counter("sse.events") = 3;

  auto r = merge_shards({b, a});  // any order
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& c = steady(*r).counters;
  EXPECT_EQ(c.requests_done, 150u);
  EXPECT_EQ(c.requests_started, 150u);
  EXPECT_EQ(c.requests_succeeded, 149u);
  EXPECT_EQ(c.requests_errored, 1u);
  EXPECT_EQ(c.status_class[1], 3u);
  EXPECT_EQ(c.error(metrics::ErrorClass::kRstStream), 1u);
  EXPECT_EQ(c.bytes_in_total, 7500u);
  EXPECT_EQ(steady(*r).extra_counters.at("sse.events"), 10u);
  ASSERT_EQ(r->workloads.size(), 1u);
  EXPECT_EQ(r->workloads[0].phases.size(), 2u);
  EXPECT_EQ(r->metadata.extra.count("shard"), 0u);
  EXPECT_EQ(r->metadata.extra.at("merged_from"), "2 shards");
  EXPECT_NE(r->metadata.extra.at("merged_sources").find("b.json (shard 2/2)"), std::string::npos);
  EXPECT_EQ(r->status.state, result::RunState::kCompleted);
}

TEST(MergeShards, HistogramEqualsOneFedWithEverySample) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  metrics::Histogram all;
  metrics::Histogram all_gaps;
  for (std::uint64_t v : {12ull, 480ull, 2049ull, 70000ull, 70001ull, 3'000'000ull}) {
    steady(a).request_total.record(v);
    all.record(v);
  }
  for (std::uint64_t v : {1ull, 480ull, 2100ull, 999'999ull, 5'000'000'000ull}) {  // the last one saturates
    steady(b).request_total.record(v);
    all.record(v);
  }
  steady(a).extra_histogram("sse.event_gap_us").record(1000);
  steady(b).extra_histogram("sse.event_gap_us").record(250000);
  all_gaps.record(1000);
  all_gaps.record(250000);

  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(steady(*r).request_total == all);
  EXPECT_EQ(steady(*r).request_total.count(), 11u);
  EXPECT_EQ(steady(*r).request_total.saturated(), 1u);
  EXPECT_EQ(steady(*r).request_total.value_at_percentile(99), all.value_at_percentile(99));
  EXPECT_TRUE(steady(*r).extra_histograms.at("sse.event_gap_us") == all_gaps);
}

// Shard 2 started exactly 1 s after shard 1 (which sampled): its second 0 is
// shard 1's second 1.
TEST(MergeShards, SeriesAlignOnWallClock) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1001.0, "b.json");
  give_samples(a, 41);
  for (std::uint32_t s = 0; s < 3; ++s) {
    steady(a).series.at_second(s)->requests_done = s + 1;       // 1 2 3
    steady(b).series.at_second(s)->requests_done = 10 * (s + 1);  // 10 20 30
    steady(b).series.at_second(s)->in_flight = 4;
  }
  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->metadata.start_unix, 1000.0);
  EXPECT_EQ(done_per_second(steady(*r).series), (std::vector<std::uint64_t>{1, 12, 23, 30}));
  EXPECT_EQ(steady(*r).series.points()[0].in_flight, 0u);
  EXPECT_EQ(steady(*r).series.points()[1].in_flight, 4u);
}

// Only shard 2 sampled the target: the merged axis is shard 2's, and shard
// 1's second 0 (before it) is counted in second 0.
TEST(MergeShards, SamplesOfTheOnlyShardThatHasThemSetTheClock) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1001.0, "b.json");
  give_samples(b, 42);
  for (std::uint32_t s = 0; s < 3; ++s) {
    steady(a).series.at_second(s)->requests_done = s + 1;
    steady(b).series.at_second(s)->requests_done = 10 * (s + 1);
  }
  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->metadata.start_unix, 1001.0);
  EXPECT_EQ(done_per_second(steady(*r).series), (std::vector<std::uint64_t>{13, 23, 30}));
  ASSERT_TRUE(r->target.samples.has_value());
  EXPECT_EQ(r->target.samples->pid, 42);
  EXPECT_EQ(r->target.pid, 42);
  EXPECT_NE(r->metadata.extra.at("merged_sources").find("samples: b.json (shard 2/2)"), std::string::npos);
}

TEST(MergeShards, Shard1SamplesWinAndSamplesFileOverrides) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.5, "b.json");
  give_samples(a, 41);
  give_samples(b, 42);
  auto r = merge_shards({b, a});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->target.samples->pid, 41);

  auto s = shard("", 1001.0, "sampler.json");
  give_samples(s, 43);
  MergeOptions options;
  options.samples = &s;
  r = merge_shards({a, b}, options);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->target.samples->pid, 43);
  EXPECT_EQ(r->metadata.start_unix, 1001.0);
  EXPECT_NE(r->metadata.extra.at("merged_sources").find("samples: sampler.json"), std::string::npos);

  auto empty = shard("", 1000.0, "empty.json");
  options.samples = &empty;
  EXPECT_NE(refusal({a, b}, options).find("empty.json: --samples: the result has no samples"), std::string::npos);
  auto other = shard("", 1000.0, "other.json");
  give_samples(other, 44);
  other.result.metadata.scenario_hash = "fff";
  options.samples = &other;
  EXPECT_NE(refusal({a, b}, options).find("other.json: --samples: scenario"), std::string::npos);
}

TEST(MergeShards, GeneratorWorkersOfEveryShardOnTheMergedClock) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1001.5, "b.json");
  give_samples(a, 41);
  a.result.generator.emplace().workers.push_back({{1.0, 2.0}, {0.1, 0.2}, {10, 20}, {}});
  b.result.generator.emplace().workers.push_back({{1.0}, {0.3}, {30}, {}});
  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->generator.has_value());
  ASSERT_EQ(r->generator->workers.size(), 2u);
  EXPECT_DOUBLE_EQ(r->generator->workers[1].t[0], 2.5);
}

TEST(MergeShards, OneUnshardedResultMergesIntoItself) {
  auto a = shard("", 1000.0, "a.json");
  steady(a).counters.requests_done = 9;
  auto r = merge_shards({a});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(steady(*r).counters.requests_done, 9u);
  EXPECT_EQ(r->metadata.extra.at("merged_from"), "1 result (not sharded)");
}

TEST(MergeShards, IncompleteShardMakesThePartialStatus) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  b.result.status = {result::RunState::kTargetDied, "the target died mid-run"};
  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status.state, result::RunState::kTargetDied);
  EXPECT_EQ(r->status.reason, "b.json (shard 2/2): the target died mid-run");
}

TEST(MergeShards, RefusesDifferentScenarioHashes) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  b.result.metadata.scenario_hash = "def456";
  const std::string e = refusal({a, b});
  EXPECT_EQ(e.rfind("b.json: ", 0), 0u) << e;
  EXPECT_NE(e.find("def456"), std::string::npos) << e;
  EXPECT_NE(e.find("abc123"), std::string::npos) << e;
}

TEST(MergeShards, RefusesAFileWithoutShardTagAmongSeveral) {
  const std::string e = refusal({shard("1/2", 1000.0, "a.json"), shard("", 1000.0, "plain.json")});
  EXPECT_EQ(e.rfind("plain.json: not a shard's result", 0), 0u) << e;
}

TEST(MergeShards, RefusesAMalformedShardTag) {
  const std::string e = refusal({shard("1/2", 1000.0, "a.json"), shard("3/2", 1000.0, "bad.json")});
  EXPECT_EQ(e.rfind("bad.json: metadata.extra.shard: ", 0), 0u) << e;
}

TEST(MergeShards, RefusesDuplicateShards) {
  const std::string e =
      refusal({shard("1/3", 1000.0, "a.json"), shard("2/3", 1000.0, "b.json"), shard("2/3", 1000.0, "c.json")});
  EXPECT_NE(e.find("c.json: shard 2/3 given twice (also b.json)"), std::string::npos) << e;
}

TEST(MergeShards, RefusesMissingShards) {
  const std::string e =
      refusal({shard("1/4", 1000.0, "a.json"), shard("2/4", 1000.0, "b.json"), shard("4/4", 1000.0, "d.json")});
  EXPECT_EQ(e.rfind("shard 3/4 missing", 0), 0u) << e;
  EXPECT_NE(e.find("d.json (shard 4/4)"), std::string::npos) << e;
  // A lone shard of two is not a whole run either.
  EXPECT_EQ(refusal({shard("1/2", 1000.0, "a.json")}).rfind("shard 2/2 missing", 0), 0u);
}

TEST(MergeShards, RefusesDifferentShardCounts) {
  const std::string e = refusal({shard("1/2", 1000.0, "a.json"), shard("2/3", 1000.0, "b.json")});
  EXPECT_EQ(e.rfind("b.json: shard 2/3 is one of 3 shards, but a.json is shard 1/2 of 2", 0), 0u) << e;
}

TEST(MergeShards, RefusesStartsFurtherApartThanTheSkewBound) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1002.5, "b.json");
  const std::string e = refusal({a, b});
  EXPECT_EQ(e.rfind("b.json: started 2.500 s after a.json", 0), 0u) << e;
  EXPECT_NE(e.find("--max-clock-skew"), std::string::npos) << e;
  b.result.metadata.start_unix = 997.9;
  EXPECT_NE(refusal({a, b}).find("started 2.100 s before a.json"), std::string::npos);
  MergeOptions loose;
  loose.max_clock_skew = 3;
  EXPECT_TRUE(merge_shards({a, b}, loose).ok());
  b.result.metadata.start_unix = 1002.0;  // exactly at the bound: accepted
  EXPECT_TRUE(merge_shards({a, b}).ok());
}

// A shard that measured its clock against the sampler's (`run --clock-from`)
// is placed by its start on the sampler's clock: shard 2 believes it started
// at 1001.0, but its clock runs 1.0 s behind the sampler's, so it started at
// 1002.0 there, and its second 0 is the merged second 2.
TEST(MergeShards, ClockOffsetsPlaceShardsOnTheSamplersClock) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1001.0, "b.json");
  give_samples(a, 41);
  a.result.metadata.extra["clock_offset_ms"] = "+0.000";
  b.result.metadata.extra["clock_offset_ms"] = "+1000.000";
  b.result.metadata.extra["clock_uncertainty_ms"] = "0.100";
  steady(a).series.at_second(0)->requests_done = 1;
  steady(b).series.at_second(0)->requests_done = 10;
  auto r = merge_shards({a, b});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(done_per_second(steady(*r).series), (std::vector<std::uint64_t>{1, 0, 10}));
  EXPECT_EQ(r->metadata.extra.at("merged_clock_offsets_ms"), "a.json (shard 1/2) +0.000, b.json (shard 2/2) +1000.000");
  EXPECT_EQ(r->metadata.extra.count("clock_offset_ms"), 0u) << "one shard's own measurement is not the merge's";

  // The skew bound applies on the sampler's clock too: 1001.0 + 1.5 is 2.5 s after a.
  b.result.metadata.extra["clock_offset_ms"] = "+1500.000";
  EXPECT_NE(refusal({a, b}).find("b.json: started 2.500 s after a.json"), std::string::npos);
}

TEST(MergeShards, RefusesOneWorkloadNameWithTwoKinds) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  b.result.workloads[0].kind = "sse";
  EXPECT_EQ(refusal({a, b}).rfind("b.json: workload \"tabs\" is of kind sse", 0), 0u);
}

// A result file that is not JSON: the reader's message names the file and
// the position, which is what `h2soak merge` prints.
TEST(MergeShards, InvalidJsonNamesTheFile) {
  const fs::path file = fs::temp_directory_path() / ("h2soak-merge-test-" + std::to_string(::getpid()) + ".json");
  { std::ofstream(file) << "{\"schema\": \"h2soak.result/v1\",\n \"metadata\": {"; }
  auto r = result::read_result(file.string());
  fs::remove(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind(file.string() + ": invalid JSON", 0), 0u) << r.error().message();
  EXPECT_NE(r.error().message().find("line 2"), std::string::npos) << r.error().message();
}

// The unsharded plan, from the scenario file the shards ran: its params,
// rates over its steady phase and its thresholds make the merged analysis.
TEST(MergeShards, FinishedWithTheUnshardedPlan) {
  auto plans = load_plans(kScenario, {});
  ASSERT_TRUE(plans.ok()) << plans.error().message();
  const scenario::Plan& plan = plans->plans.at(0);
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  for (auto* in : {&a, &b}) {
    in->result.metadata.scenario_hash = plan.scenario_hash;
    in->result.workloads[0].params["users"] = "2";  // each shard's share
    steady(*in).counters.requests_done = 250;
    steady(*in).counters.requests_succeeded = 250;
    steady(*in).request_total.record(1000, 250);
  }
  auto merged = merge_shards({a, b});
  ASSERT_TRUE(merged.ok()) << merged.error().message();
  auto again = merged_plan(kScenario, *merged);
  ASSERT_TRUE(again.ok()) << again.error().message();
  finish_merged(*again, *merged);
  EXPECT_EQ(merged->workloads[0].params.at("users"), "4");
  ASSERT_EQ(merged->thresholds.size(), 1u);
  EXPECT_EQ(merged->thresholds[0].text, "errors == 0");
  EXPECT_EQ(merged->thresholds, again->thresholds);  // typed, as the plan has them
  ASSERT_TRUE(merged->analysis.count("rps"));
  EXPECT_DOUBLE_EQ(merged->analysis.at("rps").value, 500.0 / 5);  // 5 s of steady
  EXPECT_EQ(merged->analysis.at("errors").value, 0);

  merged->metadata.scenario_hash = "abc123";
  auto changed = merged_plan(kScenario, *merged);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message().find("the file changed since the run"), std::string::npos);
  merged->metadata.scenario_name = "nope";
  EXPECT_NE(merged_plan(kScenario, *merged).error().message().find("no scenario named \"nope\""), std::string::npos);
}

// ---- Shards of `h2soak bench --shard` ----

// A bench shard's result as `bench --shard TAG --json` writes it, with
// `done` requests of 1 ms in its steady phase.
MergeInput bench_shard(const std::string& tag, const std::string& source, std::uint64_t done,
                       const std::string& header = "x-run: 1") {
  BenchOptions o;
  o.urls = {"http://127.0.0.1:9/"};
  o.requests = 100;
  o.clients = 4;
  o.headers = {header};
  o.shard = tag;
  auto plan = make_bench_plan(o);
  EXPECT_TRUE(plan) << plan.error().message();
  load::RunOutcome out;
  out.steady_start = out.origin + std::chrono::seconds(1);
  out.end = out.origin + std::chrono::seconds(3);
  out.steady_seconds = 2;
  out.never_connected = false;
  auto& steady = out.phases[static_cast<int>(load::Phase::kSteady)];
  steady.counters.requests_done = done;
  steady.request_total.record(1000, done);
  return MergeInput{bench_result(o, *plan, out, 1000.0, "1.2.3", "abc", {"h2soak", "bench"}), source};
}

// Two bench shards merge without a scenario file: counters and histograms
// add, and the params are the whole run's again (from the shards' bench
// plan), not shard 1's share.
TEST(MergeBench, ShardsMergeIntoTheWholeRun) {
  auto a = bench_shard("1/2", "a.json", 50);
  auto b = bench_shard("2/2", "b.json", 50);
  ASSERT_EQ(a.result.workloads.at(0).params.at("requests"), "50");
  ASSERT_TRUE(is_bench_shard(a.result));
  auto r = merge_shards({b, a});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(finish_merged_bench(*r)) << "finished";
  const auto& w = r->workloads.at(0);
  EXPECT_EQ(w.params.at("requests"), "100");
  EXPECT_EQ(w.params.at("clients"), "4");
  const auto* m = w.find_phase("steady");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->counters.requests_done, 100u);
  EXPECT_EQ(m->request_total.count(), 100u);
  EXPECT_EQ(r->metadata.extra.at("merged_from"), "2 shards");
  EXPECT_EQ(r->metadata.extra.at("steady_seconds"), "2.000000");

  // A bench plan that does not match the hash is refused.
  r->metadata.extra["bench_plan"] += "clients=5\n";
  EXPECT_FALSE(finish_merged_bench(*r));
}

// Bench and scenario shards do not merge, nor shards of other bench options;
// the refusal names the file.
TEST(MergeBench, RefusesAMixAndOtherOptions) {
  const std::string mix = refusal({bench_shard("1/2", "a.json", 1), shard("2/2", 1000.0, "b.json")});
  EXPECT_EQ(mix.rfind("b.json: is not a `h2soak bench --shard` result, but a.json is", 0), 0u) << mix;
  const std::string mix2 = refusal({shard("1/2", 1000.0, "a.json"), bench_shard("2/2", "b.json", 1)});
  EXPECT_EQ(mix2.rfind("b.json: is a `h2soak bench --shard` result, but a.json is not", 0), 0u) << mix2;
  const std::string other =
      refusal({bench_shard("1/2", "a.json", 1), bench_shard("2/2", "b.json", 1, "x-run: 2")});
  EXPECT_EQ(other.rfind("b.json: bench options (hash ", 0), 0u) << other;
  EXPECT_NE(other.find("shards of different `h2soak bench` options do not merge"), std::string::npos) << other;
}

// ---- The streaming fold (MergeOptions::bodies) ----

// `inputs` merged whole in memory and merged from headers (the inputs without
// their workloads and generator workers) with those handed in one input at a
// time: the two results, as JSON text, and the order in which they were
// asked for.
struct TwoMerges {
  std::string whole, streamed;
  std::vector<std::string> asked;
};
TwoMerges merge_both_ways(const std::vector<MergeInput>& inputs, MergeOptions options = {}) {
  TwoMerges out;
  auto whole = merge_shards(inputs, options);
  EXPECT_TRUE(whole.ok()) << whole.error().message();
  std::vector<MergeInput> headers = inputs;
  for (auto& h : headers) {
    h.result.workloads.clear();
    if (h.result.generator) h.result.generator->workers.clear();
  }
  options.bodies = [&](const MergeInput& h) -> Result<MergeBody> {
    out.asked.push_back(h.source);
    for (const auto& in : inputs) {
      if (in.source != h.source) continue;
      MergeBody body{in.result.workloads, {}};
      if (in.result.generator) body.generator_workers = in.result.generator->workers;
      return body;
    }
    return Error("unknown input", h.source);
  };
  auto streamed = merge_shards(headers, options);
  EXPECT_TRUE(streamed.ok()) << streamed.error().message();
  if (whole.ok() && streamed.ok()) {
    out.whole = result::to_json(*whole).dump(1);
    out.streamed = result::to_json(*streamed).dump(1);
  }
  return out;
}

TEST(MergeShards, StreamingFoldWritesTheSameResultByteForByte) {
  // Two shards a second apart, with series, histograms and samples.
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1001.0, "b.json");
  give_samples(a, 41);
  for (std::uint32_t s = 0; s < 3; ++s) {
    steady(a).series.at_second(s)->requests_done = s + 1;
    steady(b).series.at_second(s)->requests_done = 10 * (s + 1);
    steady(a).request_total.record(100 * (s + 1));
    steady(b).request_total.record(7000 * (s + 1));
  }
  a.result.generator.emplace().workers.push_back({{1.0, 2.0}, {0.1, 0.2}, {10, 20}, {}});
  b.result.generator.emplace().workers.push_back({{1.0}, {0.3}, {30}, {}});
  b.result.generator->workers[0].loop_lag.record(250);
  const auto two = merge_both_ways({b, a});
  EXPECT_EQ(two.streamed, two.whole);
  EXPECT_EQ(two.asked, (std::vector<std::string>{"a.json", "b.json"}));  // shard order, once each
  EXPECT_NE(two.whole.find("\"merged_from\": \"2 shards\""), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(two.streamed)["generator"]["workers"].size(), 2u) << "every shard's worker";

  // Four shards, a second workload in two of them, one incomplete, a samples file.
  std::vector<MergeInput> four;
  for (int i = 1; i <= 4; ++i) {
    auto in = shard(std::to_string(i) + "/4", 1000.0 + 0.3 * i, "s" + std::to_string(i) + ".json");
    steady(in).counters.requests_done = 10u * i;
    steady(in).ttfb.record(50u * i);
    steady(in).extra_histogram("sse.event_gap_us").record(1000u * i);
    if (i % 2 == 0) {
      result::WorkloadResult sse;
      sse.name = "sse";
      sse.kind = "sse";
      sse.phases.push_back({"steady", {}});
      sse.phases[0].metrics.counters.requests_done = i;
      in.result.workloads.push_back(std::move(sse));
    }
    four.push_back(std::move(in));
  }
  four[2].result.status = {result::RunState::kTargetDied, "the target died mid-run"};
  auto sampler = shard("", 1000.1, "sampler.json");
  give_samples(sampler, 43);
  MergeOptions options;
  options.samples = &sampler;
  const auto streamed4 = merge_both_ways(four, options);
  EXPECT_EQ(streamed4.streamed, streamed4.whole);
  EXPECT_EQ(streamed4.asked.size(), 4u);

  // Bench shards.
  const auto bench = merge_both_ways({bench_shard("2/2", "b.json", 7), bench_shard("1/2", "a.json", 5)});
  EXPECT_EQ(bench.streamed, bench.whole);
}

// An input whose workloads cannot be had fails the merge with its Error.
TEST(MergeShards, StreamingFoldStopsAtAnInputThatFails) {
  auto a = shard("1/2", 1000.0, "a.json");
  auto b = shard("2/2", 1000.0, "b.json");
  MergeOptions options;
  options.bodies = [](const MergeInput& h) -> Result<MergeBody> {
    if (h.source == "b.json") return Error("changed while it was being merged", h.source);
    return MergeBody{};
  };
  EXPECT_EQ(refusal({a, b}, options), "b.json: changed while it was being merged");
}

}  // namespace
}  // namespace h2soak::run
