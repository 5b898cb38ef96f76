#pragma once
// The seam between a transport connection (TCP or TLS bytes, owned by
// load::Connection) and an HTTP protocol engine that runs over those bytes
// (h2::Http2Session today). Shaped like h2load's Session.
//
// Call order (all on the owning worker's thread):
//   on_connect()                once the transport is up (TLS done, ALPN h2)
//   submit_request(record)*     any time after on_connect, while
//                               active_streams() < max_concurrent_streams()
//   on_read(bytes)*             for every chunk read from the transport
//   fill_output(buf)*           by the connection once per loop turn, until 0
//   terminate(code)             graceful GOAWAY; keep calling fill_output
// When the transport dies, the host destroys the session and then completes
// every record still active itself (nghttp2 reports nothing on destruction).
// Completion of each record is reported through its StreamObserver; session
// level events go to SessionHost.

#include <cstddef>
#include <cstdint>

#include "harness/net/stream.h"
#include "harness/util/result.h"

namespace h2soak::net {

// Implemented by the connection that owns the session.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // The session has output to send: flush at the end of this loop turn.
  virtual void want_write() = 0;
  // A record finished (record.error says how). The host calls the record's
  // observer, then reuses the slot.
  virtual void on_stream_done(StreamRecord& record) = 0;
  // The peer sent GOAWAY: no new streams on this session.
  virtual void on_goaway(std::uint32_t error_code, std::int32_t last_stream_id) = 0;
  // The peer's SETTINGS arrived (max_concurrent_streams() may have changed).
  virtual void on_settings() = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual Status on_connect() = 0;
  // The record must be filled by the submitter (request, observer); it stays
  // owned by the host and is reported back through on_stream_done.
  virtual Status submit_request(StreamRecord& record) = 0;
  // A connection-level error (malformed input, HPACK failure) is returned as
  // an Error; the caller then closes the connection (records: kProtocol).
  virtual Status on_read(const std::uint8_t* data, std::size_t length) = 0;
  // Serializes pending frames into [out, out+capacity); returns bytes written
  // (0: nothing to send now).
  virtual Result<std::size_t> fill_output(std::uint8_t* out, std::size_t capacity) = 0;
  // Reset one stream (request timeout): it completes with `why`.
  virtual void cancel(StreamRecord& record, ErrorClass why) = 0;
  virtual void terminate(std::uint32_t error_code) = 0;
  // Peer's limit, capped by the local -m; 0 while the session cannot take more.
  virtual std::size_t max_concurrent_streams() const = 0;
  virtual std::size_t active_streams() const = 0;
  // False once the session neither reads nor writes (GOAWAY exchanged and all
  // streams done, or a fatal error): the connection can close.
  virtual bool alive() const = 0;
  // True when a protocol error was detected (by us or reported by the peer).
  virtual bool protocol_error() const = 0;
};

}  // namespace h2soak::net
