#include "harness/run/capacity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace h2soak::run {
namespace {

// A synthetic service with a known knee: below `knee` req/s the p99 is 20 ms
// and nothing is dropped; above it the queue grows and the p99 explodes.
struct SyntheticService {
  double knee = 800;
  int calls = 0;
  std::vector<double> rates;

  StageOutcome operator()(double rate) {
    ++calls;
    rates.push_back(rate);
    StageOutcome o;
    const bool over = rate > knee;
    const double p99_us = over ? 2e6 : 20'000;
    o.stage.achieved = over ? knee : rate;
    o.stage.requests = static_cast<std::uint64_t>(o.stage.achieved * 5);
    o.stage.p99 = p99_us;
    auto put = [&](const char* name, double v, const char* unit) {
      result::AnalysisMetric m;
      m.value = v;
      m.unit = unit;
      o.metrics[name] = m;
    };
    put("latency.p99", p99_us, "us");
    put("latency.p50", 5'000, "us");
    put("error_rate", 0, "fraction");
    put("drop_rate", 0, "fraction");
    put("rps", o.stage.achieved, "req/s");
    return o;
  }
};

Objectives defaults() { return *make_objectives({}); }

MeasureStage by_ref(SyntheticService& s) {
  return [&s](double rate) { return s(rate); };
}

TEST(Objectives, DefaultsAndShorthands) {
  Objectives o = defaults();
  ASSERT_EQ(o.list.size(), 2u);
  EXPECT_EQ(o.list[0].metric, "latency.p99");
  EXPECT_EQ(o.list[1].metric, "error_rate");
  EXPECT_DOUBLE_EQ(o.drop_budget, 0.001);

  auto p99 = parse_objective("p99 < 250ms");
  ASSERT_TRUE(p99.ok()) << p99.error().message();
  EXPECT_EQ(p99->metric, "latency.p99");
  EXPECT_EQ(p99->text, "p99 < 250ms");
  EXPECT_DOUBLE_EQ(p99->value.value, 0.25);
  auto p999 = parse_objective("p999<1s");
  ASSERT_TRUE(p999.ok());
  EXPECT_EQ(p999->metric, "latency.p999");
  EXPECT_TRUE(parse_objective("drop_rate < 1%").ok());
  EXPECT_TRUE(parse_objective("rps >= 100/s").ok());

  auto bad = parse_objective("p99 < 250");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("--objective \"p99 < 250\""), std::string::npos) << bad.error().message();
  EXPECT_FALSE(parse_objective("lantency.p99 < 1s").ok());

  auto budget = make_objectives({"p99 < 100ms", "error_rate < 2%"});
  ASSERT_TRUE(budget.ok());
  EXPECT_DOUBLE_EQ(budget->drop_budget, 0.02);
}

TEST(JudgeStage, EachObjectiveDropsAndAchievedRate) {
  SyntheticService svc;
  const Objectives obj = defaults();
  StageOutcome ok = svc(400);
  ok.stage.offered = 400;
  judge_stage(ok, obj);
  EXPECT_TRUE(ok.stage.passed) << ok.stage.detail;
  EXPECT_EQ(ok.stage.broken, "");

  StageOutcome slow = svc(1600);
  slow.stage.offered = 1600;
  judge_stage(slow, obj);
  EXPECT_FALSE(slow.stage.passed);
  EXPECT_EQ(slow.stage.broken, "latency.p99 < 250ms");
  EXPECT_NE(slow.stage.detail.find("achieved 800.0 req/s of 1600.0"), std::string::npos) << slow.stage.detail;

  StageOutcome dropping = svc(400);
  dropping.stage.offered = 400;
  dropping.stage.dropped = 40;
  dropping.stage.drop_rate = 0.02;
  judge_stage(dropping, obj);
  EXPECT_FALSE(dropping.stage.passed);
  EXPECT_EQ(dropping.stage.broken, "drop_rate < 0.1%");

  // A stage a little short of its rate but within 95 % passes; below fails.
  StageOutcome short_rate = svc(400);
  short_rate.stage.offered = 400;
  short_rate.stage.achieved = 385;
  judge_stage(short_rate, obj);
  EXPECT_TRUE(short_rate.stage.passed);
  short_rate.stage.achieved = 370;
  judge_stage(short_rate, obj);
  EXPECT_EQ(short_rate.stage.broken, "achieved >= 95% of offered");

  // A stage stopped early fails on what stopped it, whatever its partial figures say.
  StageOutcome stopped = svc(400);
  stopped.stage.offered = 400;
  stopped.stage.stopped_early = true;
  stopped.early_stop = "latency.p99 < 250ms";
  stopped.early_detail = "500 in flight";
  judge_stage(stopped, obj);
  EXPECT_FALSE(stopped.stage.passed);
  EXPECT_EQ(stopped.stage.broken, "latency.p99 < 250ms");

  // A metric the stage lacks fails the objective (cannot pass silently).
  StageOutcome missing;
  missing.stage.offered = 10;
  missing.stage.achieved = 10;
  judge_stage(missing, obj);
  EXPECT_FALSE(missing.stage.passed);
}

TEST(SearchCapacity, BracketsAKnownKneeWithinTheRefineResolution) {
  SyntheticService svc;
  SearchOptions opt;
  opt.start_rate = 100;
  opt.growth = 2;
  opt.refine = 3;
  const result::CapacitySearch s = search_capacity(opt, defaults(), by_ref(svc));
  // Ramp 100 200 400 800 (pass) 1600 (fail), then 1200 1000 900 (all fail).
  EXPECT_EQ(svc.rates, (std::vector<double>{100, 200, 400, 800, 1600, 1200, 1000, 900}));
  EXPECT_EQ(s.stop, "refined");
  EXPECT_DOUBLE_EQ(s.capacity, 800);
  EXPECT_DOUBLE_EQ(s.interval_low, 800);
  EXPECT_DOUBLE_EQ(s.interval_high, 900);
  EXPECT_LE(s.interval_low, svc.knee);
  EXPECT_GE(s.interval_high, svc.knee);
  EXPECT_LE(s.interval_high - s.interval_low, (1600.0 - 800.0) / 8);
  EXPECT_EQ(s.first_broken, "latency.p99 < 250ms");
  ASSERT_EQ(s.stages.size(), 8u);
  EXPECT_TRUE(s.stages[3].passed);
  EXPECT_FALSE(s.stages[4].passed);
}

TEST(SearchCapacity, KneeBetweenRampSteps) {
  SyntheticService svc;
  svc.knee = 730;
  SearchOptions opt;
  opt.start_rate = 100;
  opt.refine = 5;
  const result::CapacitySearch s = search_capacity(opt, defaults(), by_ref(svc));
  EXPECT_LE(s.interval_low, 730);
  EXPECT_GT(s.interval_high, 730);
  EXPECT_LE(s.interval_high - s.interval_low, 400.0 / 32 + 1e-9);
  EXPECT_DOUBLE_EQ(s.capacity, s.interval_low);
  EXPECT_EQ(svc.calls, 4 + 5);  // 100 200 400 800, then five bisections
}

TEST(SearchCapacity, RespectsMaxRate) {
  SyntheticService svc;
  svc.knee = 1e9;
  SearchOptions opt;
  opt.start_rate = 100;
  opt.max_rate = 1000;
  const result::CapacitySearch s = search_capacity(opt, defaults(), by_ref(svc));
  EXPECT_EQ(svc.rates, (std::vector<double>{100, 200, 400, 800, 1000}));
  EXPECT_EQ(s.stop, "max-rate");
  EXPECT_DOUBLE_EQ(s.capacity, 1000);
  EXPECT_TRUE(std::isnan(s.interval_high));
  EXPECT_EQ(s.first_broken, "");
  for (double r : svc.rates) EXPECT_LE(r, 1000);
}

TEST(SearchCapacity, FirstStageFailing) {
  SyntheticService svc;
  svc.knee = 50;
  SearchOptions opt;
  opt.start_rate = 100;
  const result::CapacitySearch s = search_capacity(opt, defaults(), by_ref(svc));
  EXPECT_EQ(s.stop, "first-stage-failed");
  EXPECT_EQ(svc.calls, 1);
  EXPECT_DOUBLE_EQ(s.capacity, 0);
  EXPECT_DOUBLE_EQ(s.interval_high, 100);
  EXPECT_NE(s.note.find("--start-rate"), std::string::npos);
}

TEST(SearchCapacity, StopsOnAGeneratorBoundStage) {
  SyntheticService svc;
  svc.knee = 1e9;
  SearchOptions opt;
  opt.start_rate = 100;
  auto measure = [&](double rate) {
    StageOutcome o = svc(rate);
    if (rate >= 400) {
      o.stage.generator_bound = true;
      o.generator_note = "the generator was CPU-saturated";
    }
    return o;
  };
  int observed = 0;
  const result::CapacitySearch s =
      search_capacity(opt, defaults(), measure, [&](const result::CapacityStage&, const StageOutcome&) { ++observed; });
  EXPECT_EQ(svc.rates, (std::vector<double>{100, 200, 400}));
  EXPECT_EQ(observed, 3);
  EXPECT_EQ(s.stop, "generator-bound");
  EXPECT_NE(s.note.find("generator-bound at 400 req/s: the figure measures h2soak, not the service"),
            std::string::npos)
      << s.note;
  EXPECT_DOUBLE_EQ(s.capacity, 200);  // a lower bound
  EXPECT_TRUE(std::isnan(s.interval_high));
  EXPECT_FALSE(s.stages.back().passed);
  EXPECT_EQ(s.stages.back().broken, "generator-bound");
}

TEST(SearchCapacity, AbortEndsTheSearch) {
  SyntheticService svc;
  SearchOptions opt;
  auto measure = [&](double rate) {
    StageOutcome o = svc(rate);
    if (rate >= 200) o.abort = "interrupted";
    return o;
  };
  const result::CapacitySearch s = search_capacity(opt, defaults(), measure);
  EXPECT_EQ(s.stop, "interrupted");
  EXPECT_EQ(s.stages.size(), 2u);
  EXPECT_DOUBLE_EQ(s.capacity, 100);
}

TEST(SearchCapacity, NamesTheObjectiveThatBrokeAtTheLowestFailingRate) {
  // Errors break at 500/s, latency only at 900/s: errors break first.
  SearchOptions opt;
  opt.start_rate = 100;
  opt.refine = 2;
  auto measure = [](double rate) {
    SyntheticService svc;
    svc.knee = 900;
    StageOutcome o = svc(rate);
    if (rate > 500) o.metrics["error_rate"].value = 0.05;
    return o;
  };
  const result::CapacitySearch s = search_capacity(opt, *make_objectives({"p99 < 250ms", "error_rate < 1%"}), measure);
  EXPECT_EQ(s.first_broken, "error_rate < 1%");
  EXPECT_LE(s.interval_low, 500);
  EXPECT_GT(s.interval_high, 500);
}

TEST(SearchOptionsCheck, RejectsNonsense) {
  SearchOptions o;
  EXPECT_TRUE(check_search_options(o).ok());
  o.growth = 1;
  EXPECT_FALSE(check_search_options(o).ok());
  o = {};
  o.max_rate = 10;
  EXPECT_FALSE(check_search_options(o).ok());
  o = {};
  o.start_rate = 0;
  EXPECT_FALSE(check_search_options(o).ok());
  o = {};
  o.refine = 21;
  EXPECT_FALSE(check_search_options(o).ok());
}

load::Progress progress(double elapsed, bool steady, std::uint64_t done, std::uint64_t dropped = 0,
                        std::uint64_t errored = 0, std::uint64_t in_flight = 0) {
  load::Progress p;
  p.elapsed_seconds = elapsed;
  p.steady = steady;
  p.counters.requests_done = done;
  p.counters.requests_started = done + in_flight;
  p.counters.requests_dropped = dropped;
  p.counters.requests_errored = errored;
  p.in_flight = in_flight;
  return p;
}

TEST(EarlyStop, QuietOnAHealthyStage) {
  EarlyStop e(defaults(), 500);
  EXPECT_FALSE(e.update(progress(1, false, 500)));
  for (int s = 2; s <= 6; ++s) EXPECT_FALSE(e.update(progress(s, true, 500 * (s - 1), 0, 0, 5)));
  EXPECT_FALSE(e.triggered());
}

TEST(EarlyStop, DropsFarBeyondTheBudget) {
  EarlyStop e(defaults(), 1000);
  EXPECT_FALSE(e.update(progress(2, true, 600, 300)));  // the first steady report: never judged
  EXPECT_FALSE(e.update(progress(2.5, true, 900, 500)));  // less than 1 s of steady
  EXPECT_TRUE(e.update(progress(3, true, 1200, 700)));
  EXPECT_EQ(e.objective(), "drop_rate < 0.1%");
  EXPECT_NE(e.detail().find("700 of the arrivals dropped"), std::string::npos) << e.detail();
  EXPECT_TRUE(e.update(progress(4, true, 1200)));  // stays triggered
}

TEST(EarlyStop, ErrorsFarBeyondTheBudget) {
  EarlyStop e(*make_objectives({"p99 < 250ms", "error_rate < 1%"}), 100);
  EXPECT_FALSE(e.update(progress(1, true, 100)));
  EXPECT_FALSE(e.update(progress(2, true, 200, 0, 15)));  // 7.5 %, under 10 x 1 %
  EXPECT_TRUE(e.update(progress(3, true, 300, 0, 40)));
  EXPECT_EQ(e.objective(), "error_rate < 1%");
}

TEST(EarlyStop, LatencyFromLittlesLaw) {
  // 100 completions/s with 150 in flight: 1.5 s each, over 4 x 250 ms.
  EarlyStop e(defaults(), 120);
  EXPECT_FALSE(e.update(progress(1, true, 100, 0, 0, 150)));
  EXPECT_TRUE(e.update(progress(2, true, 200, 0, 0, 150)));
  EXPECT_EQ(e.objective(), "latency.p99 < 250ms");
  EXPECT_NE(e.detail().find("about 1500 ms each"), std::string::npos) << e.detail();

  // 50 in flight at the same rate: 0.5 s, under 4 x 250 ms.
  EarlyStop calm(defaults(), 100);
  EXPECT_FALSE(calm.update(progress(1, true, 100, 0, 0, 50)));
  EXPECT_FALSE(calm.update(progress(2, true, 200, 0, 0, 50)));
}

TEST(EarlyStop, NothingCompletesWhileRequestsWait) {
  EarlyStop e(defaults(), 10);
  EXPECT_FALSE(e.update(progress(1, true, 0, 0, 0, 8)));
  EXPECT_FALSE(e.update(progress(2, true, 0, 0, 0, 9)));  // 1 s without a completion: under 4 x 250 ms
  EXPECT_TRUE(e.update(progress(3, true, 0, 0, 0, 10)));
  EXPECT_EQ(e.objective(), "latency.p99 < 250ms");
}

TEST(EarlyStop, FarBelowTheOfferedRate) {
  EarlyStop e(*make_objectives({"error_rate < 1%"}), 1000);
  EXPECT_FALSE(e.update(progress(1, true, 300)));
  EXPECT_FALSE(e.update(progress(2, true, 600)));
  EXPECT_TRUE(e.update(progress(3, true, 900)));
  EXPECT_EQ(e.objective(), "achieved >= 95% of offered");
}

TEST(StageMetrics, DropRateBesideTheClientMetrics) {
  result::WorkloadResult w;
  w.name = "bench";
  w.kind = "bench";
  metrics::WorkloadMetrics steady;
  steady.counters.requests_started = 90;
  steady.counters.requests_done = 90;
  steady.counters.requests_succeeded = 90;
  steady.counters.requests_dropped = 10;
  for (int i = 1; i <= 90; ++i) steady.request_total.record(static_cast<std::uint64_t>(i) * 1000);
  w.phases.push_back({"warmup", {}});
  w.phases.push_back({"steady", steady});
  const auto m = stage_metrics({w}, 1.0);
  EXPECT_DOUBLE_EQ(m.at("drop_rate").value, 0.1);
  EXPECT_DOUBLE_EQ(m.at("rps").value, 90);
  result::CapacityStage s;
  fill_stage_figures(s, m);
  EXPECT_EQ(s.requests, 90u);
  EXPECT_EQ(s.dropped, 10u);
  EXPECT_DOUBLE_EQ(s.achieved, 90);
  EXPECT_NEAR(s.p99, 89'000, 1'000);
}

}  // namespace
}  // namespace h2soak::run
