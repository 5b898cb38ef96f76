#include "harness/compare/stats.h"

#include <gtest/gtest.h>

namespace h2soak::compare {
namespace {

TEST(Stats, MedianOddEvenAndUnsorted) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({7}), 7);
}

TEST(Stats, MadAndSd) {
  EXPECT_DOUBLE_EQ(median_absolute_deviation({1, 2, 3, 4, 100}), 1);  // robust to the outlier
  EXPECT_DOUBLE_EQ(median_absolute_deviation({5}), 0);
  EXPECT_NEAR(sample_sd({2, 4, 4, 4, 5, 5, 7, 9}), 2.138, 1e-3);
  EXPECT_DOUBLE_EQ(sample_sd({5}), 0);
}

TEST(MannWhitney, FiveVersusFiveSeparatedIsExactAndSignificant) {
  auto r = mann_whitney_u({10, 11, 12, 13, 14}, {1, 2, 3, 4, 5});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u_a, 25);
  EXPECT_DOUBLE_EQ(r.u_b, 0);
  EXPECT_NEAR(r.p_value, 2.0 / 252.0, 1e-12);  // the smallest p for 5 vs 5
}

TEST(MannWhitney, SmallestReachablePValues) {
  // benchstat's rule: 3 vs 3 can never reach 0.05, 4 vs 4 can.
  EXPECT_NEAR(mann_whitney_u({4, 5, 6}, {1, 2, 3}).p_value, 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_u({5, 6, 7, 8}, {1, 2, 3, 4}).p_value, 2.0 / 70.0, 1e-12);
}

TEST(MannWhitney, InterleavedMatchesExactDistribution) {
  // U = 10 of 25; P(U <= 10) = 87/252 for 5 vs 5 (scipy: 0.6905).
  auto r = mann_whitney_u({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10});
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p_value, 2.0 * 87.0 / 252.0, 1e-12);
}

TEST(MannWhitney, IdenticalSamplesGiveOne) {
  auto r = mann_whitney_u({5, 5, 5, 5, 5}, {5, 5, 5, 5, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.p_value, 1);
  EXPECT_DOUBLE_EQ(r.u_a, 12.5);
}

TEST(MannWhitney, TiesUseNormalApproximation) {
  auto r = mann_whitney_u({3, 3, 4, 4, 4}, {1, 1, 2, 2, 3});
  EXPECT_FALSE(r.exact);
  EXPECT_LT(r.p_value, 0.05);
  EXPECT_GT(r.p_value, 0.001);
}

}  // namespace
}  // namespace h2soak::compare
