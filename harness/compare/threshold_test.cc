#include "harness/compare/threshold.h"

#include <gtest/gtest.h>

#include "harness/compare/result_adapter.h"
#include "harness/compare/test_support.h"
#include "harness/scenario/loader.h"

namespace h2soak::compare {
namespace {

using testing::make_run;

scenario::Threshold gate(const std::string& text) {
  auto t = scenario::parse_result_threshold(text);
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}

scenario::Threshold scenario_gate(const std::string& text) {
  auto t = scenario::parse_threshold(text);
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}

TEST(Threshold, ConvertsIntoTheMetricsUnit) {
  auto t = gate("latency.p99 < 250ms").value;
  EXPECT_DOUBLE_EQ(*quantity_in(t, "us"), 250000);
  EXPECT_DOUBLE_EQ(*quantity_in(t, "ms"), 250);
  EXPECT_DOUBLE_EQ(*quantity_in(t, "ns"), 250e6);
  EXPECT_FALSE(quantity_in(t, "bytes"));
  auto s = gate("rss.peak < 1KiB").value;
  EXPECT_DOUBLE_EQ(*quantity_in(s, "bytes"), 1024);
  EXPECT_FALSE(quantity_in(s, "ms"));
}

TEST(Threshold, EvaluatesEveryRunAndReportsTheWorst) {
  auto a = make_run("s", "a.json", {{"latency.p99", {100000, "us"}}, {"errors", {0, "count"}}});
  auto b = make_run("s", "b.json", {{"latency.p99", {300000, "us"}}, {"errors", {0, "count"}}});
  auto t = gate("latency.p99 < 250ms");
  auto v = evaluate_threshold(t, "s", {&a, &b});
  EXPECT_FALSE(v.passed);
  EXPECT_DOUBLE_EQ(*v.observed, 300000);
  EXPECT_DOUBLE_EQ(*v.limit, 250000);
  EXPECT_EQ(v.detail, "latency.p99 = 300 ms in b.json, not < 250 ms");

  auto ok = evaluate_threshold(gate("errors == 0"), "s", {&a, &b});
  EXPECT_TRUE(ok.passed);

  auto closest = evaluate_threshold(gate("latency.p99 < 1s"), "s", {&a, &b});
  EXPECT_TRUE(closest.passed);
  EXPECT_DOUBLE_EQ(*closest.observed, 300000);

  auto missing = evaluate_threshold(gate("nope < 1"), "s", {&a});
  EXPECT_FALSE(missing.passed);
  EXPECT_NE(missing.detail.find("nope"), std::string::npos);

  EXPECT_FALSE(evaluate_threshold(gate("errors == 0"), "s", {}).passed);
}

// The figures of one run of `h2soak run`, as harness/analysis names them.
RunMetrics measured_run() {
  std::map<std::string, result::AnalysisMetric> m;
  m["latency.p99"] = {2500, "us"};
  m["rps"] = {120, "req/s"};
  m["errors"] = {0, "count"};
  m["rss.slope"] = {20000, "bytes/s"};
  m["cpu.us_per_request"] = {40, "us"};
  m["error_rate"] = {0.02, "fraction"};
  RunMetrics run;
  run.metrics = metric_values_of(m);
  return run;
}

TEST(Threshold, ScenarioUnitsConvertIntoTheMetricsUnit) {
  const auto m = measured_run();
  auto passes = [&](const std::string& text) { return evaluate_threshold(scenario_gate(text), "s", {&m}).passed; };
  EXPECT_TRUE(passes("latency.p99 < 250ms"));
  EXPECT_FALSE(passes("latency.p99 < 2ms"));
  EXPECT_TRUE(passes("rps > 100/s"));
  EXPECT_TRUE(passes("errors == 0"));
  EXPECT_FALSE(passes("rss.slope < 10KiB/s"));
  EXPECT_TRUE(passes("error_rate < 5%"));
  EXPECT_TRUE(passes("cpu.per_request < 50us"));  // alias
}

TEST(Threshold, MissingMetricOrWrongUnitFails) {
  const auto m = measured_run();
  auto v = evaluate_threshold(scenario_gate("threads.residual == 0"), "s", {&m});
  EXPECT_FALSE(v.passed);
  EXPECT_NE(v.detail.find("not measured"), std::string::npos);
  auto unit = evaluate_threshold(gate("rps > 10KiB"), "s", {&m});
  EXPECT_FALSE(unit.passed);
  EXPECT_NE(unit.detail.find("does not fit"), std::string::npos) << unit.detail;
}

// What `h2soak run` stores is the scenario's text; read back with the result
// grammar it is the same gate and judges the same.
TEST(Threshold, ScenarioTextReadsBackAsTheSameGate) {
  const auto m = measured_run();
  for (const char* text : {"latency.p99 < 250ms", "rps > 100/s", "rss.slope < 10KiB/s", "error_rate < 5%",
                           "cpu.per_request < 50us"}) {
    const scenario::Threshold written = scenario_gate(text);
    const scenario::Threshold read = gate(written.text);
    EXPECT_EQ(read, written) << text;
    EXPECT_EQ(evaluate_threshold(read, "s", {&m}).passed, evaluate_threshold(written, "s", {&m}).passed) << text;
  }
}

}  // namespace
}  // namespace h2soak::compare
