#include "harness/metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace h2soak::metrics {
namespace {

std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (p >= 100) return sorted.back();
  if (p <= 0) return sorted.front();
  return sorted[Histogram::rank_for_percentile(p, sorted.size()) - 1];
}

template <typename Gen>
std::vector<std::uint64_t> draw(Gen gen, std::size_t n, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) {
    double d = gen(rng);
    if (d < 0) d = 0;
    if (d > static_cast<double>(Histogram::kMaxValue)) d = static_cast<double>(Histogram::kMaxValue);
    x = static_cast<std::uint64_t>(d);
  }
  return v;
}

void expect_matches_exact(const std::vector<std::uint64_t>& values, const char* what) {
  Histogram h;
  for (auto v : values) h.record(v);
  std::vector<std::uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(h.count(), values.size()) << what;
  EXPECT_EQ(h.min(), sorted.front()) << what;
  EXPECT_EQ(h.max(), sorted.back()) << what;
  EXPECT_EQ(h.value_at_percentile(100), sorted.back()) << what;
  EXPECT_EQ(h.value_at_percentile(0), sorted.front()) << what;
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const double exact = static_cast<double>(exact_percentile(sorted, p));
    const double got = static_cast<double>(h.value_at_percentile(p));
    const double err = exact == 0 ? std::abs(got) : std::abs(got - exact) / exact;
    EXPECT_LE(err, 0.001) << what << " p" << p << " exact " << exact << " got " << got;
  }
  long double sum = 0;
  for (auto v : values) sum += v;
  EXPECT_NEAR(h.mean(), static_cast<double>(sum / values.size()), 1e-6 * h.mean()) << what;
  // sd from buckets: within the bucket resolution of the exact population sd.
  long double m = sum / values.size(), acc = 0;
  for (auto v : values) acc += (v - m) * (v - m);
  const double sd = std::sqrt(static_cast<double>(acc / values.size()));
  EXPECT_NEAR(h.stddev(), sd, 0.002 * sd + 1) << what;
}

TEST(Histogram, UniformMatchesExactPercentiles) {
  expect_matches_exact(draw(std::uniform_real_distribution<double>(0, 2e6), 1'000'000, 1), "uniform");
}

TEST(Histogram, ExponentialMatchesExactPercentiles) {
  expect_matches_exact(draw(std::exponential_distribution<double>(1.0 / 20'000), 1'000'000, 2),
                       "exponential");
}

TEST(Histogram, LognormalMatchesExactPercentiles) {
  expect_matches_exact(draw(std::lognormal_distribution<double>(std::log(5'000.0), 1.5), 1'000'000, 3),
                       "lognormal");
}

TEST(Histogram, WideLognormalMatchesExactPercentiles) {
  // Spans the exact range, the log-linear range and saturation.
  expect_matches_exact(draw(std::lognormal_distribution<double>(std::log(1e6), 3.0), 300'000, 4),
                       "wide lognormal");
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 2 * Histogram::kSubBuckets; ++v) h.record(v);
  for (std::uint64_t v = 0; v < 2 * Histogram::kSubBuckets; ++v) {
    EXPECT_EQ(Histogram::bucket_lowest(Histogram::bucket_index(v)), v);
    EXPECT_EQ(Histogram::bucket_highest(Histogram::bucket_index(v)), v);
  }
  EXPECT_EQ(h.value_at_percentile(50), 1023u);
}

TEST(Histogram, BucketArithmeticIsConsistent) {
  const std::uint32_t n = Histogram::bucket_count();
  EXPECT_EQ(Histogram::bucket_index(Histogram::kMaxValue), n - 1);
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    ASSERT_EQ(Histogram::bucket_highest(i) + 1, Histogram::bucket_lowest(i + 1)) << i;
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_lowest(i)), i);
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_highest(i)), i);
    const double lo = static_cast<double>(Histogram::bucket_lowest(i));
    const double width = static_cast<double>(Histogram::bucket_highest(i)) - lo + 1;
    // Exact buckets hold one value; log-linear ones are at most 1/kSubBuckets wide.
    if (width > 1) {
      ASSERT_LE(width / lo, 1.0 / Histogram::kSubBuckets + 1e-12) << i;
    }
  }
}

TEST(Histogram, MergeEqualsHistogramOfUnion) {
  auto a = draw(std::lognormal_distribution<double>(std::log(3'000.0), 1.2), 200'000, 5);
  auto b = draw(std::exponential_distribution<double>(1.0 / 50'000), 150'000, 6);
  Histogram ha, hb, hu;
  for (auto v : a) { ha.record(v); hu.record(v); }
  for (auto v : b) { hb.record(v); hu.record(v); }
  hb.record(Histogram::kMaxValue + 5);
  hu.record(Histogram::kMaxValue + 5);
  Histogram merged;
  merged.merge(ha);
  merged.merge(hb);
  EXPECT_TRUE(merged == hu);
  EXPECT_EQ(merged.to_sparse().size(), hu.to_sparse().size());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    EXPECT_EQ(merged.value_at_percentile(p), hu.value_at_percentile(p));
  }
  EXPECT_EQ(merged.saturated(), 1u);
  // Merging an empty histogram changes nothing; merging into an empty one copies.
  Histogram empty;
  merged.merge(empty);
  EXPECT_TRUE(merged == hu);
  empty.merge(ha);
  EXPECT_TRUE(empty == ha);
}

TEST(Histogram, SparseRoundTrip) {
  auto values = draw(std::lognormal_distribution<double>(std::log(8'000.0), 2.0), 100'000, 7);
  Histogram h;
  for (auto v : values) h.record(v);
  h.record(Histogram::kMaxValue * 2);
  const auto sparse = h.to_sparse();
  ASSERT_FALSE(sparse.empty());
  for (std::size_t i = 1; i < sparse.size(); ++i) ASSERT_LT(sparse[i - 1].index, sparse[i].index);
  Histogram back;
  ASSERT_TRUE(back.from_sparse(sparse, h.min(), h.max(), h.sum(), h.saturated()));
  EXPECT_TRUE(back == h);
  EXPECT_EQ(back.value_at_percentile(99.9), h.value_at_percentile(99.9));
}

TEST(Histogram, FromSparseRejectsInconsistentInput) {
  Histogram h;
  h.record(10);
  h.record(5000);
  const auto sparse = h.to_sparse();
  Histogram back;
  // Index out of range.
  EXPECT_FALSE(back.from_sparse({{Histogram::bucket_count(), 1}}, 1, 1, 1, 0));
  EXPECT_EQ(back.count(), 0u);
  // Not ascending.
  EXPECT_FALSE(back.from_sparse({sparse[1], sparse[0]}, 10, 5000, 5010, 0));
  // Zero count.
  EXPECT_FALSE(back.from_sparse({{10, 0}}, 10, 10, 0, 0));
  // min / max outside their buckets.
  EXPECT_FALSE(back.from_sparse(sparse, 11, 5000, 5010, 0));
  EXPECT_FALSE(back.from_sparse(sparse, 10, 9000, 5010, 0));
  // Saturated without max at the limit.
  EXPECT_FALSE(back.from_sparse(sparse, 10, 5000, 5010, 1));
  // NaN sum.
  EXPECT_FALSE(back.from_sparse(sparse, 10, 5000, std::nan(""), 0));
  EXPECT_EQ(back.count(), 0u);
  // Empty is fine.
  EXPECT_TRUE(back.from_sparse({}, 0, 0, 0, 0));
  EXPECT_EQ(back.count(), 0u);
}

TEST(Histogram, ClampsAndCountsSaturation) {
  Histogram h;
  h.record(Histogram::kMaxValue + 1);
  h.record(UINT64_MAX, 3);
  h.record(Histogram::kMaxValue);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.saturated(), 4u);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  EXPECT_EQ(h.min(), Histogram::kMaxValue);
  EXPECT_EQ(h.value_at_percentile(50), Histogram::kMaxValue);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(Histogram::kMaxValue));
  h.record(0);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.value_at_percentile(1), 0u);
}

TEST(Histogram, RecordWithCount) {
  Histogram a, b;
  a.record(12345, 7);
  for (int i = 0; i < 7; ++i) b.record(12345);
  EXPECT_TRUE(a == b);
  a.record(99, 0);  // no-op
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.value_at_percentile(50), 12345u);  // clamped to min/max: exact
}

TEST(Histogram, EmptyHistogram) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.stddev(), 0.0);
  EXPECT_EQ(h.value_at_percentile(50), 0u);
  EXPECT_EQ(h.value_at_percentile(100), 0u);
  EXPECT_TRUE(h.to_sparse().empty());
  h.record(42);
  h.reset();
  EXPECT_TRUE(h == Histogram());
}

TEST(Histogram, RankRule) {
  EXPECT_EQ(Histogram::rank_for_percentile(50, 0), 0u);
  EXPECT_EQ(Histogram::rank_for_percentile(50, 1), 1u);
  EXPECT_EQ(Histogram::rank_for_percentile(50, 10), 5u);
  EXPECT_EQ(Histogram::rank_for_percentile(51, 10), 6u);
  EXPECT_EQ(Histogram::rank_for_percentile(99.99, 1'000'000), 999'900u);
  EXPECT_EQ(Histogram::rank_for_percentile(100, 7), 7u);
  EXPECT_EQ(Histogram::rank_for_percentile(0, 7), 1u);
}

}  // namespace
}  // namespace h2soak::metrics
