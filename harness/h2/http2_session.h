#pragma once
// HTTP/2 client session over nghttp2, implementing the net::Session seam.
// The nghttp2 C callbacks live in nghttp2_callbacks.cc: they cast user_data
// to Http2Session and call the handle_* members below, nothing else.
//
// Hot-path properties: no allocation per request (records come from the
// host's pool, header arrays are prebuilt in net::Request, bodies are read
// frame by frame from shared bytes, nghttp2's own objects are recycled by
// SessionMemory), frames are serialized into the caller's
// buffer by fill_output (many frames per write).
//
// Times: a record's first_byte and last_byte are the time of the on_read call
// that delivered them (the bytes were in hand then; a later frame of the same
// read is not charged for the parsing of the earlier ones), its sent time that
// of the fill_output call that serialized its HEADERS. The clock is read once
// per such call that needs it, not once per stream; outside them (a cancel,
// say) it is read when used.

#include <nghttp2/nghttp2.h>

#include <cstdint>

#include "common/session_memory.h"
#include "harness/net/session.h"

namespace h2soak::h2 {

// SETTINGS the client sends, with h2load's meaning and defaults.
struct Http2Settings {
  // -w: SETTINGS_INITIAL_WINDOW_SIZE = 2^bits - 1 (h2load default 30).
  std::uint32_t window_bits = 30;
  // -W: connection window = 2^bits - 1 (h2load default 30).
  std::uint32_t connection_window_bits = 30;
  // --header-table-size: SETTINGS_HEADER_TABLE_SIZE for our HPACK decoder.
  std::uint32_t header_table_size = 4096;
  // --max-frame-size: SETTINGS_MAX_FRAME_SIZE we accept.
  std::uint32_t max_frame_size = 16384;
  // -m: local cap on concurrent streams (the peer's limit also applies).
  std::uint32_t max_concurrent_streams = 1;
};

class Http2Session final : public net::Session {
 public:
  Http2Session(net::SessionHost& host, const Http2Settings& settings);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // net::Session
  Status on_connect() override;
  Status submit_request(net::StreamRecord& record) override;
  Status on_read(const std::uint8_t* data, std::size_t length) override;
  Result<std::size_t> fill_output(std::uint8_t* out, std::size_t capacity) override;
  void cancel(net::StreamRecord& record, net::ErrorClass why) override;
  void terminate(std::uint32_t error_code) override;
  std::size_t max_concurrent_streams() const override;
  std::size_t active_streams() const override { return active_; }
  bool alive() const override;
  bool protocol_error() const override { return protocol_error_; }

  bool goaway_received() const { return goaway_received_; }

  // --- called only from nghttp2_callbacks.cc ---
  int handle_begin_headers(const nghttp2_frame* frame);
  int handle_header(const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                    const std::uint8_t* value, std::size_t valuelen);
  int handle_frame_recv(const nghttp2_frame* frame);
  int handle_frame_send(const nghttp2_frame* frame);
  int handle_data_chunk(std::int32_t stream_id, const std::uint8_t* data, std::size_t length);
  int handle_stream_close(std::int32_t stream_id, std::uint32_t error_code);
  ssize_t read_body(net::StreamRecord& record, std::uint8_t* buf, std::size_t length, std::uint32_t* flags);
  void handle_protocol_error() { protocol_error_ = true; }

 private:
  class EventScope;
  // The time of the current on_read or fill_output call (read at its first
  // use), or now() outside them.
  TimePoint event_now();

  net::StreamRecord* record_of(std::int32_t stream_id) const;
  // The response on `r`'s stream is malformed (RFC 9113 8.1.1): fail the
  // record with kProtocol and reset the stream with PROTOCOL_ERROR.
  void reject_response(net::StreamRecord& r);

  // What the header block being received is. HEADERS and its CONTINUATIONs
  // cannot interleave with any other frame on the connection, so one header
  // block is in progress at a time and its state lives here, not per stream.
  // A stream's final response has not arrived while its record.status is 0;
  // interim (1xx) blocks leave it 0.
  enum class HeaderBlock : std::uint8_t {
    kIgnored,   // trailers, other frames, unknown streams, rejected responses
    kPending,   // may be the response: its first field must be a valid :status
    kInterim,   // a 1xx response: skipped, the next block may be the response
    kResponse,  // the final response: fields go to the observer
  };
  HeaderBlock block_ = HeaderBlock::kIgnored;
  net::StreamRecord* block_record_ = nullptr;  // the record of block_'s stream

  net::SessionHost& host_;
  Http2Settings settings_;
  common::SessionMemory memory_;  // nghttp2's allocations; outlives session_ (declared before it)
  nghttp2_session* session_ = nullptr;
  std::size_t active_ = 0;
  bool settings_received_ = false;
  bool goaway_received_ = false;
  bool protocol_error_ = false;
  bool in_event_ = false;    // inside on_read or fill_output (EventScope)
  TimePoint event_time_{};   // their clock reading, once taken
  // Output of the last mem_send that did not fit into the caller's buffer.
  const std::uint8_t* pending_ = nullptr;
  std::size_t pending_len_ = 0;
};

// The process-wide nghttp2 callback table (built once, read-only).
const nghttp2_session_callbacks* client_callbacks();

}  // namespace h2soak::h2
