#pragma once
// Everything one worker measures for one workload in one phase: counters,
// latency histograms (microseconds) and the per-second series.
//
// Ownership: a worker owns one WorkloadMetrics per (workload, phase) and is
// the only thread touching it; the runner merges the workers' instances after
// join (or merges copies for live progress). No locks, no globals.
//
// Timing points (DESIGN.md, timing model): `request_total` runs from the
// moment the request was due (open model) or sent (closed model) to its last
// byte; `ttfb` from the same start to the first response byte (per request,
// unlike h2load); `connect` is TCP connect time per connection; `tls_handshake`
// from TCP connected to handshake done per TLS connection. Only requests that
// completed with a response go into request_total/ttfb; dropped requests are
// only counted.
//
// Workload-specific extras (SSE time to first event and gaps, upload
// throughput, idle close times, ...) go into the named maps: look a name up
// once at setup with extra_histogram()/extra_counter() and keep the reference
// (std::map nodes never move), so the hot path does no lookup.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "harness/metrics/counters.h"
#include "harness/metrics/histogram.h"
#include "harness/metrics/interval_series.h"

namespace h2soak::metrics {

struct WorkloadMetrics {
  Counters counters;
  Histogram request_total;  // µs, due/sent -> last byte
  Histogram ttfb;           // µs, due/sent -> first response byte
  Histogram connect;        // µs, per connection
  Histogram tls_handshake;  // µs, per TLS connection
  IntervalSeries series;
  std::map<std::string, Histogram, std::less<>> extra_histograms;  // name -> µs or the unit the name states
  std::map<std::string, std::uint64_t, std::less<>> extra_counters;

  // Finds or creates the named extra (setup time, not the hot path).
  Histogram& extra_histogram(std::string_view name);
  std::uint64_t& extra_counter(std::string_view name);

  // Adds everything of `other`; extras are merged by name (created when missing).
  void merge(const WorkloadMetrics& other);
  // Clears every value; keeps extra names (with zero values) and the series origin.
  void reset();
};

}  // namespace h2soak::metrics
