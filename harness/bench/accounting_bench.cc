// The accounting of one finished request (load::record_request): run once per
// completed request on the worker thread by every workload, bench included.
// Counters, status and error classes, two histogram records (TTFB and total)
// and the per-second series; a 10-minute run at 50k req/s calls it 30 million
// times, so its cost is part of the generator's CPU per request.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "harness/load/request_accounting.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/stream.h"

namespace {

using h2soak::Nanos;
using h2soak::TimePoint;
namespace load = h2soak::load;
namespace net = h2soak::net;

// Records spread over 10 minutes with lognormal latencies (~2 ms median), as a
// long run would hand them over; `error_every` > 0 makes every Nth one a reset.
std::vector<net::StreamRecord> finished(std::size_t n, TimePoint origin, std::size_t error_every) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency_us(std::log(2000.0), 1.0);
  std::uniform_int_distribution<std::int64_t> at_ms(0, 600'000);
  std::vector<net::StreamRecord> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    net::StreamRecord& r = out[i];
    const auto us = static_cast<std::int64_t>(latency_us(rng));
    r.submitted = origin + std::chrono::milliseconds(at_ms(rng));
    r.sent = r.submitted + std::chrono::microseconds(5);
    r.first_byte = r.sent + std::chrono::microseconds(us * 9 / 10);
    r.last_byte = r.sent + std::chrono::microseconds(us);
    r.status = 200;
    r.data_bytes_in = 2048;
    r.response_complete = true;
    if (error_every > 0 && i % error_every == 0) {
      r.status = 0;
      r.error = net::ErrorClass::kRstStream;
      r.rst_error_code = 2;
      r.response_complete = false;
    }
  }
  return out;
}

void BM_RecordRequest(benchmark::State& state) {
  const TimePoint origin = h2soak::now();
  const auto records = finished(1 << 14, origin, static_cast<std::size_t>(state.range(0)));
  h2soak::metrics::WorkloadMetrics m;
  m.series.set_origin(origin);
  std::size_t i = 0;
  for (auto _ : state) {
    const net::StreamRecord& r = records[i];
    benchmark::DoNotOptimize(load::record_request(m, r, load::sent_time(r)));
    i = (i + 1) & (records.size() - 1);
  }
  benchmark::DoNotOptimize(m.counters.requests_done);
  state.SetItemsProcessed(state.iterations());
}
// 0: every request succeeds; 100: one in a hundred is reset by the peer.
BENCHMARK(BM_RecordRequest)->Arg(0)->Arg(100);

}  // namespace
