#pragma once
// A TCP connection that connects and then says nothing: no TLS ClientHello,
// no HTTP/2 preface (the `idle` workload's "never finishes the TLS
// handshake" connections). It watches the socket only to notice when the
// server closes it (EOF or reset); anything the server sends is read and
// dropped. Worker thread only; not copyable; closes its fd when destroyed.

#include <ev.h>

#include <functional>

#include "harness/net/socket.h"
#include "harness/util/clock.h"

namespace h2soak::workloads {

class SilentSocket {
 public:
  enum class State { kIdle, kConnecting, kOpen };
  // on_connected(ok): the TCP connect finished (ok) or failed.
  // on_peer_closed(reset): the server closed the open connection (reset:
  // ECONNRESET rather than an orderly EOF).
  SilentSocket(struct ev_loop* loop, std::function<void(bool ok)> on_connected,
               std::function<void(bool reset)> on_peer_closed);
  ~SilentSocket();
  SilentSocket(const SilentSocket&) = delete;
  SilentSocket& operator=(const SilentSocket&) = delete;

  // Starts a non-blocking connect; false (and on_connected not called) when
  // the socket could not even be created.
  bool connect(const net::Address& address);
  // Closes the socket (no callback).
  void close();
  State state() const { return state_; }

 private:
  static void on_io(struct ev_loop*, ev_io* w, int revents);
  void handle_io();

  struct ev_loop* loop_;
  std::function<void(bool)> on_connected_;
  std::function<void(bool)> on_peer_closed_;
  ev_io watcher_{};
  int fd_ = -1;
  State state_ = State::kIdle;
};

}  // namespace h2soak::workloads
