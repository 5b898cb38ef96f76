#include "harness/analysis/theil_sen.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace h2soak::analysis {
namespace {

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959964, 1e-5);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-9);
  EXPECT_NEAR(normal_quantile(0.005), -2.575829, 1e-5);
}

TEST(TheilSen, ExactLine) {
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i * 0.1);
    y.push_back(3.0 + 2.0 * i * 0.1);
  }
  auto f = theil_sen(x, y);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->slope, 2.0, 1e-9);
  EXPECT_NEAR(f->intercept, 3.0, 1e-9);
  EXPECT_NEAR(f->ci_low, 2.0, 1e-9);
  EXPECT_NEAR(f->ci_high, 2.0, 1e-9);
}

TEST(TheilSen, TooFewPoints) {
  EXPECT_FALSE(theil_sen({1, 2}, {1, 2}));
  EXPECT_FALSE(theil_sen({1, 1, 1}, {1, 2, 3}));  // no distinct x
}

TEST(TheilSen, IntervalCoverageOnNoise) {
  // Over many independent flat+noise series, a 95 % interval should contain 0
  // about 95 % of the time.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  int covered = 0, trials = 300;
  for (int k = 0; k < trials; ++k) {
    std::vector<double> x, y;
    for (int i = 0; i < 60; ++i) {
      x.push_back(i);
      y.push_back(noise(rng));
    }
    auto f = theil_sen(x, y);
    ASSERT_TRUE(f);
    if (f->ci_low <= 0 && 0 <= f->ci_high) ++covered;
  }
  EXPECT_GE(covered, trials * 90 / 100);
  EXPECT_LE(covered, trials * 99 / 100);
}

TEST(TheilSen, AutocorrelatedNoiseWidensTheInterval) {
  // AR(1) noise with phi = 0.9 around a flat line: consecutive samples are
  // alike, as RSS samples are. Uncorrected, Sen's interval would exclude 0
  // far more often than 5 % of the time.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 1);
  int covered = 0, trials = 200;
  double factor_sum = 0;
  for (int k = 0; k < trials; ++k) {
    std::vector<double> x, y;
    double e = 0;
    for (int i = 0; i < 300; ++i) {
      e = 0.9 * e + noise(rng);
      x.push_back(i);
      y.push_back(e);
    }
    auto f = theil_sen(x, y);
    ASSERT_TRUE(f);
    factor_sum += f->autocorrelation_factor;
    if (f->ci_low <= 0 && 0 <= f->ci_high) ++covered;
  }
  EXPECT_GT(factor_sum / trials, 5.0);
  EXPECT_GE(covered, trials * 80 / 100);
}

TEST(TheilSen, ThinsLongSeries) {
  std::vector<double> x, y;
  for (int i = 0; i < 20000; ++i) {
    x.push_back(i * 0.1);
    y.push_back(1000 + 5.0 * i * 0.1 + ((i * 7919) % 13) - 6);
  }
  auto f = theil_sen(x, y, 0.95, 500);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->points, 500u);
  EXPECT_NEAR(f->slope, 5.0, 0.05);
  EXPECT_LT(f->ci_low, f->ci_high);
}

}  // namespace
}  // namespace h2soak::analysis
