#pragma once
// HTTP/2 server session over libnghttp2 (memory send/recv; the Connection moves the bytes).
// The nghttp2 callbacks live in h2_session.cc's anonymous namespace and only cast user_data
// and forward to the on_* members below.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>

#include "common/session_memory.h"
#include "target_server/faults/fault.h"
#include "target_server/h2_frame_checks.h"
#include "target_server/protocol_session.h"

namespace h2soak::server {

class H2Session final : public ProtocolSession {
 public:
  /// Submits the server SETTINGS (max concurrent streams, header list size, windows).
  /// The client is told SETTINGS_MAX_CONCURRENT_STREAMS = config.max_concurrent_streams and a
  /// stream over it gets RST_STREAM(REFUSED_STREAM) (RFC 9113 5.1.2), before and after the
  /// client's SETTINGS ACK alike; nghttp2 itself is given a higher limit, since past an
  /// acknowledged limit it ends the whole connection with GOAWAY(PROTOCOL_ERROR).
  explicit H2Session(const SessionEnv& env);
  ~H2Session() override;
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  bool on_read(const uint8_t* data, size_t len) override;
  bool fill(std::string& out, size_t high_water) override;
  bool finished() const override;
  bool busy() const override { return !streams_.empty(); }
  /// While a request's headers or body are incomplete: the time input last arrived (the
  /// read timeout then bounds a peer that stopped sending mid-request).
  std::optional<double> request_started() const override;
  bool output_blocked() const override;
  void shutdown() override;

  // nghttp2 callback targets; return 0 or an nghttp2 error code.
  int on_begin_headers(int32_t stream_id);
  int on_header(int32_t stream_id, const uint8_t* name, size_t namelen, const uint8_t* value, size_t valuelen);
  int on_frame_recv(const nghttp2_frame* frame);  // any frame type
  int on_data_chunk(int32_t stream_id, const uint8_t* data, size_t len);
  int on_stream_close(int32_t stream_id);
  ssize_t read_body(int32_t stream_id, uint8_t* buf, size_t len, uint32_t* flags);

 private:
  struct Stream {
    int32_t id = 0;
    Request req;
    size_t header_bytes = 0;
    bool headers_too_large = false;
    std::unique_ptr<Handler> handler;
    std::unique_ptr<Generator> body;
    std::string status, length;  // response header values, alive until the stream closes
    Response response;           // its headers (and kept values), alive until the stream closes
    bool responded = false;
    bool peer_ended = false;  // the client sent END_STREAM or RST_STREAM (see H2FrameChecks)
    bool headers_done = false;   // the request's header block has fully arrived
    bool waiting = false;        // complete, but its response waits for the backlog to drain
    size_t held = 0;             // bytes of its rendered body, counted in backlog_ until it closes
    double began = 0;            // host time its HEADERS frame began
    std::list<Stream>::iterator self;  // position in streams_

    /// Back to a fresh stream, keeping string and vector capacity for the next request.
    /// Everything a response holds (handler, body and its timers) is destroyed here.
    void reset();
  };
  /// Closed streams kept for reuse (a few per connection; freed with the session).
  static constexpr size_t kMaxSpare = 16;
  Stream* find(int32_t stream_id);
  void dispatch(Stream& s);  // request headers complete
  void request_complete(Stream& s);  // responds now, or queues it while the backlog is full
  void respond(Stream& s);
  void respond_waiting();             // as far as the backlog allows
  /// Rendered, unsent bytes at or past config.response_backlog (never with none: one always goes).
  bool backlog_full() const { return backlog_ > 0 && backlog_ >= env_.config.response_backlog; }
  void check(const H2FrameChecks::Frame& frame);  // at a checkpoint of checks_

  SessionEnv env_;
  common::SessionMemory memory_;  // nghttp2's allocations; outlives session_ (declared before it)
  nghttp2_session* session_ = nullptr;
  // One list node per open stream (one allocation); nghttp2's stream user data points at it.
  std::list<Stream> streams_;
  std::list<Stream> spare_;
  H2FrameChecks checks_;
  bool settings_sent_ = false;  // the SETTINGS frame went out with the advertised stream limit
  bool shutting_down_ = false;
  size_t incomplete_ = 0;    // streams whose request has not fully arrived
  size_t headers_pending_ = 0;  // streams whose header block has not fully arrived
  size_t backlog_ = 0;          // sum of Stream::held over open streams (config.response_backlog)
  std::deque<int32_t> waiting_;  // ids of waiting streams, oldest first (closed ones are skipped)
  double last_input_ = 0;    // host time of the last on_read()
  ConnectionKeep fault_keep_;  // what a fault keeps until the connection ends (--fault)
};

}  // namespace h2soak::server
