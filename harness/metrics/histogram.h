#pragma once
// An HDR-style log-linear histogram of non-negative integer values (h2soak
// records latencies in microseconds). Fixed memory, ~3 significant digits,
// exact merge: merge(a, b) equals the histogram of the union of their values.
//
// Layout: values below 2 * kSubBuckets are counted exactly; above that each
// power-of-two range [2^k, 2^(k+1)) is split into kSubBuckets linear buckets,
// so the relative width of a bucket is at most 1 / kSubBuckets (< 0.1 %).
// The reported value of a bucket is its midpoint (its lowest value when the
// bucket holds one value), clamped to the recorded min and max, so min and max
// are always exact.
//
// Threading: not thread-safe; each worker owns its histograms and the runner
// merges them after the threads join (STYLE.md habit 3).

#include <cstdint>
#include <vector>

namespace h2soak::metrics {

class Histogram {
 public:
  // 1 h in microseconds: the largest value kept as is; larger values are
  // recorded as kMaxValue and counted in saturated().
  static constexpr std::uint64_t kMaxValue = 3'600'000'000ULL;
  static constexpr std::uint32_t kSubBuckets = 1024;

  Histogram();

  // O(1), no allocation.
  void record(std::uint64_t value, std::uint64_t count = 1);
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t saturated() const { return saturated_; }
  std::uint64_t min() const;  // 0 when empty
  std::uint64_t max() const;  // 0 when empty
  double mean() const;        // exact (kept as a running sum)
  double stddev() const;      // population standard deviation, from the buckets
  // p in [0, 100]. The smallest recorded bucket value v such that at least
  // p % of the values are <= v. p = 100 returns max() exactly; empty: 0.
  // p <= 0 returns min() exactly. O(number of buckets between min and max).
  std::uint64_t value_at_percentile(double p) const;
  // The 1-based rank of the value that percentile p designates among `count`
  // sorted values: ceil(p / 100 * count), at least 1 (0 when count is 0).
  // Exposed so that tests compute exact percentiles with the same rule.
  static std::uint64_t rank_for_percentile(double p, std::uint64_t count);

  // Sparse form for JSON: (bucket index, count) pairs of non-empty buckets in
  // ascending order. from_sparse(to_sparse()) reproduces the histogram exactly.
  struct Bucket {
    std::uint32_t index;
    std::uint64_t count;
  };
  std::vector<Bucket> to_sparse() const;
  // Returns false (and leaves *this empty) when an index is out of range, the
  // indices are not strictly ascending, a count is 0, or min/max/saturated do
  // not fit the buckets (min in the first bucket, max in the last one,
  // saturated only with max == kMaxValue). An empty list gives an empty histogram.
  bool from_sparse(const std::vector<Bucket>& buckets, std::uint64_t min, std::uint64_t max,
                   double sum, std::uint64_t saturated);
  double sum() const { return sum_; }

  // Bucket arithmetic, exposed for tests and the JSON codec.
  static std::uint32_t bucket_index(std::uint64_t value);
  static std::uint64_t bucket_lowest(std::uint32_t index);
  static std::uint64_t bucket_highest(std::uint32_t index);
  static std::uint32_t bucket_count();

  // Equal buckets, count, saturated, min, max and sum.
  bool operator==(const Histogram& other) const;

 private:
  std::uint64_t reported_value(std::uint32_t index) const;

  std::vector<std::uint64_t> counts_;  // bucket_count() entries, allocated once
  std::uint64_t count_ = 0;
  std::uint64_t saturated_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace h2soak::metrics
