#pragma once
// Per-worker counters and gauges. Each WorkerStats is written only by its own worker thread
// (plain load+store on relaxed atomics, no lock prefix on the hot path) and read by any
// thread at scrape time; /metrics sums them. Nothing here is contended.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

namespace h2soak::server {

/// Route labels used in h2soak_target_requests_total{route=...}.
enum class Route : uint8_t { kIndex, kPage, kStatic, kEvents, kUpload, kLogin, kMetrics, kNotFound, kCount };
std::string_view route_label(Route r);

/// Status codes counted individually; anything else lands in the last slot ("other").
inline constexpr std::array<int, 12> kCountedStatuses = {200, 304, 400, 404, 405, 408, 413, 431, 500, 503, 100, 0};
size_t status_slot(int status);

/// A counter written by one thread only.
class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

/// A gauge written by one thread only (may go negative per worker: a connection can be
/// counted on one worker only, so it never does in practice).
class Gauge {
 public:
  void add(int64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  int64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

struct WorkerStats {
  std::array<std::array<Counter, kCountedStatuses.size()>, static_cast<size_t>(Route::kCount)> requests;
  Counter connections_total;
  Counter bytes_received;  ///< Plaintext bytes read from clients (after TLS).
  Counter bytes_sent;      ///< Plaintext bytes written: h1 status line+headers+body, h2 frames.
  Counter upload_bytes;    ///< Request body bytes received by /upload.
  Counter sse_events;
  Counter sse_skipped;     ///< Events not produced because the client did not read.
  Counter timeouts;        ///< Connections closed by the idle or read timeout.
  Counter tls_handshakes;  ///< TLS handshakes completed (full and resumed).
  Counter tls_resumed;     ///< Of those, handshakes that resumed a session (SSL_session_reused).
  Gauge connections_active;
  Gauge streams_active;
  Gauge sse_active;

  void count_request(Route r, int status) {
    requests[static_cast<size_t>(r)][status_slot(status)].add();
  }
};

/// All workers' stats, summed at scrape time; the pointers live as long as the server.
struct StatsRegistry {
  std::vector<const WorkerStats*> workers;
};

}  // namespace h2soak::server
