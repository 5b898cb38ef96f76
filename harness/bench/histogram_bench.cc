// Histogram hot paths: record (per request, per worker), merge (per worker at
// the end of a run and once a second for live progress), percentile queries
// and the sparse form (result JSON).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "harness/metrics/histogram.h"

namespace {

using h2soak::metrics::Histogram;

std::vector<std::uint64_t> latencies(std::size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.2);  // ~2 ms median, long tail
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = static_cast<std::uint64_t>(dist(rng));
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = latencies(1 << 16);
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

// Merge cost depends on the bucket count (a full sweep), not on the number of
// recorded values; populated with a realistic spread anyway.
void BM_HistogramMerge(benchmark::State& state) {
  const auto values = latencies(100'000);
  Histogram src;
  for (auto v : values) src.record(v);
  Histogram dst;
  for (auto _ : state) {
    dst.merge(src);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["buckets"] = Histogram::bucket_count();
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramPercentile(benchmark::State& state) {
  const auto values = latencies(100'000);
  Histogram h;
  for (auto v : values) h.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.value_at_percentile(99.9));
}
BENCHMARK(BM_HistogramPercentile);

void BM_HistogramToSparse(benchmark::State& state) {
  const auto values = latencies(100'000);
  Histogram h;
  for (auto v : values) h.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.to_sparse());
  state.counters["non_empty_buckets"] = static_cast<double>(h.to_sparse().size());
}
BENCHMARK(BM_HistogramToSparse);

}  // namespace
