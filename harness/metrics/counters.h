#pragma once
// Plain event counters of one workload (per worker, per phase). A worker owns
// its Counters and bumps them on its own thread; the runner merges them after
// the threads join. No atomics, no locks, no globals (STYLE.md habit 3).
//
// Request accounting (the invariant the engine keeps and the tests check):
//   requests_done = requests_succeeded + requests_failed + requests_errored + requests_timeout
//   planned total = requests_done + requests_dropped (+ still in flight while a run is live)
//   - succeeded: a complete response with status 2xx or 3xx
//   - failed:    a complete response with any other status (1xx final, 4xx, 5xx, out of range)
//   - errored:   the request ended without a complete response (RST_STREAM, GOAWAY,
//                peer closed, protocol error, connect/TLS failure of its connection)
//   - timeout:   the request was abandoned by a request/connection timeout
//   - dropped:   open model only: the request was due but could not be started on time
//                (in-flight bound reached); never started, never in the latency histograms
// requests_started counts requests handed to a session (submitted), so
// started >= done while requests are in flight.
//
// errors[] counts error *events* by class, for the error breakdown: a failed
// connect or TLS handshake counts once per connection (kConnect / kTls), a
// request ended by RST_STREAM / GOAWAY / peer close / protocol error / timeout
// counts once per request. Use record_error(); rst_codes[] breaks kRstStream
// down by HTTP/2 error code.

#include <array>
#include <cstdint>
#include <string_view>

namespace h2soak::metrics {

enum class ErrorClass : std::uint8_t {
  kConnect = 0,  // TCP connect failed or refused
  kTls,          // TLS handshake failed, or ALPN did not select h2 when h2 was required
  kRstStream,    // stream reset by the peer
  kGoaway,       // stream not processed because of a GOAWAY (last_stream_id below it)
  kTimeout,      // request, connection-active or inactivity timeout
  kProtocol,     // HTTP/2 protocol or framing error, malformed response
  kPeerClosed,   // connection closed by the peer with streams open
  kOther,
};
inline constexpr std::size_t kErrorClassCount = 8;
// "connect", "tls", "rst_stream", "goaway", "timeout", "protocol", "peer_closed", "other".
std::string_view to_string(ErrorClass c);
// Inverse of to_string; returns false for an unknown name.
bool error_class_from_string(std::string_view name, ErrorClass* out);

// HTTP/2 error codes 0x0..0xd (RFC 9113 section 7) get one slot each; anything
// else lands in the last slot.
inline constexpr std::size_t kRstCodeSlots = 15;

struct Counters {
  std::uint64_t requests_started = 0;
  std::uint64_t requests_done = 0;
  std::uint64_t requests_succeeded = 0;
  std::uint64_t requests_failed = 0;
  std::uint64_t requests_errored = 0;
  std::uint64_t requests_timeout = 0;
  std::uint64_t requests_dropped = 0;

  // Final response status by class: [0] = 1xx ... [4] = 5xx. status_other
  // counts statuses outside 100..599.
  std::array<std::uint64_t, 5> status_class{};
  std::uint64_t status_other = 0;

  std::array<std::uint64_t, kErrorClassCount> errors{};  // indexed by ErrorClass
  std::array<std::uint64_t, kRstCodeSlots> rst_codes{};  // RST_STREAM by error code

  // Bytes as they cross the wire after TLS decryption and before encryption,
  // i.e. HTTP/2 frames (h2) or HTTP/1 messages (h1). bytes_in_headers is the
  // HEADERS/CONTINUATION payload (compressed header block; h1: status line +
  // headers), bytes_in_data the response body bytes (DATA payload, h1 body).
  std::uint64_t bytes_in_headers = 0;
  std::uint64_t bytes_in_data = 0;
  std::uint64_t bytes_in_total = 0;  // every byte read, framing and control frames included
  std::uint64_t bytes_out = 0;       // every byte written (frames, request bodies included)

  std::uint64_t connections_opened = 0;  // connect() attempted
  std::uint64_t connections_failed = 0;  // connect or TLS handshake failed
  std::uint64_t connections_closed = 0;  // established connections that ended (either side)

  // Bumps status_class / status_other for a final response status.
  void record_status(int status) {
    if (status >= 100 && status <= 599) {
      ++status_class[static_cast<std::size_t>(status / 100 - 1)];
    } else {
      ++status_other;
    }
  }
  void record_error(ErrorClass c, std::uint64_t n = 1) { errors[static_cast<std::size_t>(c)] += n; }
  // Counts one RST_STREAM with `error_code` (also an ErrorClass::kRstStream event).
  void record_rst_stream(std::uint32_t error_code) {
    ++rst_codes[error_code < kRstCodeSlots - 1 ? error_code : kRstCodeSlots - 1];
    record_error(ErrorClass::kRstStream);
  }
  std::uint64_t error(ErrorClass c) const { return errors[static_cast<std::size_t>(c)]; }
  std::uint64_t errors_total() const;

  // Adds every field of `other`.
  void merge(const Counters& other);
  bool operator==(const Counters&) const = default;
};

}  // namespace h2soak::metrics
