#include "harness/compare/baseline.h"

#include <gtest/gtest.h>

#include "harness/compare/test_support.h"

namespace h2soak::compare {
namespace {

using testing::make_run;

std::vector<RunMetrics> three_runs() {
  std::vector<RunMetrics> runs;
  const double rss[] = {100, 120, 90};
  for (int i = 0; i < 3; ++i) {
    auto r = make_run("many_tabs", "r" + std::to_string(i) + ".json",
                      {{"rss.peak", {rss[i], "bytes"}}, {"throughput.rps", {1000.0 + i, "req/s"}}});
    r.metrics["rss.slope_steady"] = MetricValue{10.0 * i, "bytes/s", Interval{-5.0 + i, 5.0 + i}, std::nullopt};
    runs.push_back(std::move(r));
  }
  runs.push_back(make_run("sse", "s0.json", {{"threads.peak", {8, "count"}}}, "sha256:cccc"));
  return runs;
}

TEST(BuildBaseline, MedianSpreadAndRawValues) {
  BuildOptions opts;
  opts.h2soak_version = "0.1.0";
  opts.created_at = "2026-11-22T23:00:00Z";
  auto b = build_baseline(three_runs(), opts);
  ASSERT_TRUE(b.ok()) << b.error().message();
  ASSERT_EQ(b->scenarios.size(), 2u);
  EXPECT_EQ(b->scenarios[0].name, "many_tabs");  // sorted
  EXPECT_EQ(b->runs, 1u);                        // the sse scenario has one run
  const auto& rss = b->find("many_tabs")->metrics.at("rss.peak");
  EXPECT_DOUBLE_EQ(rss.reference, 100);
  EXPECT_DOUBLE_EQ(rss.min, 90);
  EXPECT_DOUBLE_EQ(rss.max, 120);
  EXPECT_DOUBLE_EQ(rss.mad, 10);
  EXPECT_DOUBLE_EQ(rss.spread(), 20);
  EXPECT_EQ(rss.values, (std::vector<double>{100, 120, 90}));
  EXPECT_EQ(rss.unit, "bytes");
  EXPECT_EQ(b->find("many_tabs")->metrics.at("throughput.rps").rule.direction, Direction::kHigherIsBetter);
  const auto& slope = b->find("many_tabs")->metrics.at("rss.slope_steady");
  EXPECT_EQ(slope.rule.kind, MetricKind::kLeak);
  ASSERT_EQ(slope.cis.size(), 3u);
  EXPECT_EQ(slope.cis[1], (Interval{-4, 6}));
  EXPECT_EQ(b->machine, testing::test_machine());
  EXPECT_EQ(b->sources.size(), 4u);
}

TEST(BuildBaseline, DirectionFromTheResultWinsOverTheName) {
  auto r = make_run("s", "r.json", {});
  r.metrics["cache.hit_ratio"] = MetricValue{0.9, "ratio", std::nullopt, Direction::kHigherIsBetter};
  auto b = build_baseline({r}, {});
  EXPECT_EQ(b->scenarios[0].metrics.at("cache.hit_ratio").rule.direction, Direction::kHigherIsBetter);
}

TEST(BuildBaseline, RejectsMixedHashesAndMachines) {
  auto runs = three_runs();
  runs[1].scenario_hash = "sha256:other";
  auto b = build_baseline(runs, {});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().where(), "r1.json");
  EXPECT_NE(b.error().what().find("sha256:other"), std::string::npos);

  runs = three_runs();
  runs[2].machine.hostname = "elsewhere";
  b = build_baseline(runs, {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what().find("elsewhere"), std::string::npos);

  EXPECT_FALSE(build_baseline({}, {}).ok());
}

TEST(BaselineJson, RoundTrip) {
  BuildOptions opts;
  opts.h2soak_version = "0.1.0";
  opts.git_revision = "abc123";
  RulePatch p;
  p.pattern = "rss.peak";
  p.relative_tolerance = 0.05;
  opts.patches = {p};
  auto b = build_baseline(three_runs(), opts);
  ASSERT_TRUE(b.ok());
  auto json = baseline_to_json(*b);
  EXPECT_EQ(json["schema"], kBaselineSchema);
  auto back = baseline_from_json(json, "x.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(baseline_to_json(*back), json);
  EXPECT_DOUBLE_EQ(back->find("many_tabs")->metrics.at("rss.peak").rule.relative_tolerance, 0.05);
  EXPECT_EQ(back->git_revision, "abc123");
  EXPECT_EQ(back->machine, b->machine);
}

nlohmann::json valid_json() { return baseline_to_json(*build_baseline(three_runs(), {})); }

TEST(BaselineJson, OtherSchemaVersionIsAClearError) {
  auto j = valid_json();
  j["schema"] = "h2soak.baseline/v2";
  auto b = baseline_from_json(j, "ci/baselines/x.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().where(), "ci/baselines/x.json");
  EXPECT_NE(b.error().what().find("h2soak.baseline/v2"), std::string::npos);
  EXPECT_NE(b.error().what().find("h2soak.baseline/v1"), std::string::npos);
}

TEST(BaselineJson, ResultFileIsNamedAsSuch) {
  auto b = baseline_from_json({{"schema", "h2soak.result/v1"}}, "r.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what().find("result file"), std::string::npos);
  EXPECT_FALSE(baseline_from_json(nlohmann::json::array(), "a.json").ok());
  EXPECT_FALSE(baseline_from_json({{"x", 1}}, "a.json").ok());
}

TEST(BaselineJson, BadFieldNamesItsJsonPointer) {
  auto j = valid_json();
  j["scenarios"]["many_tabs"]["metrics"]["rss.peak"]["reference"] = "big";
  auto b = baseline_from_json(j, "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message(),
            "b.json: /scenarios/many_tabs/metrics/rss.peak/reference: expected a number, got string");

  j = valid_json();
  j["scenarios"]["sse"].erase("hash");
  b = baseline_from_json(j, "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().what(), "/scenarios/sse: missing field \"hash\"");

  j = valid_json();
  j["scenarios"]["many_tabs"]["metrics"]["rss.peak"]["values"][1] = nullptr;
  b = baseline_from_json(j, "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().what(), "/scenarios/many_tabs/metrics/rss.peak/values/1: expected a number, got null");

  j = valid_json();
  j["scenarios"]["many_tabs"]["metrics"]["rss.peak"]["direction"] = "sideways";
  b = baseline_from_json(j, "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what().find("/direction"), std::string::npos);
}

// A count out of an int's range was converted anyway, which is undefined
// (UBSan in fuzz/baseline_fuzz; inputs in fuzz/regressions/).
TEST(BaselineJson, CountsMustBeWholeNumbersInRange) {
  auto j = valid_json();
  j["machine"]["cores"] = 1e30;
  auto b = baseline_from_json(j, "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().what(), "/machine/cores: expected a whole number from 0 to 2147483647, got 1e+30");

  j = valid_json();
  j["runs"] = -1;
  EXPECT_EQ(baseline_from_json(j, "b.json").error().what(),
            "/runs: expected a whole number from 0 to 2147483647, got -1");
  j["runs"] = 2.5;
  EXPECT_FALSE(baseline_from_json(j, "b.json").ok());
  j["runs"] = 3.0;
  ASSERT_TRUE(baseline_from_json(j, "b.json").ok());
  EXPECT_EQ(baseline_from_json(j, "b.json")->runs, 3u);
}

}  // namespace
}  // namespace h2soak::compare
