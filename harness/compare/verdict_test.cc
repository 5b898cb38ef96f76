#include "harness/compare/verdict.h"

#include <gtest/gtest.h>

#include "harness/compare/test_support.h"

namespace h2soak::compare {
namespace {

using testing::make_run;

constexpr double kMiB = 1024.0 * 1024.0;

BaselineMetric base_of(std::vector<double> values, const std::string& unit, const std::string& name) {
  RunMetrics dummy;
  std::vector<RunMetrics> runs;
  for (std::size_t i = 0; i < values.size(); ++i) {
    runs.push_back(make_run("s", "b" + std::to_string(i), {{name, {values[i], unit}}}));
  }
  auto b = build_baseline(runs, {});
  return b->scenarios.front().metrics.at(name);
}

// The statistics of the judge, on a metric whose regressions fail (latency and throughput
// only warn by default).
Rule failing(Rule r) {
  r.gate = Gate::kFail;
  return r;
}

MetricSamples now_of(std::vector<double> values, const std::string& unit) {
  return MetricSamples{unit, std::move(values), {}};
}

const MetricVerdict& find(const Verdict& v, const std::string& metric) {
  for (const auto& m : v.metrics) {
    if (m.metric == metric) return m;
  }
  throw std::runtime_error("no verdict for " + metric);
}

TEST(IntervalRule, WithinToleranceIsPass) {
  auto base = base_of({100, 101, 99}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({108}, "ms"), base.rule);  // +8 % < 10 %
  EXPECT_EQ(v.method, Method::kInterval);
  EXPECT_EQ(v.status, MetricStatus::kPass) << v.reason;
  EXPECT_DOUBLE_EQ(*v.limit, 110);
  EXPECT_NEAR(*v.change_pct, 8, 1e-9);
}

TEST(IntervalRule, BeyondToleranceIsRegression) {
  auto base = base_of({100, 101, 99}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({115}, "ms"), failing(base.rule));
  EXPECT_EQ(v.status, MetricStatus::kRegression) << v.reason;
  EXPECT_DOUBLE_EQ(*v.change_abs, 15);
}

TEST(IntervalRule, BetterBeyondToleranceIsImproved) {
  auto base = base_of({100, 101, 99}, "ms", "latency.p50");
  EXPECT_EQ(judge_metric(base, now_of({80}, "ms"), base.rule).status, MetricStatus::kImproved);
  EXPECT_EQ(judge_metric(base, now_of({95}, "ms"), base.rule).status, MetricStatus::kPass);
}

TEST(IntervalRule, HigherIsBetterThroughputDropIsRegression) {
  auto base = base_of({1000, 1010, 990}, "req/s", "throughput.rps");
  ASSERT_EQ(base.rule.direction, Direction::kHigherIsBetter);
  auto drop = judge_metric(base, now_of({850}, "req/s"), failing(base.rule));
  EXPECT_EQ(drop.status, MetricStatus::kRegression) << drop.reason;
  EXPECT_DOUBLE_EQ(*drop.limit, 900);
  EXPECT_EQ(judge_metric(base, now_of({1200}, "req/s"), failing(base.rule)).status, MetricStatus::kImproved);
}

TEST(IntervalRule, SpreadWidensTheLimit) {
  // Noisy baseline: one run 30 % off the median; the 10 % rule alone would flag 125.
  auto base = base_of({100, 130, 95}, "ms", "latency.p50");
  EXPECT_DOUBLE_EQ(base.spread(), 30);
  EXPECT_EQ(judge_metric(base, now_of({125}, "ms"), failing(base.rule)).status, MetricStatus::kPass);
  EXPECT_EQ(judge_metric(base, now_of({131}, "ms"), failing(base.rule)).status, MetricStatus::kRegression);
}

TEST(IntervalRule, FloorPreventsFlapping) {
  // Residual RSS of 1 MiB vs 2.5 MiB: +150 %, but below the 2 MiB floor.
  auto base = base_of({1 * kMiB, 1 * kMiB, 1 * kMiB}, "bytes", "rss.residual");
  EXPECT_EQ(judge_metric(base, now_of({2.5 * kMiB}, "bytes"), base.rule).status, MetricStatus::kPass);
  Rule no_floor = base.rule;
  no_floor.absolute_floor = 0;
  EXPECT_EQ(judge_metric(base, now_of({2.5 * kMiB}, "bytes"), no_floor).status, MetricStatus::kRegression);
  // Beyond the floor it is a regression with the default rule too.
  EXPECT_EQ(judge_metric(base, now_of({3.5 * kMiB}, "bytes"), base.rule).status, MetricStatus::kRegression);
}

TEST(IntervalRule, ThreadResidualFloorIsTwo) {
  auto base = base_of({0, 0, 0}, "count", "threads.residual");
  EXPECT_EQ(judge_metric(base, now_of({0}, "count"), base.rule).status, MetricStatus::kPass);
  EXPECT_EQ(judge_metric(base, now_of({2}, "count"), base.rule).status, MetricStatus::kPass);
  auto v = judge_metric(base, now_of({3}, "count"), base.rule);
  EXPECT_EQ(v.status, MetricStatus::kRegression);
  EXPECT_EQ(v.limit_origin, LimitOrigin::kFloor);
}

TEST(Gate, EfficiencyRegressionIsAWarningThatNeverFails) {
  auto base = base_of({100, 101, 99}, "ms", "latency.p99");
  auto v = judge_metric(base, now_of({200}, "ms"), base.rule);
  EXPECT_EQ(v.status, MetricStatus::kWarning) << v.reason;
  EXPECT_EQ(judge_metric(base, now_of({100}, "ms"), base.rule).status, MetricStatus::kPass);
}

TEST(LeakRule, NegativeBaselineSlopeAnchorsAtZero) {
  // A baseline that shrank while it ran (memory handed back during steady) must not make a
  // flat run look like growth: the limit starts from zero, not from the negative slope.
  auto base = base_of({-200e3, -180e3, -220e3}, "bytes/s", "rss.slope");
  auto flat = judge_metric(base, MetricSamples{"bytes/s", {1e3}, {Interval{-5e3, 7e3}}}, base.rule);
  EXPECT_EQ(flat.status, MetricStatus::kPass) << flat.reason;
  ASSERT_TRUE(flat.limit);
  EXPECT_GE(*flat.limit, 16 * 1024);
  auto leak = judge_metric(base, MetricSamples{"bytes/s", {200e3}, {Interval{150e3, 250e3}}}, base.rule);
  EXPECT_EQ(leak.status, MetricStatus::kRegression) << leak.reason;
}

TEST(MannWhitneyRule, ClearlyDifferentFiveVersusFiveIsRegression) {
  auto base = base_of({100, 102, 98, 101, 99}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({130, 128, 133, 131, 129}, "ms"), failing(base.rule));
  EXPECT_EQ(v.method, Method::kMannWhitney);
  EXPECT_EQ(v.status, MetricStatus::kRegression) << v.reason;
  ASSERT_TRUE(v.p_value);
  EXPECT_LT(*v.p_value, 0.01);
}

TEST(MannWhitneyRule, IdenticalIsPass) {
  auto base = base_of({100, 102, 98, 101, 99}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({100, 102, 98, 101, 99}, "ms"), base.rule);
  EXPECT_EQ(v.method, Method::kMannWhitney);
  EXPECT_EQ(v.status, MetricStatus::kPass) << v.reason;
  EXPECT_GT(*v.p_value, 0.5);
}

TEST(MannWhitneyRule, SignificantButWithinToleranceIsPass) {
  // Every current run is higher (p < 0.01) but only by ~3 %: not practically relevant.
  auto base = base_of({100, 100.5, 99.5, 100.2, 99.8}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({103, 103.5, 102.5, 103.2, 102.8}, "ms"), base.rule);
  EXPECT_LT(*v.p_value, 0.05);
  EXPECT_EQ(v.status, MetricStatus::kPass) << v.reason;
}

TEST(MannWhitneyRule, OverlappingNoiseIsNotARegression) {
  // The median moved 15 % but the samples overlap: no significant difference.
  auto base = base_of({100, 60, 140, 80, 120}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({115, 70, 150, 90, 130}, "ms"), base.rule);
  EXPECT_EQ(v.method, Method::kMannWhitney);
  EXPECT_GT(*v.p_value, 0.05);
  EXPECT_EQ(v.status, MetricStatus::kPass) << v.reason;
}

TEST(MannWhitneyRule, ThreeRunsFallBackToIntervalRule) {
  auto base = base_of({100, 102, 98, 101, 99}, "ms", "latency.p50");
  auto v = judge_metric(base, now_of({130, 128, 133}, "ms"), failing(base.rule));
  EXPECT_EQ(v.method, Method::kInterval);
  EXPECT_EQ(v.status, MetricStatus::kRegression);
}

MetricSamples leak_now(double value, Interval ci) { return MetricSamples{"bytes/s", {value}, {ci}}; }

TEST(LeakRule, IntervalAboveTheLimitIsRegression) {
  auto base = base_of({100, -300, 500}, "bytes/s", "rss.slope_steady");  // clean: ~0
  ASSERT_EQ(base.rule.kind, MetricKind::kLeak);
  auto v = judge_metric(base, leak_now(100e3, {60e3, 140e3}), base.rule);
  EXPECT_EQ(v.method, Method::kLeakInterval);
  EXPECT_EQ(v.status, MetricStatus::kRegression) << v.reason;
  EXPECT_NEAR(*v.limit, 100 + 16 * 1024, 1e-9);
}

TEST(LeakRule, IntervalReachingTheAllowedRangeIsPass) {
  // The point estimate is above the limit, but the interval is wide and
  // reaches into the allowed range: not proven.
  auto base = base_of({100, -300, 500}, "bytes/s", "rss.slope_steady");
  auto v = judge_metric(base, leak_now(30e3, {-5e3, 65e3}), base.rule);
  EXPECT_EQ(v.status, MetricStatus::kPass) << v.reason;
  // Without the interval the same point estimate is a regression by the interval rule.
  auto no_ci = judge_metric(base, now_of({30e3}, "bytes/s"), base.rule);
  EXPECT_EQ(no_ci.method, Method::kInterval);
  EXPECT_EQ(no_ci.status, MetricStatus::kRegression);
}

TEST(LeakRule, SeveralRunsUseMedianBounds) {
  auto base = base_of({0, 0, 0}, "bytes/s", "rss.slope_steady");
  MetricSamples now{"bytes/s", {50e3, 52e3, 1e3}, {{30e3, 70e3}, {31e3, 73e3}, {-4e3, 6e3}}};
  auto v = judge_metric(base, now, base.rule);
  EXPECT_EQ(v.current_ci->lo, 30e3);
  EXPECT_EQ(v.status, MetricStatus::kRegression);
}

Baseline three_run_baseline() {
  std::vector<RunMetrics> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(make_run("mixed", "b" + std::to_string(i),
                            {{"rss.residual", {100 * kMiB + i * kMiB, "bytes"}},
                             {"latency.p50", {10.0 + i * 0.1, "ms"}},
                             {"errors.total", {0, "count"}},
                             {"old.metric", {1, "count"}}}));
  }
  return *build_baseline(runs, {});
}

TEST(CompareRuns, RegressionNamesTheMetricAndFails) {
  auto base = three_run_baseline();
  auto now = make_run("mixed", "now.json",
                      {{"rss.residual", {150 * kMiB, "bytes"}}, {"latency.p50", {10.05, "ms"}},
                       {"errors.total", {0, "count"}}, {"new.metric", {5, "count"}}});
  auto v = compare_runs(base, {now}, {}, "base.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_TRUE(v->failed());
  EXPECT_EQ(v->count(MetricStatus::kRegression), 1u);
  EXPECT_EQ(find(*v, "rss.residual").status, MetricStatus::kRegression);
  EXPECT_EQ(find(*v, "rss.residual").scenario, "mixed");
  EXPECT_EQ(find(*v, "latency.p50").status, MetricStatus::kPass);
  EXPECT_EQ(find(*v, "new.metric").status, MetricStatus::kNew);
  EXPECT_EQ(find(*v, "old.metric").status, MetricStatus::kMissing);
}

TEST(CompareRuns, CleanRunPassesAndNewOrMissingDoNotFail) {
  auto base = three_run_baseline();
  auto now = make_run("mixed", "now.json",
                      {{"rss.residual", {101 * kMiB, "bytes"}}, {"latency.p50", {10.1, "ms"}},
                       {"errors.total", {0, "count"}}, {"new.metric", {5, "count"}}});
  auto v = compare_runs(base, {now}, {}, "base.json");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->failed());
  EXPECT_EQ(v->count(MetricStatus::kMissing), 1u);
}

TEST(CompareRuns, HashMismatchIsAnErrorUnlessAllowed) {
  auto base = three_run_baseline();
  auto now = make_run("mixed", "now.json", {{"rss.residual", {101 * kMiB, "bytes"}}}, "sha256:bbbb");
  auto v = compare_runs(base, {now}, {}, "base.json");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("sha256:bbbb"), std::string::npos) << v.error().message();
  EXPECT_NE(v.error().message().find("--allow-hash-mismatch"), std::string::npos);

  CompareOptions allow;
  allow.allow_hash_mismatch = true;
  auto allowed = compare_runs(base, {now}, allow, "base.json");
  ASSERT_TRUE(allowed.ok());
  ASSERT_FALSE(allowed->notes.empty());
  EXPECT_NE(allowed->notes.front().find("changed"), std::string::npos);
}

TEST(CompareRuns, ThresholdFailureFailsTheVerdict) {
  auto base = three_run_baseline();
  auto now = make_run("mixed", "now.json",
                      {{"rss.residual", {101 * kMiB, "bytes"}}, {"latency.p50", {10.1, "ms"}},
                       {"errors.total", {3, "count"}}});
  now.thresholds = testing::gates({"errors.total == 0"});
  CompareOptions opts;
  opts.thresholds = {"latency.p50 < 250ms"};
  auto v = compare_runs(base, {now}, opts, "base.json");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->thresholds.size(), 2u);
  EXPECT_FALSE(v->thresholds[0].passed);
  EXPECT_TRUE(v->thresholds[1].passed);
  EXPECT_EQ(v->failed_thresholds(), 1u);
  EXPECT_TRUE(v->failed());
}

TEST(CompareRuns, InformationalMetricsAreNotComparedButThresholdsSeeThem) {
  auto info = [](RunMetrics r, double v) {
    r.metrics["requests"] = MetricValue{v, "count", std::nullopt, std::nullopt, std::nullopt, true};
    return r;
  };
  std::vector<RunMetrics> runs;
  for (int i = 0; i < 3; ++i) runs.push_back(info(make_run("mixed", "b" + std::to_string(i), {{"rss.residual", {kMiB, "bytes"}}}), 5000));
  auto base = *build_baseline(runs, {});
  EXPECT_EQ(base.scenarios[0].metrics.count("requests"), 0u);
  auto now = info(make_run("mixed", "now.json", {{"rss.residual", {kMiB, "bytes"}}}), 10);
  now.thresholds = testing::gates({"requests >= 100"});
  auto v = compare_runs(base, {now}, {});
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->metrics.size(), 1u);
  EXPECT_EQ(v->metrics[0].metric, "rss.residual");
  ASSERT_EQ(v->thresholds.size(), 1u);
  EXPECT_FALSE(v->thresholds[0].passed);
}

TEST(CompareRuns, BadThresholdIsAnError) {
  CompareOptions opts;
  opts.thresholds = {"latency.p50 ~ 3"};
  EXPECT_FALSE(compare_runs(three_run_baseline(), {make_run("mixed", "n", {})}, opts).ok());
}

TEST(CompareRuns, PatchesOverrideStoredRules) {
  auto base = three_run_baseline();
  auto now = make_run("mixed", "now.json", {{"rss.residual", {150 * kMiB, "bytes"}}});
  CompareOptions opts;
  RulePatch loose;
  loose.pattern = "rss.*";
  loose.relative_tolerance = 0.6;
  opts.patches = {loose};
  auto v = compare_runs(base, {now}, opts);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(find(*v, "rss.residual").status, MetricStatus::kPass);
}

TEST(CompareRuns, OtherMachineAndUnrunScenariosAreNoted) {
  auto base = three_run_baseline();
  auto now = make_run("other", "now.json", {{"rss.residual", {1, "bytes"}}});
  now.machine.hostname = "laptop";
  auto v = compare_runs(base, {now}, {});
  ASSERT_TRUE(v.ok());
  std::string all;
  for (const auto& n : v->notes) all += n + "\n";
  EXPECT_NE(all.find("laptop"), std::string::npos) << all;
  EXPECT_NE(all.find("\"mixed\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"other\""), std::string::npos) << all;
  EXPECT_FALSE(v->failed());
}

}  // namespace
}  // namespace h2soak::compare

namespace h2soak::compare {
namespace {

// A baseline of one scenario with an fd peak, an fd residual and the p99 latency.
Baseline stall_baseline() {
  std::vector<RunMetrics> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(testing::make_run("short", "b" + std::to_string(i),
                                     {{"fds.peak", {14.0 + i, "count"}},
                                      {"fds.residual", {0, "count"}},
                                      {"latency.p99", {7.5 + i * 0.1, "ms"}}}));
  }
  return *build_baseline(runs, {});
}

Verdict judge_stall(double peak, double residual, double p99_ms) {
  auto now = testing::make_run("short", "now.json",
                               {{"fds.peak", {peak, "count"}},
                                {"fds.residual", {residual, "count"}},
                                {"latency.p99", {p99_ms, "ms"}}});
  return *compare_runs(stall_baseline(), {now}, {}, "base.json");
}

MetricStatus status_of(const Verdict& v, const std::string& metric) {
  for (const auto& m : v.metrics) {
    if (m.metric == metric) return m.status;
  }
  throw std::runtime_error("no verdict for " + metric);
}

TEST(LonePeakRule, PeakBeyondItsLimitWhileResidualAndSlopePassIsAWarning) {
  Verdict stalled = judge_stall(118, 0, 1640);  // what a starved machine did to a clean server
  EXPECT_EQ(status_of(stalled, "fds.peak"), MetricStatus::kWarning);
  EXPECT_FALSE(stalled.failed());
  Verdict blip = judge_stall(31, 0, 7.6);  // a stall too short to move the p99
  EXPECT_EQ(status_of(blip, "fds.peak"), MetricStatus::kWarning);
  EXPECT_FALSE(blip.failed());
}

TEST(LonePeakRule, PeakStaysARegressionWhenTheResidualSaysLeak) {
  Verdict v = judge_stall(118, 60, 7.6);
  EXPECT_EQ(status_of(v, "fds.peak"), MetricStatus::kRegression);
  EXPECT_EQ(status_of(v, "fds.residual"), MetricStatus::kRegression);
  EXPECT_TRUE(v.failed());
}


// An attribution run's rows explain a leak metric of their signal: the ones
// whose interval excludes 0, largest share first; the others and (time) not.
TEST(Explanation, QuotesTheAttributionRowsThatExcludeZero) {
  RunMetrics run;
  auto row = [&](const std::string& name, double v, double lo, double hi, const std::string& unit,
                 const std::string& note) {
    MetricValue m;
    m.value = v;
    m.unit = unit;
    m.ci = Interval{lo, hi};
    m.informational = true;
    m.note = note;
    run.metrics[name] = m;
  };
  row("attribution.rss.upload", 64 * 1024, 60 * 1024, 68 * 1024, "bytes/upload", "90 % of the steady growth over 80 uploads");
  row("attribution.rss.tabs", 300, 100, 500, "bytes/request", "9 % of the steady growth over 3000 requests");
  row("attribution.rss.sse", 10, -50, 70, "bytes/stream", "0 % of the steady growth over 500 streams");
  row("attribution.rss.(time)", 900, 100, 1700, "bytes/s", "growth no event explains");
  row("attribution.threads.sse", 1, 0.9, 1.1, "threads/stream", "99 % of the steady growth over 500 streams");
  row("attribution.gauge.go_goroutines.sse", 2, 1.5, 2.5, "units/stream", "100 % of the steady growth over 500 streams");

  const std::string rss = explain_by_attribution("rss.slope", run);
  EXPECT_EQ(rss.find("+64.0 KiB per upload of upload [60.0 KiB, 68.0 KiB], 90 % of the steady growth"), 0u) << rss;
  EXPECT_NE(rss.find("; +300 B per request of tabs"), std::string::npos) << rss;
  EXPECT_EQ(rss.find("sse"), std::string::npos) << rss;
  EXPECT_EQ(rss.find("(time)"), std::string::npos) << rss;
  EXPECT_EQ(explain_by_attribution("rss_anon.residual", run), rss);  // RSS's cousins read RSS's rows
  EXPECT_EQ(explain_by_attribution("threads.slope", run).find("+1 threads per stream of sse"), 0u);
  EXPECT_EQ(explain_by_attribution("gauge.go_goroutines.slope", run).find("+2 units per stream of sse"), 0u);
  EXPECT_EQ(explain_by_attribution("fds.slope", run), "");  // no attribution for that signal

  run.metrics.erase("attribution.rss.upload");
  run.metrics.erase("attribution.rss.tabs");
  EXPECT_EQ(explain_by_attribution("rss.slope", run),
            "attribution: no workload's events explain it (every interval contains 0)");
}

}  // namespace
}  // namespace h2soak::compare
