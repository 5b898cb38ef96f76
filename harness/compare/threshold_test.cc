#include "harness/compare/threshold.h"

#include <gtest/gtest.h>

#include "harness/compare/test_support.h"

namespace h2soak::compare {
namespace {

using testing::make_run;

TEST(Threshold, ParsesOperatorsAndUnits) {
  auto t = parse_threshold("latency.p99 < 250ms");
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->metric, "latency.p99");
  EXPECT_EQ(t->op, ThresholdOp::kLess);
  EXPECT_EQ(t->dimension, Threshold::Dimension::kTime);
  EXPECT_DOUBLE_EQ(t->value, 250e6);

  t = parse_threshold("errors==0");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->metric, "errors");
  EXPECT_EQ(t->op, ThresholdOp::kEqual);
  EXPECT_EQ(t->dimension, Threshold::Dimension::kPlain);

  t = parse_threshold("rss.peak <= 256MiB");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->op, ThresholdOp::kLessEqual);
  EXPECT_EQ(t->dimension, Threshold::Dimension::kSize);
  EXPECT_DOUBLE_EQ(t->value, 256.0 * 1024 * 1024);

  EXPECT_EQ(parse_threshold("x >= -1.5")->value, -1.5);
  EXPECT_EQ(parse_threshold("x != 3")->op, ThresholdOp::kNotEqual);
  EXPECT_EQ(parse_threshold("x > 3")->op, ThresholdOp::kGreater);
}

TEST(Threshold, RejectsBadExpressions) {
  EXPECT_FALSE(parse_threshold("latency.p99").ok());
  EXPECT_FALSE(parse_threshold("< 3").ok());
  EXPECT_FALSE(parse_threshold("x <").ok());
  EXPECT_FALSE(parse_threshold("x < abc").ok());
  EXPECT_FALSE(parse_threshold("x < 3 parsecs").ok());
  EXPECT_FALSE(parse_threshold("x =< 3").ok());
}

TEST(Threshold, ConvertsIntoTheMetricsUnit) {
  auto t = *parse_threshold("latency.p99 < 250ms");
  EXPECT_DOUBLE_EQ(*threshold_value_in(t, "us"), 250000);
  EXPECT_DOUBLE_EQ(*threshold_value_in(t, "ms"), 250);
  EXPECT_FALSE(threshold_value_in(t, "bytes").ok());
  auto s = *parse_threshold("rss.peak < 1KiB");
  EXPECT_DOUBLE_EQ(*threshold_value_in(s, "bytes"), 1024);
  EXPECT_FALSE(threshold_value_in(s, "ms").ok());
}

TEST(Threshold, EvaluatesEveryRunAndReportsTheWorst) {
  auto a = make_run("s", "a.json", {{"latency.p99", {100000, "us"}}, {"errors", {0, "count"}}});
  auto b = make_run("s", "b.json", {{"latency.p99", {300000, "us"}}, {"errors", {0, "count"}}});
  auto t = *parse_threshold("latency.p99 < 250ms");
  auto v = evaluate_threshold(t, "s", {&a, &b});
  EXPECT_FALSE(v.passed);
  EXPECT_DOUBLE_EQ(*v.observed, 300000);
  EXPECT_DOUBLE_EQ(*v.limit, 250000);
  EXPECT_EQ(v.detail, "latency.p99 = 300 ms in b.json, not < 250 ms");

  auto ok = evaluate_threshold(*parse_threshold("errors == 0"), "s", {&a, &b});
  EXPECT_TRUE(ok.passed);

  auto missing = evaluate_threshold(*parse_threshold("nope < 1"), "s", {&a});
  EXPECT_FALSE(missing.passed);
  EXPECT_NE(missing.detail.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace h2soak::compare
