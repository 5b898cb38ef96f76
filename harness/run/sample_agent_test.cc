#include "harness/run/sample_agent.h"

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/result/result_json.h"
#include "harness/run/batch.h"
#include "harness/run/merge.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

const std::string kScenario = std::string(H2SOAK_SOURCE_DIR) + "/scenarios/test/many_tabs.yaml";

scenario::Plan many_tabs() {
  auto loaded = load_plans(kScenario, {});
  EXPECT_TRUE(loaded.ok()) << loaded.error().message();
  return loaded ? loaded->plans.at(0) : scenario::Plan{};
}

// What the agent's sampler would have recorded over many_tabs (1 s warmup,
// 5 s steady, 2 s cooldown): a sample every 0.5 s from before time zero to
// the tail, and the phase marks.
sampler::SampleSeries sampled(int pid) {
  sampler::SampleSeries s;
  s.pid = pid;
  for (int i = -1; i <= 17; ++i) {
    sampler::Sample x;
    x.t = i * 0.5;
    x.rss = 1'000'000 + static_cast<std::uint64_t>(i + 1) * 1000;
    x.threads = 3;
    s.samples.push_back(x);
  }
  s.phases = {{"warmup", 0, 1}, {"steady", 1, 6}, {"cooldown", 6, 8}};
  return s;
}

SampleAgentOptions agent_options() {
  SampleAgentOptions o;
  o.version = "0.0.0-test";
  o.git_revision = "abc";
  o.command_line = {"h2soak", "sample", "--pid", "42", kScenario, "--out", "s.json"};
  return o;
}

TEST(SampleWindow, TheRunnersLeadThePlanAndTheLoadsDrain) {
  const scenario::Plan plan = many_tabs();
  const SampleWindow w = sample_window(plan);
  EXPECT_EQ(w.lead, std::chrono::milliseconds(620));  // 6 × 100 ms + 20 ms
  EXPECT_EQ(w.end, std::chrono::seconds(8));          // cooldown included
  EXPECT_EQ(w.stop, std::chrono::milliseconds(8500));
}

TEST(SamplerResult, MetadataOfTheScenarioAndTheSamplerRole) {
  const scenario::Plan plan = many_tabs();
  const result::RunResult r = sampler_result(plan, agent_options());
  EXPECT_EQ(r.metadata.scenario_name, "test_many_tabs");
  EXPECT_EQ(r.metadata.scenario_hash, plan.scenario_hash);
  EXPECT_FALSE(r.metadata.scenario_hash.empty());
  EXPECT_EQ(r.metadata.scenario_path, plan.source_file);
  EXPECT_DOUBLE_EQ(r.metadata.duration, 8.0);
  EXPECT_EQ(r.metadata.extra.at("role"), "sampler");
  EXPECT_EQ(r.metadata.extra.count("shard"), 0u);
  EXPECT_EQ(r.metadata.h2soak_version, "0.0.0-test");
  EXPECT_EQ(r.metadata.command_line.at(1), "sample");
  EXPECT_TRUE(r.workloads.empty());
  EXPECT_EQ(r.status.state, result::RunState::kCompleted);
}

TEST(SamplerResult, PhasesAndSamplesFromTheSeriesNoWorkloads) {
  result::RunResult r = sampler_result(many_tabs(), agent_options());
  finish_sampler_result(r, sampled(4242), result::RunState::kCompleted, "");
  ASSERT_TRUE(r.target.samples.has_value());
  EXPECT_EQ(r.target.samples->pid, 4242);
  EXPECT_EQ(r.target.samples->samples.size(), 19u);
  ASSERT_EQ(r.phases.size(), 3u);
  EXPECT_EQ(r.phases[1].name, "steady");
  EXPECT_DOUBLE_EQ(r.phases[1].start, 1.0);
  EXPECT_DOUBLE_EQ(r.phases[2].end, 8.0);
  EXPECT_TRUE(r.workloads.empty());
  EXPECT_TRUE(r.analysis.empty());
  EXPECT_FALSE(r.generator.has_value());
}

TEST(SamplerResult, InterruptedBeforeSamplingHasNoSamples) {
  result::RunResult r = sampler_result(many_tabs(), agent_options());
  finish_sampler_result(r, std::nullopt, result::RunState::kAborted, "interrupted before sampling started");
  EXPECT_FALSE(r.target.samples.has_value());
  EXPECT_TRUE(r.phases.empty());
  EXPECT_EQ(r.status.state, result::RunState::kAborted);
  EXPECT_EQ(r.status.reason, "interrupted before sampling started");
}

// The file as written and read back: schema v1, the role, no workloads.
TEST(SamplerResult, RoundTripsThroughTheResultFile) {
  const fs::path dir = fs::temp_directory_path() / ("h2soak-sample-agent-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "s.json").string();
  result::RunResult r = sampler_result(many_tabs(), agent_options());
  r.metadata.start_unix = 1'718'000'002.0;
  r.target.mode = "pid";
  r.target.pid = 4242;
  finish_sampler_result(r, sampled(4242), result::RunState::kCompleted, "");
  ASSERT_TRUE(result::write_result(r, file).ok());
  auto back = result::read_result(file);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->metadata.extra.at("role"), "sampler");
  EXPECT_DOUBLE_EQ(back->metadata.start_unix, 1'718'000'002.0);
  EXPECT_TRUE(back->workloads.empty());
  ASSERT_TRUE(back->target.samples.has_value());
  EXPECT_EQ(back->target.samples->samples.size(), 19u);
  EXPECT_EQ(back->phases.size(), 3u);
  fs::remove_all(dir);
}

// A shard's result as `run --shard` writes it (one bench workload).
MergeInput shard(const scenario::Plan& plan, const std::string& tag, double start_unix, const std::string& source) {
  MergeInput in;
  in.source = source;
  in.result.metadata.scenario_name = plan.scenario_name;
  in.result.metadata.scenario_hash = plan.scenario_hash;
  in.result.metadata.start_unix = start_unix;
  in.result.metadata.duration = 8;
  in.result.metadata.extra["shard"] = tag;
  in.result.phases = {{"warmup", 0, 1}, {"steady", 1, 6}, {"cooldown", 6, 8}};
  result::WorkloadResult w;
  w.name = "tabs";
  w.kind = "tabs";
  w.phases.push_back({"steady", {}});
  w.phases[0].metrics.counters.requests_done = 10;
  in.result.workloads.push_back(std::move(w));
  return in;
}

// What `merge --samples s.json` needs of the agent's result: the same
// scenario, samples, a start within the clock skew; its samples, phases and
// target are the merged result's.
TEST(SamplerResult, MergeTakesTheTargetsSamplesFromIt) {
  const scenario::Plan plan = many_tabs();
  MergeInput agent;
  agent.source = "s.json";
  agent.result = sampler_result(plan, agent_options());
  agent.result.metadata.start_unix = 1'718'000'002.0;
  agent.result.target.mode = "pid";
  agent.result.target.pid = 4242;
  finish_sampler_result(agent.result, sampled(4242), result::RunState::kCompleted, "");

  const auto a = shard(plan, "1/2", 1'718'000'002.01, "a.json");
  const auto b = shard(plan, "2/2", 1'718'000'001.99, "b.json");
  MergeOptions options;
  options.samples = &agent;
  auto merged = merge_shards({a, b}, options);
  ASSERT_TRUE(merged.ok()) << merged.error().message();
  ASSERT_TRUE(merged->target.samples.has_value());
  EXPECT_EQ(merged->target.samples->pid, 4242);
  EXPECT_EQ(merged->target.samples->samples.size(), 19u);
  EXPECT_EQ(merged->target.mode, "pid");
  EXPECT_DOUBLE_EQ(merged->metadata.start_unix, 1'718'000'002.0);
  EXPECT_EQ(merged->metadata.extra.count("role"), 0u);  // shard 1's metadata
  EXPECT_NE(merged->metadata.extra.at("merged_sources").find("; samples: s.json"), std::string::npos)
      << merged->metadata.extra.at("merged_sources");
  ASSERT_EQ(merged->workloads.size(), 1u);
  EXPECT_EQ(merged->workloads[0].phases[0].metrics.counters.requests_done, 20u);
  EXPECT_EQ(merged->status.state, result::RunState::kCompleted);

  // Given as a shard instead, it is refused with a hint.
  auto wrong = merge_shards({a, b, agent});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("s.json: a sampler agent's result"), std::string::npos)
      << wrong.error().message();
  EXPECT_NE(wrong.error().message().find("pass it with --samples"), std::string::npos);

  // An agent interrupted early: merged, but partial.
  finish_sampler_result(agent.result, sampled(4242), result::RunState::kAborted, "interrupted at t = 3.0 s");
  auto partial = merge_shards({a, b}, options);
  ASSERT_TRUE(partial.ok()) << partial.error().message();
  EXPECT_EQ(partial->status.state, result::RunState::kAborted);
  EXPECT_NE(partial->status.reason.find("s.json (samples): interrupted"), std::string::npos) << partial->status.reason;
}

}  // namespace
}  // namespace h2soak::run
