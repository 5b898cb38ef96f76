#include "harness/analysis/analysis.h"

#include <cmath>
#include <functional>
#include <random>

#include <gtest/gtest.h>

namespace h2soak::analysis {
namespace {

using sampler::Sample;
using sampler::SampleSeries;

// A synthetic run at 10 Hz: 2 s before load, warmup 5 s, steady 30 s, cooldown 10 s.
constexpr double kWarmup = 2, kSteady = 7, kCooldown = 37, kEnd = 47;

SampleSeries make_series(const std::function<void(double t, Sample&)>& fill) {
  SampleSeries s;
  s.interval = 0.1;
  for (int i = 0; i * 0.1 < kEnd; ++i) {
    Sample x;
    x.t = i * 0.1;
    x.rss = 50u << 20;
    x.threads = 8;
    x.fds = 20;
    fill(x.t, x);
    x.hwm = std::max<std::uint64_t>(x.rss, s.samples.empty() ? 0 : s.samples.back().hwm);
    s.samples.push_back(x);
  }
  s.phases = {{"warmup", kWarmup, kSteady}, {"steady", kSteady, kCooldown}, {"cooldown", kCooldown, kEnd}};
  return s;
}

const Metric& get(const Analysis& a, const std::string& name) {
  const Metric* m = a.find(name);
  EXPECT_NE(m, nullptr) << name;
  static Metric none;
  return m ? *m : none;
}

bool loaded(double t) { return t >= kWarmup && t < kCooldown; }

TEST(Analysis, FlatWithNoiseIntervalContainsZero) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0, 200 * 1024);
  auto s = make_series([&](double t, Sample& x) {
    x.rss = static_cast<std::uint64_t>((60 << 20) + noise(rng));
    if (loaded(t)) x.threads = 12;
  });
  auto a = analyze(s, {30000, 35000});
  const Metric& slope = get(a, "rss.slope");
  EXPECT_LE(*slope.ci_low, 0);
  EXPECT_GE(*slope.ci_high, 0);
  EXPECT_TRUE(slope.is_leak_metric);
  EXPECT_EQ(slope.unit, "bytes/s");
  EXPECT_EQ(slope.direction, Direction::kLowerIsBetter);
  const Metric& per_1k = get(a, "rss.retained_per_1k_requests");
  EXPECT_LE(*per_1k.ci_low, 0);
  EXPECT_GE(*per_1k.ci_high, 0);
  EXPECT_NEAR(get(a, "threads.slope").value, 0, 1e-12);
  EXPECT_NEAR(get(a, "threads.residual").value, 0, 1e-12);
  EXPECT_EQ(get(a, "threads.peak").value, 12);
}

// RssAnon and PSS are measured too (thresholds name them), but only RSS is
// compared with a baseline: theirs are reported with no direction. PSS is
// read on some ticks only (0 on the others), which must not read as drops.
TEST(Analysis, AnonymousRssAndPssAreReportedWithoutADirection) {
  const double rate = 64 * 1024;
  auto s = make_series([&](double t, Sample& x) {
    const double grown = rate * (std::clamp(t, kWarmup, kCooldown) - kWarmup);
    x.rss_anon = static_cast<std::uint64_t>((20 << 20) + grown);
    const int tick = static_cast<int>(std::lround(t * 10));
    x.pss = tick % 10 == 0 ? static_cast<std::uint64_t>((30 << 20) + grown) : 0;
  });
  auto a = analyze(s, {30000, 35000});
  for (const char* name : {"rss_anon.slope", "rss_anon.residual", "rss_anon.peak", "pss.slope", "pss.residual",
                           "pss.peak"}) {
    EXPECT_EQ(get(a, name).direction, Direction::kNone) << name;
  }
  EXPECT_NEAR(get(a, "rss_anon.slope").value, rate, rate * 0.01);
  EXPECT_NEAR(get(a, "pss.slope").value, rate, rate * 0.01);
  EXPECT_NEAR(get(a, "rss_anon.residual").value, rate * (kCooldown - kWarmup), rate);
  EXPECT_NEAR(get(a, "pss.residual").value, rate * (kCooldown - kWarmup), rate);
  EXPECT_EQ(get(a, "pss.peak").value, (30 << 20) + rate * (kCooldown - kWarmup));
  EXPECT_EQ(a.find("rss_anon.retained_per_1k_requests"), nullptr);
  EXPECT_EQ(get(a, "rss.slope").direction, Direction::kLowerIsBetter);
}

TEST(Analysis, LinearGrowthDetectedWithTheRightSlope) {
  // 100 KiB/s during load, kept afterwards (a leak); 1,000 requests/s in steady.
  const double rate = 100 * 1024;
  std::mt19937_64 rng(2);
  std::normal_distribution<double> noise(0, 50 * 1024);
  auto s = make_series([&](double t, Sample& x) {
    double grown = rate * (std::clamp(t, kWarmup, kCooldown) - kWarmup);
    x.rss = static_cast<std::uint64_t>((50 << 20) + grown + noise(rng));
  });
  auto a = analyze(s, {30000, 35000});
  const Metric& slope = get(a, "rss.slope");
  EXPECT_NEAR(slope.value, rate, rate * 0.03);
  EXPECT_GT(*slope.ci_low, 0);
  EXPECT_LE(*slope.ci_low, rate);
  EXPECT_GE(*slope.ci_high, rate * 0.99);
  // 100 KiB/s at 1,000 req/s = 100 KiB per 1,000 requests.
  EXPECT_NEAR(get(a, "rss.retained_per_1k_requests").value, rate, rate * 0.03);
  EXPECT_NEAR(get(a, "rss.residual").value, rate * 35, rate * 35 * 0.02);
  EXPECT_GE(get(a, "rss.peak").value, (50 << 20) + rate * 35 * 0.98);
}

TEST(Analysis, StepThatRecoversLeavesNoResidual) {
  auto s = make_series([&](double t, Sample& x) {
    if (loaded(t)) {
      x.rss = 90u << 20;
      x.threads = 40;
      x.fds = 300;
    } else if (t >= kCooldown && t < kCooldown + 1) {
      x.rss = 70u << 20;  // draining
      x.threads = 20;
      x.fds = 100;
    }
  });
  auto a = analyze(s, {30000, 35000});
  EXPECT_EQ(get(a, "rss.residual").value, 0);
  EXPECT_EQ(get(a, "threads.residual").value, 0);
  EXPECT_EQ(get(a, "fds.residual").value, 0);
  EXPECT_EQ(get(a, "rss.slope").value, 0);
  EXPECT_EQ(get(a, "rss.peak").value, 90u << 20);
  EXPECT_EQ(get(a, "threads.peak").value, 40);
  EXPECT_EQ(get(a, "fds.peak").value, 300);
}

TEST(Analysis, ThreadAndFdLeaksStayAfterCooldown) {
  auto s = make_series([&](double t, Sample& x) {
    double n = std::floor(std::clamp(t, kWarmup, kCooldown) - kWarmup);  // +1 per second of load
    x.threads = 8 + static_cast<std::uint64_t>(n);
    x.fds = 20 + 3 * static_cast<std::uint64_t>(n);
  });
  auto a = analyze(s, {30000, 35000});
  EXPECT_EQ(get(a, "threads.residual").value, 35);
  EXPECT_EQ(get(a, "fds.residual").value, 105);
  EXPECT_NEAR(get(a, "threads.slope").value, 1.0, 0.05);
  EXPECT_NEAR(get(a, "fds.slope").value, 3.0, 0.15);
  EXPECT_GT(*get(a, "threads.slope").ci_low, 0);
}

TEST(Analysis, OutliersDoNotMoveTheEstimate) {
  const double rate = 20 * 1024;
  auto clean = make_series([&](double t, Sample& x) {
    x.rss = static_cast<std::uint64_t>((50 << 20) + rate * std::max(0.0, t - kWarmup));
  });
  auto dirty = clean;
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::size_t> pick(0, dirty.samples.size() - 1);
  for (int k = 0; k < 40; ++k) {  // ~10 % of the samples: huge spikes and drops
    auto& x = dirty.samples[pick(rng)];
    x.rss = k % 2 ? x.rss + (500u << 20) : x.rss / 4;
  }
  double a = get(analyze(clean, {30000, 35000}), "rss.slope").value;
  double b = get(analyze(dirty, {30000, 35000}), "rss.slope").value;
  EXPECT_NEAR(a, rate, 1e-6 * rate);
  EXPECT_NEAR(b, rate, 0.02 * rate);
}

TEST(Analysis, CpuPerRequest) {
  // 0.5 s of CPU per second of load (utime 0.4 + stime 0.1), 1,000 req/s loaded.
  auto s = make_series([&](double t, Sample& x) {
    double loaded_s = std::clamp(t, kWarmup, kCooldown) - kWarmup;
    x.utime = 0.2 + 0.4 * loaded_s;
    x.stime = 0.05 + 0.1 * loaded_s;
  });
  auto a = analyze(s, {30000, 35000});
  // 35 s * 0.5 = 17.5 s of CPU for 35,000 requests = 500 us/request.
  EXPECT_NEAR(get(a, "cpu.us_per_request").value, 500, 1);
  EXPECT_EQ(get(a, "cpu.us_per_request").unit, "us");
  EXPECT_FALSE(get(a, "cpu.us_per_request").is_leak_metric);
}

TEST(Analysis, GaugesGetSlopeResidualAndPeak) {
  // go_goroutines leaks 2/s during load, scraped at 1 Hz; the heap gauge is flat.
  auto s = make_series([&](double t, Sample& x) {
    int tick = static_cast<int>(std::lround(t * 10));
    if (tick % 10 != 0) return;
    x.gauges["go_goroutines"] = 10 + 2 * std::floor(std::clamp(t, kWarmup, kCooldown) - kWarmup);
    x.gauges["heap{kind=\"inuse\"}"] = 1e6;
  });
  s.gauge_names = {"go_goroutines", "heap{kind=\"inuse\"}", "never_scraped"};
  auto a = analyze(s, {30000, 35000});
  EXPECT_NEAR(get(a, "gauge.go_goroutines.slope").value, 2.0, 0.1);
  EXPECT_TRUE(get(a, "gauge.go_goroutines.slope").is_leak_metric);
  EXPECT_EQ(get(a, "gauge.go_goroutines.residual").value, 70);
  EXPECT_EQ(get(a, "gauge.go_goroutines.peak").value, 80);
  EXPECT_EQ(get(a, "gauge.heap{kind=\"inuse\"}.slope").value, 0);
  EXPECT_EQ(get(a, "gauge.heap{kind=\"inuse\"}.residual").value, 0);
  EXPECT_EQ(a.find("gauge.never_scraped.slope"), nullptr);
  EXPECT_FALSE(a.notes.empty());
}

TEST(Analysis, MissingPhasesAndRequestsGiveNotesNotNonsense) {
  auto s = make_series([](double, Sample&) {});
  s.phases.clear();
  auto a = analyze(s, {0, 0});
  EXPECT_EQ(a.find("rss.slope"), nullptr);
  EXPECT_EQ(a.find("rss.residual"), nullptr);
  EXPECT_NE(a.find("rss.peak"), nullptr);
  EXPECT_FALSE(a.notes.empty());

  auto b = analyze(make_series([](double, Sample&) {}), {0, 0});
  EXPECT_NE(b.find("rss.slope"), nullptr);
  EXPECT_EQ(b.find("rss.retained_per_1k_requests"), nullptr);
  EXPECT_EQ(b.find("cpu.us_per_request"), nullptr);

  auto c = analyze(SampleSeries{}, {10, 10});
  EXPECT_TRUE(c.metrics.empty());
}

TEST(Analysis, LongSeriesIsThinnedAndFast) {
  // An hour at 10 Hz in steady.
  SampleSeries s;
  for (int i = 0; i < 36000; ++i) {
    Sample x;
    x.t = i * 0.1;
    x.rss = static_cast<std::uint64_t>(1e8 + 10.0 * x.t) + (i % 7) * 4096;
    s.samples.push_back(x);
  }
  s.phases = {{"steady", 0, 3600}};
  auto a = analyze(s, {3600000, 3600000});
  EXPECT_NEAR(get(a, "rss.slope").value, 10.0, 1.0);
}

}  // namespace
}  // namespace h2soak::analysis
