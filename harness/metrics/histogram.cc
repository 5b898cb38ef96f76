#include "harness/metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace h2soak::metrics {
namespace {

// log2 of kSubBuckets: the number of significant bits kept above the exact range.
constexpr std::uint32_t kSubBits = std::countr_zero(Histogram::kSubBuckets);
static_assert((1u << kSubBits) == Histogram::kSubBuckets, "kSubBuckets must be a power of two");
// Values below kExactLimit get one bucket each.
constexpr std::uint64_t kExactLimit = 2ULL * Histogram::kSubBuckets;

constexpr std::uint32_t index_of(std::uint64_t value) {
  if (value < kExactLimit) return static_cast<std::uint32_t>(value);
  const std::uint32_t k = 63u - static_cast<std::uint32_t>(std::countl_zero(value));  // 2^k <= value
  const std::uint32_t shift = k - kSubBits;
  const std::uint32_t sub = static_cast<std::uint32_t>(value >> shift) - Histogram::kSubBuckets;
  return static_cast<std::uint32_t>(kExactLimit) + (k - kSubBits - 1) * Histogram::kSubBuckets + sub;
}

constexpr std::uint32_t kBucketCount = index_of(Histogram::kMaxValue) + 1;

// The value a bucket stands for before clamping: its midpoint, rounded down.
std::uint64_t bucket_value(std::uint32_t index) {
  const std::uint64_t lo = Histogram::bucket_lowest(index);
  const std::uint64_t hi = Histogram::bucket_highest(index);
  return lo + (hi - lo) / 2;
}

}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

std::uint32_t Histogram::bucket_count() { return kBucketCount; }

std::uint32_t Histogram::bucket_index(std::uint64_t value) {
  return index_of(std::min(value, kMaxValue));
}

std::uint64_t Histogram::bucket_lowest(std::uint32_t index) {
  if (index < kExactLimit) return index;
  const std::uint32_t rel = index - static_cast<std::uint32_t>(kExactLimit);
  const std::uint32_t k = rel / kSubBuckets + kSubBits + 1;  // the power of two of the range
  const std::uint64_t sub = rel % kSubBuckets;
  const std::uint32_t shift = k - kSubBits;
  return (static_cast<std::uint64_t>(kSubBuckets) + sub) << shift;
}

std::uint64_t Histogram::bucket_highest(std::uint32_t index) {
  if (index < kExactLimit) return index;
  const std::uint32_t rel = index - static_cast<std::uint32_t>(kExactLimit);
  const std::uint32_t shift = rel / kSubBuckets + 1;
  return bucket_lowest(index) + (1ULL << shift) - 1;
}

void Histogram::record(std::uint64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value > kMaxValue) {
    value = kMaxValue;
    saturated_ += count;
  }
  counts_[index_of(value)] += count;
  count_ += count;
  sum_ += static_cast<double>(value) * static_cast<double>(count);
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  const std::uint64_t* src = other.counts_.data();
  std::uint64_t* dst = counts_.data();
  for (std::uint32_t i = 0; i < kBucketCount; ++i) dst[i] += src[i];
  count_ += other.count_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  saturated_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

std::uint64_t Histogram::min() const { return count_ == 0 ? 0 : min_; }
std::uint64_t Histogram::max() const { return count_ == 0 ? 0 : max_; }

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

std::uint64_t Histogram::reported_value(std::uint32_t index) const {
  return std::clamp(bucket_value(index), min_, max_);
}

double Histogram::stddev() const {
  if (count_ < 2) return 0.0;
  const double m = mean();
  double acc = 0;
  const std::uint32_t first = index_of(min_);
  const std::uint32_t last = index_of(max_);
  for (std::uint32_t i = first; i <= last; ++i) {
    if (counts_[i] == 0) continue;
    const double d = static_cast<double>(reported_value(i)) - m;
    acc += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(acc / static_cast<double>(count_));
}

std::uint64_t Histogram::rank_for_percentile(double p, std::uint64_t count) {
  if (count == 0) return 0;
  if (!(p > 0)) return 1;  // also catches NaN
  if (p >= 100) return count;
  const double r = p / 100.0 * static_cast<double>(count);
  // Guard against 99.99 % of 10^6 coming out as 999900.0000001 and rounding up a rank.
  const double c = std::ceil(r - 1e-9 * std::max(1.0, r));
  const auto rank = static_cast<std::uint64_t>(c);
  return std::clamp<std::uint64_t>(rank, 1, count);
}

std::uint64_t Histogram::value_at_percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) return min_;
  if (p >= 100) return max_;
  const std::uint64_t rank = rank_for_percentile(p, count_);
  std::uint64_t seen = 0;
  const std::uint32_t last = index_of(max_);
  for (std::uint32_t i = index_of(min_); i <= last; ++i) {
    seen += counts_[i];
    if (seen >= rank) return reported_value(i);
  }
  return max_;
}

std::vector<Histogram::Bucket> Histogram::to_sparse() const {
  std::vector<Bucket> out;
  if (count_ == 0) return out;
  const std::uint32_t last = index_of(max_);
  for (std::uint32_t i = index_of(min_); i <= last; ++i) {
    if (counts_[i] != 0) out.push_back(Bucket{i, counts_[i]});
  }
  return out;
}

bool Histogram::from_sparse(const std::vector<Bucket>& buckets, std::uint64_t min, std::uint64_t max,
                            double sum, std::uint64_t saturated) {
  reset();
  std::uint64_t total = 0;
  std::int64_t prev = -1;
  for (const Bucket& b : buckets) {
    if (b.index >= kBucketCount || static_cast<std::int64_t>(b.index) <= prev || b.count == 0) {
      reset();
      return false;
    }
    prev = b.index;
    if (total + b.count < total) {  // overflow
      reset();
      return false;
    }
    total += b.count;
  }
  if (total == 0) return saturated == 0;
  // min and max must lie in the first and last non-empty buckets, and saturated
  // values can only sit in the top bucket.
  if (min > max || max > kMaxValue || index_of(min) != buckets.front().index ||
      index_of(max) != buckets.back().index || saturated > buckets.back().count ||
      (saturated > 0 && max != kMaxValue) || !(sum >= 0) || !std::isfinite(sum)) {
    reset();
    return false;
  }
  for (const Bucket& b : buckets) counts_[b.index] = b.count;
  count_ = total;
  min_ = min;
  max_ = max;
  sum_ = sum;
  saturated_ = saturated;
  return true;
}

bool Histogram::operator==(const Histogram& other) const {
  return count_ == other.count_ && saturated_ == other.saturated_ && min() == other.min() &&
         max() == other.max() && sum_ == other.sum_ && counts_ == other.counts_;
}

}  // namespace h2soak::metrics
