#include "harness/compare/result_adapter.h"

#include <gtest/gtest.h>

#include "harness/compare/test_support.h"
#include "harness/compare/threshold.h"

namespace h2soak::compare {
namespace {

nlohmann::json sample_result() {
  return nlohmann::json::parse(R"({
    "schema": "h2soak.result/v1",
    "metadata": {"h2soak_version": "0.1.0", "git_revision": "abc", "host": "ci-host",
                 "kernel": "Linux 6.1.0", "cpu_count": 2, "scenario_name": "mixed",
                 "scenario_hash": "sha256:aaaa", "start_unix": 1795000000,
                 "extra": {"cpu_model": "Test CPU"}},
    "status": {"state": "completed", "reason": ""},
    "analysis": {
      "rss.slope_steady": {"value": 120.5, "unit": "bytes/s", "direction": "lower",
                           "ci_low": -50.0, "ci_high": 300.0},
      "throughput.rps": {"value": 950, "unit": "req/s", "direction": "higher"},
      "requests": {"value": 5000, "unit": "count", "direction": "none", "ci_low": null, "ci_high": null},
      "fds.slope": {"value": 0.5, "unit": "count/s", "direction": "lower", "ci_low": 0.2, "ci_high": 0.9, "leak": true},
      "sse.gap_p99": {"value": null, "unit": "ms"}
    },
    "thresholds": ["errors == 0"]
  })");
}

TEST(ResultAdapter, ExtractsScenarioMachineAndMetrics) {
  auto r = run_metrics_from_json(sample_result(), "r.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source, "r.json");
  EXPECT_EQ(r->scenario, "mixed");
  EXPECT_EQ(r->scenario_hash, "sha256:aaaa");
  EXPECT_EQ(r->machine.hostname, "ci-host");
  EXPECT_EQ(r->machine.cores, 2);
  EXPECT_EQ(r->machine.cpu_model, "Test CPU");
  EXPECT_TRUE(r->incomplete_reason.empty());
  ASSERT_EQ(r->metrics.size(), 4u);  // the null value is skipped
  EXPECT_TRUE(r->metrics.at("requests").informational);
  EXPECT_FALSE(r->metrics.at("requests").ci);
  EXPECT_FALSE(r->metrics.at("throughput.rps").informational);
  EXPECT_EQ(r->metrics.at("fds.slope").kind, MetricKind::kLeak);
  const auto& slope = r->metrics.at("rss.slope_steady");
  EXPECT_DOUBLE_EQ(slope.value, 120.5);
  EXPECT_EQ(slope.unit, "bytes/s");
  ASSERT_TRUE(slope.ci);
  EXPECT_EQ(*slope.ci, (Interval{-50, 300}));
  EXPECT_EQ(r->metrics.at("throughput.rps").direction, Direction::kHigherIsBetter);
  EXPECT_EQ(testing::texts(r->thresholds), std::vector<std::string>{"errors == 0"});
}

// Out-of-range numbers were converted to int and time_t anyway, which is
// undefined (UBSan in fuzz/result_json_fuzz; inputs in fuzz/regressions/).
TEST(ResultAdapter, OutOfRangeCoresAndStartTimeAreUnknown) {
  auto j = sample_result();
  j["metadata"]["cpu_count"] = 1e30;
  j["metadata"]["start_unix"] = 1e300;
  auto r = run_metrics_from_json(j, "r.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->machine.cores, 0);
  EXPECT_EQ(r->started_at, "");
  j["metadata"]["start_unix"] = 1795000000;
  EXPECT_EQ(run_metrics_from_json(j, "r.json")->started_at, "2026-11-18T11:06:40Z");
}

TEST(ResultAdapter, IncompleteRunIsMarked) {
  auto j = sample_result();
  j["status"] = {{"state", "target_died"}, {"reason", "exit 137"}};
  auto r = run_metrics_from_json(j, "r.json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->incomplete_reason, "target_died: exit 137");
}

TEST(ResultAdapter, ClearErrors) {
  auto b = run_metrics_from_json({{"schema", "h2soak.baseline/v1"}}, "base.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what().find("baseline"), std::string::npos);
  EXPECT_EQ(b.error().where(), "base.json");
  auto j = sample_result();
  j["metadata"].erase("scenario_name");
  EXPECT_FALSE(run_metrics_from_json(j, "r.json").ok());
  testing::ScratchDir dir;
  testing::spit(dir.file("bad.json"), "{nope");
  auto bad = load_run_metrics(dir.file("bad.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().what().find("not valid JSON"), std::string::npos);
}

// A result written before `parsed_thresholds` (harness/result/testdata/: a
// real run of h2soak at b03d16d) keeps its gates: read from their texts with
// the scenario grammar, rewritten ones included, and evaluated as before.
TEST(ResultAdapter, GatesOfAnOldResultStillHold) {
  auto r = load_run_metrics(std::string(H2SOAK_SOURCE_DIR) + "/harness/result/testdata/old_text_thresholds.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->thresholds.size(), 8u);
  for (const auto& t : r->thresholds) {
    const auto v = evaluate_threshold(t, r->scenario, {&*r});
    EXPECT_TRUE(v.passed) << t.text << ": " << v.detail;
  }
}

}  // namespace
}  // namespace h2soak::compare
