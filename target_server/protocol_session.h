#pragma once
// The seam between a Connection (bytes, TLS, timeouts) and the protocol spoken on it
// (H1Session or H2Session), after h2load's Session interface.

#include <optional>
#include <string>

#include "target_server/config.h"
#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

class Router;

/// Implemented by Connection; what a session may ask of it.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  /// The session has output to send (a Generator woke up). Safe to call from any callback
  /// on the worker's thread; the connection pulls with fill() from its write callback.
  virtual void request_write() = 0;
  /// Loop time in seconds (ev_now).
  virtual double now() const = 0;
};

/// What every session needs from its worker; all references outlive the session.
struct SessionEnv {
  SessionHost& host;
  const Router& router;
  const WorkerEnv& worker;
  const Config& config;
  Protocol protocol;
};

/// Call order: on_read()/fill() any number of times, interleaved; shutdown() at most once
/// (more calls are ignored); the destructor destroys every open stream's handler and body.
class ProtocolSession {
 public:
  virtual ~ProtocolSession() = default;
  /// Bytes from the client. False: protocol error, close now (after flushing what fill() gives).
  virtual bool on_read(const uint8_t* data, size_t len) = 0;
  /// Appends output to `out` until it holds at least `high_water` bytes or nothing more is
  /// ready. False: fatal error, close now.
  virtual bool fill(std::string& out, size_t high_water) = 0;
  /// Nothing more to read or send: the connection closes once its buffer is flushed.
  virtual bool finished() const = 0;
  /// A response is in progress (streams open): the idle timeout does not apply.
  virtual bool busy() const = 0;
  /// Loop time at which the current, still incomplete request header block began.
  virtual std::optional<double> request_started() const = 0;
  /// True when a client that closed its sending side (EOF) may still get the answers it
  /// asked for: HTTP/1.1 half-close after a complete request. An h2 client at EOF can no
  /// longer send WINDOW_UPDATE, a request's rest or an ACK, so it is gone: close at once.
  virtual bool answers_after_eof() const { return false; }
  /// True while a response has output ready that the peer does not let it send (h2: the
  /// stream or connection flow-control window is exhausted). The connection then bounds the
  /// wait by the idle timeout, counted from its last successful write.
  virtual bool output_blocked() const { return false; }
  /// False while the session cannot take more input (h1 with a request backlog).
  virtual bool wants_read() const { return true; }
  /// Graceful end: h2 sends GOAWAY, h1 closes after the current response; open bodies finish().
  virtual void shutdown() = 0;
};

}  // namespace h2soak::server
