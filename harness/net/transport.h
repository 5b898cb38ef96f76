#pragma once
// The byte stream under an HTTP/2 session: plain TCP or TLS over a connected,
// non-blocking socket, behind one small interface (as wrk's sock ops), so
// that load::Connection reads, writes and handshakes without knowing which.
//
// Results say what the event loop should do next: kWantRead (wait until the
// socket is readable), kWantWrite (wait until it is writable), kClosed (the
// peer ended the stream in order), kError (with `error`, a message to show).
// Nothing on the success paths allocates; `error` is only built on failure.
//
// Threading: one transport per connection, used on its worker's thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/net/tls.h"
#include "harness/util/result.h"

namespace h2soak::net {

struct IoResult {
  enum class Status { kOk, kWantRead, kWantWrite, kClosed, kError };
  Status status = Status::kOk;
  std::size_t bytes = 0;  // with kOk
  std::string error;      // with kError (and kClosed, saying how)
};

class Transport {
 public:
  virtual ~Transport() = default;
  // kOk when the stream is ready for data (at once for plain TCP).
  virtual IoResult handshake() { return {}; }
  // Reads up to `capacity` bytes; kOk with bytes > 0, or why not.
  virtual IoResult read(std::uint8_t* buf, std::size_t capacity) = 0;
  // Writes up to `length` bytes; kOk with how many were taken, or why not.
  virtual IoResult write(const std::uint8_t* data, std::size_t length) = 0;
  // True when bytes already read from the socket wait inside the transport
  // (TLS records read ahead): read() again before going back to the loop.
  virtual bool pending() const { return false; }
  // The protocol ALPN selected ("" without TLS) and whether a TLS session was resumed.
  virtual std::string_view alpn() const { return {}; }
  virtual bool resumed() const { return false; }
};

// Plain TCP on `fd` (not owned: the connection closes it).
std::unique_ptr<Transport> plain_transport(int fd);

// TLS client on `fd` (not owned) from the worker's context: SNI and host
// check for `host`, the cached session offered when resuming.
Result<std::unique_ptr<Transport>> tls_transport(TlsContext& context, int fd, const std::string& host);

}  // namespace h2soak::net
