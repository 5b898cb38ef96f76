#pragma once
// One request/response exchange as the engine tracks it, and the callbacks a
// workload receives for it. Protocol-neutral: the h2 session (nghttp2) and the
// h1 client (curl) fill the same record.
//
// Ownership: records live in a pool owned by the connection (preallocated,
// never allocated per request). A workload gets a reference in its callbacks
// and must not keep it after on_complete() returns; it keeps its own state in
// `user`/`user_tag`.

#include <cstdint>
#include <string_view>

#include "harness/util/clock.h"

namespace h2soak::net {

struct Request;
struct StreamRecord;

// Why a request did not produce a complete response. One class per request
// (the first cause seen wins); counted per class in the metrics.
enum class ErrorClass : std::uint8_t {
  kNone = 0,
  kConnectFailed,  // TCP connect refused / unreachable (request never sent)
  kTlsFailed,      // TLS handshake failed or ALPN did not give h2
  kRstStream,      // the peer reset the stream (error code in rst_error_code)
  kGoaway,         // refused by GOAWAY (stream id above last-stream-id)
  kTimeout,        // request timeout, or -T / -N closed the connection under it
  kProtocol,       // malformed frame, HPACK error, session error
  kPeerClosed,     // the peer closed the connection (EOF/ECONNRESET) under it
  kCancelled,      // stopped by the harness at the end of the run
  kCount
};
std::string_view error_class_name(ErrorClass c);

class StreamObserver {
 public:
  virtual ~StreamObserver() = default;
  // The response's header block arrived (status and first_byte are set).
  virtual void on_response_headers(StreamRecord&) {}
  // A chunk of response body (only when record.deliver_data is set).
  virtual void on_response_data(StreamRecord&, const std::uint8_t*, std::size_t) {}
  // One regular (non-pseudo) response header field, before on_response_headers
  // (only when record.deliver_data is set; e.g. set-cookie for sessions).
  virtual void on_response_header(StreamRecord&, std::string_view, std::string_view) {}
  // Exactly once per submitted record: the response is complete
  // (error == kNone) or the stream failed (error says why). The record is
  // reused as soon as this returns. Do not submit on the same connection from
  // here: the connection tells its owner when the slot is free
  // (load::ConnectionObserver::on_stream_slot_free).
  virtual void on_complete(StreamRecord&) = 0;
};

struct StreamRecord {
  // Set by the submitter.
  const Request* request = nullptr;
  StreamObserver* observer = nullptr;
  void* user = nullptr;           // the workload's cookie
  std::uint64_t user_tag = 0;
  bool deliver_data = false;      // call on_response_data / on_response_header
  TimePoint intended{};           // when the request was due (open model); else = submitted

  // Filled by the engine.
  std::int32_t stream_id = -1;
  TimePoint submitted{};          // handed to the session
  TimePoint sent{};               // request headers serialized for the wire
  TimePoint first_byte{};         // response header block began
  TimePoint last_byte{};          // stream closed
  int status = 0;                 // :status, 0 if none
  std::uint64_t header_bytes_in = 0;  // HEADERS/CONTINUATION payload (compressed)
  std::uint64_t data_bytes_in = 0;    // DATA payload
  std::uint64_t body_bytes_out = 0;   // request body sent
  std::uint64_t body_offset = 0;      // data provider position
  ErrorClass error = ErrorClass::kNone;
  std::uint32_t rst_error_code = 0;   // with kRstStream / kProtocol
  bool active = false;                // between submit and on_complete
  bool response_complete = false;     // END_STREAM received from the peer
  bool peer_reset = false;            // RST_STREAM received from the peer
  bool reported = false;              // on_complete already called (timed out while
                                      // the stream itself is still open)

  bool ok() const { return error == ErrorClass::kNone; }
  void reset_results() {
    stream_id = -1;
    submitted = sent = first_byte = last_byte = TimePoint{};
    status = 0;
    header_bytes_in = data_bytes_in = body_bytes_out = body_offset = 0;
    error = ErrorClass::kNone;
    rst_error_code = 0;
    response_complete = peer_reset = reported = false;
  }
};

}  // namespace h2soak::net
