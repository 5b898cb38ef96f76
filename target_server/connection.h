#pragma once
// One accepted client socket: protocol detection, TLS (OpenSSL on the non-blocking fd),
// buffered writes, and the read/idle timeouts. The protocol itself is a ProtocolSession.
//
// Life cycle: the Worker creates it with an accepted fd and calls start(). From then on only
// libev callbacks drive it; a callback that ends the connection closes the fd and stops the
// watchers (closed() turns true) and the Worker deletes the object when the callback
// returns (Worker::reap). Nothing else deletes it.
//
// Detection from the first bytes: 0x16 (a TLS handshake record) -> TLS, then ALPN "h2" ->
// HTTP/2, else HTTP/1.1; the HTTP/2 preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" -> h2c;
// anything else -> HTTP/1.1.

#include <ev.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "target_server/protocol_session.h"

namespace h2soak::server {

class Worker;

class Connection final : public SessionHost {
 public:
  /// `ssl_ctx` null: TLS is refused (--no-tls). `plain_allowed` false: --tls-only.
  Connection(Worker& worker, int fd, SSL_CTX* ssl_ctx, bool plain_allowed);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  /// Graceful end (server shutdown): GOAWAY / close after the current response. Never
  /// closes synchronously; the write callback finishes the job.
  void begin_shutdown();
  /// Closes at once (grace period over).
  void close();
  bool closed() const { return state_ == State::kClosed; }

  // SessionHost
  void request_write() override;
  double now() const override;

 private:
  enum class State { kDetect, kSniff, kTlsHandshake, kOpen, kClosed };
  static constexpr size_t kHighWater = 64 * 1024;

  static void on_read_cb(struct ev_loop* loop, ev_io* w, int revents);
  static void on_write_cb(struct ev_loop* loop, ev_io* w, int revents);
  static void on_timer_cb(struct ev_loop* loop, ev_timer* w, int revents);

  void on_readable();
  void on_writable();
  void on_timer();
  void detect();
  void sniff();
  void handshake();
  void open_session(bool h2);
  void read_loop();
  void flush();
  void update_read_interest();
  // OpenSSL holds received bytes not yet read through it (read ahead is on: tls.cc).
  bool tls_bytes_held() const;
  ssize_t read_some(uint8_t* buf, size_t len);  // > 0 bytes, 0 EOF, -1 would block, -2 error
  ssize_t write_some(const char* buf, size_t len);
  double deadline() const;
  bool write_stalled() const;
  void arm_timer();  // (re)starts the timer for the deadline of the current state

  Worker& worker_;
  int fd_;
  SSL_CTX* ssl_ctx_;
  bool plain_allowed_;
  SSL* ssl_ = nullptr;
  bool tls_want_write_ = false;  // an SSL_read needs the socket writable first
  State state_ = State::kDetect;
  std::unique_ptr<ProtocolSession> session_;
  std::string sniff_;  // first bytes of a plain connection, until the protocol is known
  std::string wbuf_;
  size_t wpos_ = 0;
  bool shutting_down_ = false;
  bool peer_eof_ = false;  // the client half-closed; its last request is still being answered
  bool read_would_block_ = false;  // the last read returned "would block" (see update_read_interest)
  double accepted_at_ = 0;
  double last_activity_ = 0;
  double last_write_ = 0;  // last time bytes left for the peer
  double stall_checked_at_ = 0;  // last time a quiet busy connection was found not stalled
  ev_io rio_;
  ev_io wio_;
  ev_timer timer_;
};

}  // namespace h2soak::server
