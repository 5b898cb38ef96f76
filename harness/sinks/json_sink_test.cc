#include "harness/sinks/json_sink.h"

#include <gtest/gtest.h>

#include "harness/sinks/test_verdict.h"

namespace h2soak::sinks {
namespace {

TEST(JsonSink, ParsesBackWithEveryRow) {
  auto j = nlohmann::json::parse(render_json(testing::sample_verdict()));
  EXPECT_EQ(j["schema"], kVerdictSchema);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["baseline"]["source"], "ci/baselines/base.json");
  ASSERT_EQ(j["metrics"].size(), 7u);
  const nlohmann::json* rss = nullptr;
  for (const auto& m : j["metrics"]) {
    if (m["metric"] == "rss.residual") rss = &m;
  }
  ASSERT_NE(rss, nullptr);
  EXPECT_EQ((*rss)["status"], "REGRESSION");
  EXPECT_EQ((*rss)["method"], "interval");
  EXPECT_DOUBLE_EQ((*rss)["change_pct"].get<double>(), 50.0);
  EXPECT_TRUE((*rss)["p_value"].is_null());
  EXPECT_EQ((*rss)["rule"]["direction"], "lower");
  ASSERT_EQ(j["thresholds"].size(), 2u);
  EXPECT_EQ(j["thresholds"][0]["passed"], false);
  EXPECT_FALSE(j["notes"].empty());
}

}  // namespace
}  // namespace h2soak::sinks
