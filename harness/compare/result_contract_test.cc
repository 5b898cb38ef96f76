// The contract between harness/result's writer and compare's reader: a
// RunResult serialized by result::to_json must come out of
// run_metrics_from_json with every field compare uses. If the result schema
// changes, this test fails and result_adapter.cc is what to fix.

#include <gtest/gtest.h>

#include "harness/compare/result_adapter.h"
#include "harness/compare/test_support.h"
#include "harness/result/result_json.h"
#include "harness/result/run_result.h"

namespace h2soak::compare {
namespace {

result::RunResult sample() {
  result::RunResult r;
  auto& m = r.metadata;
  m.h2soak_version = "0.1.0";
  m.git_revision = "abc1234";
  m.host = "ci-host";
  m.kernel = "Linux 6.1.0 x86_64";
  m.cpu_count = 2;
  m.cpu_model = "Test CPU @ 3GHz";
  m.scenario_name = "mixed";
  m.scenario_hash = "sha256:0123";
  m.start_unix = 1795000000.5;
  r.status.state = result::RunState::kCompleted;

  result::AnalysisMetric slope;
  slope.value = 1234.5;
  slope.unit = "bytes/s";
  slope.direction = result::Direction::kLowerIsBetter;
  slope.ci_low = 1000;
  slope.ci_high = 1500;
  slope.leak = true;
  r.analysis["rss.slope"] = slope;

  result::AnalysisMetric rps;
  rps.value = 950;
  rps.unit = "req/s";
  rps.direction = result::Direction::kHigherIsBetter;
  r.analysis["rps"] = rps;

  result::AnalysisMetric requests;
  requests.value = 5000;
  requests.unit = "count";
  requests.direction = result::Direction::kNone;
  r.analysis["requests"] = requests;

  r.thresholds = testing::gates({"errors == 0"});
  return r;
}

TEST(ResultContract, WriterOutputReadsBackIntoRunMetrics) {
  auto rm = run_metrics_from_json(result::to_json(sample()), "r.json");
  ASSERT_TRUE(rm.ok()) << rm.error().message();
  EXPECT_EQ(rm->scenario, "mixed");
  EXPECT_EQ(rm->scenario_hash, "sha256:0123");
  EXPECT_EQ(rm->machine.hostname, "ci-host");
  EXPECT_EQ(rm->machine.cpu_model, "Test CPU @ 3GHz");
  EXPECT_EQ(rm->machine.cores, 2);
  EXPECT_EQ(rm->machine.kernel, "Linux 6.1.0 x86_64");
  EXPECT_EQ(rm->h2soak_version, "0.1.0");
  EXPECT_EQ(rm->git_revision, "abc1234");
  EXPECT_FALSE(rm->started_at.empty());
  EXPECT_TRUE(rm->incomplete_reason.empty());
  EXPECT_EQ(testing::texts(rm->thresholds), std::vector<std::string>{"errors == 0"});

  const auto& slope = rm->metrics.at("rss.slope");
  EXPECT_DOUBLE_EQ(slope.value, 1234.5);
  EXPECT_EQ(slope.unit, "bytes/s");
  ASSERT_TRUE(slope.ci);
  EXPECT_EQ(*slope.ci, (Interval{1000, 1500}));
  EXPECT_EQ(slope.direction, Direction::kLowerIsBetter);
  EXPECT_EQ(slope.kind, MetricKind::kLeak);

  const auto& rps = rm->metrics.at("rps");
  EXPECT_EQ(rps.direction, Direction::kHigherIsBetter);
  EXPECT_FALSE(rps.ci);
  EXPECT_EQ(rps.kind, MetricKind::kValue);
  EXPECT_TRUE(rm->metrics.at("requests").informational);
}

TEST(ResultContract, PartialRunIsMarkedIncomplete) {
  auto r = sample();
  r.status.state = result::RunState::kTargetDied;
  r.status.reason = "target exited with signal 9";
  auto rm = run_metrics_from_json(result::to_json(r), "r.json");
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(rm->incomplete_reason, "target_died: target exited with signal 9");
}

}  // namespace
}  // namespace h2soak::compare
