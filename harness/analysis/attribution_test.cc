#include "harness/analysis/attribution.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace h2soak::analysis {
namespace {

bool contains(double low, double high, double v) { return low <= v && v <= high; }

// Steady from 10 s: 16 slots of 4 s; kinds A, B, C follow rows 1..3 of the
// Sylvester-Hadamard matrix H_8 (on in slot s iff popcount((k+1) & (s % 8)) is
// even), twice over, starting Poisson(10/s * 4 s) events per on-slot at
// uniform times within the slot. Sampled every 0.1 s from 0 to 80 s:
//   y = 1e6 + drift * t + sum_k effect[k] * (events of k started before t) + noise
// where noise is N(0, noise_sd) per sample (white) or a random walk with
// N(0, noise_sd) steps (steps: what the intervals assume, see attribution.h).
enum class Noise { kWhite, kSteps };
AttributionInput synthetic(std::array<double, 3> effect, double drift, double noise_sd, unsigned seed,
                           Noise kind = Noise::kWhite) {
  constexpr int kSlots = 16;
  constexpr double kStart = 10, kSlot = 4, kRate = 10;
  std::mt19937 rng(seed);
  std::poisson_distribution<int> count(kRate * kSlot);
  std::uniform_real_distribution<double> within(0, kSlot);
  std::normal_distribution<double> noise(0, noise_sd);

  AttributionInput in;
  in.kinds = {"A", "B", "C"};
  in.events.assign(3, std::vector<double>(kSlots, 0));
  for (int s = 0; s <= kSlots; ++s) in.edges.push_back(kStart + kSlot * s);
  std::array<std::vector<double>, 3> times;
  for (int k = 0; k < 3; ++k) {
    for (int s = 0; s < kSlots; ++s) {
      if (std::popcount(static_cast<unsigned>((k + 1) & (s % 8))) % 2 != 0) continue;
      int n = count(rng);
      in.events[k][s] = n;
      for (int i = 0; i < n; ++i) times[k].push_back(in.edges[s] + within(rng));
    }
    std::sort(times[k].begin(), times[k].end());
  }
  double walk = 0;
  for (int i = 0; i <= 800; ++i) {
    walk += kind == Noise::kSteps ? noise(rng) : 0;
    double t = i * 0.1, y = 1e6 + drift * t + (kind == Noise::kSteps ? walk : noise(rng));
    for (int k = 0; k < 3; ++k) {
      auto before = std::lower_bound(times[k].begin(), times[k].end(), t) - times[k].begin();
      y += effect[k] * static_cast<double>(before);
    }
    in.t.push_back(t);
    in.y.push_back(y);
  }
  return in;
}

TEST(Attribution, FindsTheKindThatRetains) {
  const AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  const Attribution a = attribute(in);
  ASSERT_TRUE(a.separable) << a.why;
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(a.dof, 16 - 4);
  EXPECT_EQ(a.rows[0].kind, "A");
  EXPECT_EQ(a.rows[1].kind, "B");
  EXPECT_EQ(a.rows[2].kind, "C");
  const AttributionRow& b = a.rows[1];
  EXPECT_NEAR(b.per_event, 5000, 500);
  EXPECT_TRUE(contains(b.ci_low, b.ci_high, 5000)) << b.ci_low << " .. " << b.ci_high;
  EXPECT_LT(b.ci_low, b.per_event);  // a real interval, not a point
  EXPECT_GT(b.share, 0.9);
  double b_events = 0;
  for (double n : in.events[1]) b_events += n;
  EXPECT_EQ(b.events, b_events);
  EXPECT_TRUE(contains(a.rows[0].ci_low, a.rows[0].ci_high, 0)) << a.rows[0].ci_low << " .. " << a.rows[0].ci_high;
  EXPECT_TRUE(contains(a.rows[2].ci_low, a.rows[2].ci_high, 0)) << a.rows[2].ci_low << " .. " << a.rows[2].ci_high;
  EXPECT_NEAR(a.total_growth, 5000 * b_events, 0.02 * 5000 * b_events);
}

TEST(Attribution, SeparatesSeveralKinds) {
  const AttributionInput in = synthetic({1000, 5000, -300}, 50, 100, 3, Noise::kSteps);
  const Attribution a = attribute(in);
  ASSERT_TRUE(a.separable) << a.why;
  const double effect[] = {1000, 5000, -300};
  double explained = a.per_second * (in.edges.back() - in.edges.front());
  for (int k = 0; k < 3; ++k) {
    const AttributionRow& row = a.rows[k];
    EXPECT_NEAR(row.per_event, effect[k], 100) << row.kind;
    EXPECT_TRUE(contains(row.ci_low, row.ci_high, effect[k])) << row.kind << ": " << row.ci_low << " .. " << row.ci_high;
    explained += row.share * a.total_growth;
  }
  EXPECT_TRUE(contains(a.per_second_ci_low, a.per_second_ci_high, 50))
      << a.per_second_ci_low << " .. " << a.per_second_ci_high;
  // Equal slots: the drift column acts as an intercept, so the residuals sum
  // to 0 and the kinds' shares plus the drift make up the whole growth.
  EXPECT_NEAR(explained, a.total_growth, 1e-6 * std::abs(a.total_growth));
}

TEST(Attribution, PureDriftIsNotBlamedOnEvents) {
  const Attribution a = attribute(synthetic({0, 0, 0}, 1000, 20, 7, Noise::kSteps));
  ASSERT_TRUE(a.separable) << a.why;
  EXPECT_NEAR(a.per_second, 1000, 20);
  EXPECT_TRUE(contains(a.per_second_ci_low, a.per_second_ci_high, 1000))
      << a.per_second_ci_low << " .. " << a.per_second_ci_high;
  EXPECT_NEAR(a.total_growth, 1000 * 64, 0.02 * 1000 * 64);
  for (const auto& row : a.rows) {
    EXPECT_TRUE(contains(row.ci_low, row.ci_high, 0)) << row.kind << ": " << row.ci_low << " .. " << row.ci_high;
    EXPECT_LT(std::abs(row.share), 0.05) << row.kind;
  }
}

TEST(Attribution, IntervalCoverageOnSteppyNoise) {
  // With random-walk noise the per-slot responses are independent, so each
  // 95 % interval should hold the true value about 95 % of the time. (With
  // white noise on the levels they are anti-correlated and the interval of
  // the kind switched every slot, A, covers only about 85 %.)
  int covered_a = 0, covered_b = 0, trials = 200;
  for (int i = 0; i < trials; ++i) {
    const Attribution a = attribute(synthetic({0, 5000, 0}, 100, 300, 100 + i, Noise::kSteps));
    ASSERT_TRUE(a.separable) << a.why;
    if (contains(a.rows[0].ci_low, a.rows[0].ci_high, 0)) ++covered_a;
    if (contains(a.rows[1].ci_low, a.rows[1].ci_high, 5000)) ++covered_b;
  }
  EXPECT_GE(covered_a, trials * 89 / 100);
  EXPECT_LE(covered_a, trials * 99 / 100);
  EXPECT_GE(covered_b, trials * 89 / 100);
  EXPECT_LE(covered_b, trials * 99 / 100);
}

TEST(Attribution, KindWithoutEventsIsReportedAsZero) {
  AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  in.events[2].assign(in.events[2].size(), 0);
  const Attribution a = attribute(in);
  ASSERT_TRUE(a.separable) << a.why;
  EXPECT_EQ(a.dof, 16 - 3);
  EXPECT_NEAR(a.rows[1].per_event, 5000, 500);
  const AttributionRow& c = a.rows[2];
  EXPECT_EQ(c.kind, "C");
  EXPECT_EQ(c.per_event, 0);
  EXPECT_EQ(c.ci_low, 0);
  EXPECT_EQ(c.ci_high, 0);
  EXPECT_EQ(c.events, 0);
  EXPECT_EQ(c.share, 0);
}

TEST(Attribution, CollinearCountsAreNotSeparable) {
  // Every kind on in every slot with the same counts: each column is a
  // multiple of the slot-length column.
  AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  for (auto& e : in.events) e.assign(e.size(), 40);
  const Attribution a = attribute(in);
  EXPECT_FALSE(a.separable);
  EXPECT_NE(a.why.find("collinear"), std::string::npos) << a.why;
  EXPECT_TRUE(a.rows.empty());

  // Nearly so (1 - R² about 1e-14) is treated the same.
  for (std::size_t k = 0; k < in.events.size(); ++k) in.events[k][k + 5] += 1e-5;
  const Attribution b = attribute(in);
  EXPECT_FALSE(b.separable);
  EXPECT_NE(b.why.find("collinear"), std::string::npos) << b.why;
}

TEST(Attribution, TooFewSlotsAreNotSeparable) {
  // S = K + 1: as many slots as fitted columns, no degree of freedom left.
  AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  in.edges.resize(5);
  for (auto& e : in.events) e.resize(4);
  const Attribution a = attribute(in);
  EXPECT_FALSE(a.separable);
  EXPECT_NE(a.why.find("too few slots"), std::string::npos) << a.why;
  EXPECT_TRUE(a.rows.empty());
}

TEST(Attribution, SamplesMustCoverTheSlots) {
  AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  AttributionInput late = in;  // sampling stopped before the last edge (74 s)
  while (late.t.back() > 30) {
    late.t.pop_back();
    late.y.pop_back();
  }
  Attribution a = attribute(late);
  EXPECT_FALSE(a.separable);
  EXPECT_EQ(a.why, "samples do not cover the slots");

  AttributionInput early = in;  // sampling started after the first edge (10 s)
  early.t.erase(early.t.begin(), early.t.begin() + 150);
  early.y.erase(early.y.begin(), early.y.begin() + 150);
  a = attribute(early);
  EXPECT_FALSE(a.separable);
  EXPECT_EQ(a.why, "samples do not cover the slots");
}

TEST(Attribution, MalformedInputIsNotSeparable) {
  AttributionInput in = synthetic({0, 5000, 0}, 0, 2000, 42);
  AttributionInput short_counts = in;
  short_counts.events[1].pop_back();
  EXPECT_FALSE(attribute(short_counts).separable);
  AttributionInput unsorted = in;
  std::swap(unsorted.t[3], unsorted.t[4]);
  EXPECT_FALSE(attribute(unsorted).separable);
  AttributionInput no_slots = in;
  no_slots.edges.resize(1);
  EXPECT_FALSE(attribute(no_slots).separable);
}

TEST(StudentT975, KnownValues) {
  EXPECT_NEAR(student_t_975(1), 12.706, 1e-3);
  EXPECT_NEAR(student_t_975(2), 4.303, 1e-3);
  EXPECT_NEAR(student_t_975(3), 3.182, 1e-3);
  EXPECT_NEAR(student_t_975(5), 2.571, 1e-3);
  EXPECT_NEAR(student_t_975(10), 2.228, 1e-3);
  EXPECT_NEAR(student_t_975(30), 2.042, 1e-3);
  EXPECT_NEAR(student_t_975(120), 1.980, 1e-3);
  EXPECT_NEAR(student_t_975(1000), 1.962339, 1e-5);
  EXPECT_NEAR(student_t_975(1000000), 1.960, 1e-3);
  // Where the exact CDF hands over to the expansion.
  EXPECT_NEAR(student_t_975(200), 1.971896, 1e-5);
  EXPECT_NEAR(student_t_975(201), 1.971837, 1e-5);
  EXPECT_TRUE(std::isinf(student_t_975(0)));
}

}  // namespace
}  // namespace h2soak::analysis
