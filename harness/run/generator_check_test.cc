#include "harness/run/generator_check.h"

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

// A worker busy `busy` in every 1 s interval of [0, seconds], with `lags`
// (µs) recorded as its timer lateness.
result::GeneratorWorker worker(double busy, int seconds, const std::vector<std::uint64_t>& lags = {}) {
  result::GeneratorWorker w;
  for (int s = 1; s <= seconds; ++s) {
    w.t.push_back(s);
    w.busy.push_back(busy);
    w.lag_max.push_back(0);
  }
  for (auto v : lags) w.loop_lag.record(v);
  return w;
}

const sampler::PhaseMark kSteady{"steady", 2, 12};

TEST(GeneratorCheck, AnIdleGeneratorHasItsFiguresAndNoWarning) {
  result::Generator g;
  g.workers = {worker(0.2, 15, std::vector<std::uint64_t>(200, 800)), worker(0.35, 15)};
  std::map<std::string, result::AnalysisMetric> out;
  EXPECT_TRUE(check_generator(g, kSteady, 2, out).empty());
  EXPECT_NEAR(out.at("generator.busy").value, 0.35, 1e-9);
  EXPECT_EQ(out.at("generator.busy").direction, result::Direction::kNone);
  EXPECT_NEAR(out.at("generator.loop_lag.p99").value, 800, 1);
}

// Only the steady intervals count: a busy warm-up (connection setup) is not saturation.
TEST(GeneratorCheck, BusyOnlyOverSteadyWarns) {
  result::Generator g;
  g.workers = {worker(0.5, 15), worker(0.3, 15)};
  for (std::size_t i = 2; i < 12; ++i) g.workers[1].busy[i] = 0.97;  // intervals ending at 3..12 s
  std::map<std::string, result::AnalysisMetric> out;
  auto w = check_generator(g, kSteady, 2, out);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("CPU-saturated"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("worker thread 1 of 2 was busy 97 %"), std::string::npos) << w[0];

  result::Generator warm;
  warm.workers = {worker(0.3, 15)};
  warm.workers[0].busy[0] = warm.workers[0].busy[1] = 1.0;  // intervals ending at 1 and 2 s: before steady
  out.clear();
  EXPECT_TRUE(check_generator(warm, kSteady, 2, out).empty());
  EXPECT_NEAR(out.at("generator.busy").value, 0.3, 1e-9);
}

TEST(GeneratorCheck, LateTimersOnMoreThanOnePercentOfTicksWarn) {
  std::vector<std::uint64_t> lags(100, 500);
  lags[0] = 90'000;  // one late tick in 100: p99 still on time
  result::Generator g;
  g.workers = {worker(0.4, 15, lags)};
  std::map<std::string, result::AnalysisMetric> out;
  EXPECT_TRUE(check_generator(g, kSteady, 2, out).empty());
  EXPECT_NEAR(out.at("generator.loop_lag.max").value, 90'000, 100);

  lags[1] = lags[2] = 45'000;  // three in 100
  g.workers = {worker(0.4, 15, lags)};
  auto w = check_generator(g, kSteady, 2, out);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("fell behind its schedule"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("worst 90.0 ms"), std::string::npos) << w[0];
}

TEST(GeneratorCheck, ProcessFiguresComeFromItsOwnSamples) {
  result::Generator g;
  sampler::SampleSeries s;
  for (int i = 0; i <= 14; ++i) {
    sampler::Sample x;
    x.t = i;
    x.rss = (40 + static_cast<std::uint64_t>(i)) << 20;
    x.fds = 10 + static_cast<std::uint64_t>(i % 3);
    x.threads = 5;
    x.utime = 0.6 * i;  // 0.6 + 0.2 cores
    x.stime = 0.2 * i;
    s.samples.push_back(x);
  }
  g.samples = s;
  std::map<std::string, result::AnalysisMetric> out;
  check_generator(g, kSteady, 2, out);
  EXPECT_EQ(out.at("generator.rss.peak").value, static_cast<double>(54u << 20));
  EXPECT_EQ(out.at("generator.fds.peak").value, 12);
  EXPECT_EQ(out.at("generator.threads.peak").value, 5);
  EXPECT_NEAR(out.at("generator.cpu").value, 0.8, 1e-9);
  EXPECT_EQ(out.count("generator.busy"), 0u);  // no worker figures: no busy metric
}

}  // namespace
}  // namespace h2soak::run
