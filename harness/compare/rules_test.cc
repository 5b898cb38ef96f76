#include "harness/compare/rules.h"

#include <gtest/gtest.h>

namespace h2soak::compare {
namespace {

TEST(Glob, Wildcards) {
  EXPECT_TRUE(glob_match("latency.*", "latency.p99"));
  EXPECT_TRUE(glob_match("*.residual", "threads.residual"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("rss.peak", "rss.peak"));
  EXPECT_FALSE(glob_match("rss.peak", "rss.peak2"));
  EXPECT_FALSE(glob_match("latency.*", "rss.peak"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
}

TEST(DefaultRule, MemoryHasTwoMiBFloorAndLowerIsBetter) {
  Rule r = default_rule("rss.peak", "bytes");
  EXPECT_EQ(r.direction, Direction::kLowerIsBetter);
  EXPECT_EQ(r.kind, MetricKind::kValue);
  EXPECT_DOUBLE_EQ(r.absolute_floor, 2.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(r.relative_tolerance, 0.10);
}

TEST(DefaultRule, CountResidualsHaveAFloorOfTwoOtherCountsNone) {
  // One thread or fd of scheduling jitter after cooldown is not a leak; a leak that
  // matters leaves many more.
  EXPECT_DOUBLE_EQ(default_rule("threads.residual", "count").absolute_floor, 2);
  EXPECT_EQ(default_rule("threads.residual", "count").kind, MetricKind::kLeak);
  EXPECT_DOUBLE_EQ(default_rule("fds.peak", "count").absolute_floor, 0);
  EXPECT_EQ(default_rule("errors.total", "count").direction, Direction::kLowerIsBetter);
}

TEST(DefaultRule, LatencyFloorIsOneMillisecondInTheMetricsUnit) {
  EXPECT_DOUBLE_EQ(default_rule("latency.p50", "us").absolute_floor, 1000);
  EXPECT_DOUBLE_EQ(default_rule("latency.p50", "ms").absolute_floor, 1);
  EXPECT_DOUBLE_EQ(default_rule("latency.p99", "us").relative_tolerance, 0.25);
}

TEST(DefaultRule, ThroughputIsHigherIsBetterAndSlopesAreLeaks) {
  EXPECT_EQ(default_rule("throughput.rps", "req/s").direction, Direction::kHigherIsBetter);
  Rule slope = default_rule("rss.slope_steady", "bytes/s");
  EXPECT_EQ(slope.kind, MetricKind::kLeak);
  EXPECT_EQ(slope.direction, Direction::kLowerIsBetter);
  EXPECT_DOUBLE_EQ(slope.absolute_floor, 16 * 1024);
  EXPECT_EQ(default_rule("rss.retained_per_1k", "bytes/1000req").kind, MetricKind::kLeak);
  EXPECT_DOUBLE_EQ(default_rule("rss.retained_per_1k", "bytes/1000req").absolute_floor, 64 * 1024);
}

TEST(DefaultRule, AnalysisMetricNames) {
  // The names harness/analysis/analysis.h produces.
  EXPECT_EQ(default_rule("rss.slope", "bytes/s").kind, MetricKind::kLeak);
  EXPECT_DOUBLE_EQ(default_rule("rss.retained_per_1k_requests", "bytes").absolute_floor, 64 * 1024);
  EXPECT_EQ(default_rule("rss.residual", "bytes").kind, MetricKind::kLeak);
  EXPECT_DOUBLE_EQ(default_rule("rss.residual", "bytes").absolute_floor, 2.0 * 1024 * 1024);
  Rule threads = default_rule("threads.slope", "count/s");
  EXPECT_EQ(threads.direction, Direction::kLowerIsBetter);
  EXPECT_EQ(threads.kind, MetricKind::kLeak);
  EXPECT_DOUBLE_EQ(threads.absolute_floor, 0.05);
  EXPECT_DOUBLE_EQ(default_rule("fds.residual", "count").absolute_floor, 2);
  EXPECT_DOUBLE_EQ(default_rule("cpu.us_per_request", "us").absolute_floor, 2);
  EXPECT_EQ(default_rule("cpu.us_per_request", "us").direction, Direction::kLowerIsBetter);
  EXPECT_EQ(default_rule("gauge.go_goroutines.slope", "/s").kind, MetricKind::kLeak);
  EXPECT_EQ(default_rule("gauge.go_goroutines.slope", "/s").direction, Direction::kLowerIsBetter);
}

TEST(DefaultRule, EfficiencyMetricsWarnResourceMetricsFail) {
  // CPU, time and throughput move with the machine's load: they warn. Leaks, peaks and
  // errors are properties of the target: they fail.
  for (auto [metric, unit] : {std::pair{"cpu.us_per_request", "us"}, {"latency.p99", "ms"},
                              {"throughput.rps", "req/s"}}) {
    EXPECT_EQ(default_rule(metric, unit).gate, Gate::kWarn) << metric;
  }
  for (auto [metric, unit] : {std::pair{"rss.slope", "bytes/s"}, {"threads.residual", "count"},
                              {"fds.peak", "count"}, {"errors.total", "count"}, {"rss.peak", "bytes"}}) {
    EXPECT_EQ(default_rule(metric, unit).gate, Gate::kFail) << metric;
  }
}

TEST(DefaultRule, CapacityIsHigherIsBetterAndFailsBeyondTwentyFivePercent) {
  // What a capacity run is for: unlike throughput, a drop fails the job.
  const Rule r = default_rule("capacity", "req/s");
  EXPECT_EQ(r.direction, Direction::kHigherIsBetter);
  EXPECT_EQ(r.gate, Gate::kFail);
  EXPECT_EQ(r.kind, MetricKind::kValue);
  EXPECT_DOUBLE_EQ(r.relative_tolerance, 0.25);
  // Only that metric: a workload's rps in a capacity-like name still warns.
  EXPECT_EQ(default_rule("capacity.rps", "req/s").gate, Gate::kWarn);
}

TEST(Patches, ApplyInOrderLastWins) {
  std::vector<RulePatch> patches(2);
  patches[0].pattern = "latency.*";
  patches[0].relative_tolerance = 0.5;
  patches[0].absolute_floor = 7;
  patches[1].pattern = "latency.p99";
  patches[1].relative_tolerance = 0.3;
  Rule r = apply_patches(default_rule("latency.p99", "ms"), "latency.p99", patches);
  EXPECT_DOUBLE_EQ(r.relative_tolerance, 0.3);
  EXPECT_DOUBLE_EQ(r.absolute_floor, 7);
  Rule other = apply_patches(default_rule("rss.peak", "bytes"), "rss.peak", patches);
  EXPECT_DOUBLE_EQ(other.relative_tolerance, 0.10);
}

TEST(Names, RoundTrip) {
  EXPECT_EQ(*parse_direction(direction_name(Direction::kHigherIsBetter)), Direction::kHigherIsBetter);
  EXPECT_EQ(*parse_kind(kind_name(MetricKind::kLeak)), MetricKind::kLeak);
  EXPECT_FALSE(parse_direction("up").ok());
}

}  // namespace
}  // namespace h2soak::compare
