#include "harness/run/thresholds.h"

#include <gtest/gtest.h>

#include "harness/scenario/loader.h"

namespace h2soak::run {
namespace {

std::map<std::string, result::AnalysisMetric> metrics() {
  std::map<std::string, result::AnalysisMetric> m;
  m["latency.p99"] = {2500, "us"};
  m["rps"] = {120, "req/s"};
  m["errors"] = {0, "count"};
  m["rss.slope"] = {20000, "bytes/s"};
  m["cpu.us_per_request"] = {40, "us"};
  m["error_rate"] = {0.02, "fraction"};
  return m;
}

scenario::Threshold parse(const std::string& text) {
  auto t = scenario::parse_threshold(text);
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}

TEST(RunThresholds, UnitsConvertIntoTheMetricsUnit) {
  const auto m = metrics();
  EXPECT_TRUE(evaluate(parse("latency.p99 < 250ms"), "s", m).passed);
  EXPECT_FALSE(evaluate(parse("latency.p99 < 2ms"), "s", m).passed);
  EXPECT_TRUE(evaluate(parse("rps > 100/s"), "s", m).passed);
  EXPECT_TRUE(evaluate(parse("errors == 0"), "s", m).passed);
  EXPECT_FALSE(evaluate(parse("rss.slope < 10KiB/s"), "s", m).passed);
  EXPECT_TRUE(evaluate(parse("error_rate < 5%"), "s", m).passed);
  EXPECT_TRUE(evaluate(parse("cpu.per_request < 50us"), "s", m).passed);  // alias
}

TEST(RunThresholds, MissingMetricOrWrongUnitFails) {
  const auto m = metrics();
  auto v = evaluate(parse("threads.residual == 0"), "s", m);
  EXPECT_FALSE(v.passed);
  EXPECT_NE(v.detail.find("not measured"), std::string::npos);
}

TEST(RunThresholds, ResultTextIsReadableByCompare) {
  const auto m = metrics();
  EXPECT_EQ(result_threshold_text(parse("latency.p99 < 250ms"), m), "latency.p99 < 250ms");
  EXPECT_EQ(result_threshold_text(parse("rps > 100/s"), m), "rps > 100");
  EXPECT_EQ(result_threshold_text(parse("rss.slope < 10KiB/s"), m), "rss.slope < 10240");
  EXPECT_EQ(result_threshold_text(parse("error_rate < 5%"), m), "error_rate < 0.05");
}

}  // namespace
}  // namespace h2soak::run
