#include "target_server/connection.h"

#include <algorithm>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "target_server/h1_session.h"
#include "target_server/h2_session.h"
#include "target_server/tls.h"
#include "target_server/worker.h"

namespace h2soak::server {
namespace {

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr int kMaxReadsPerEvent = 16;  // fairness between connections of one worker

}  // namespace

Connection::Connection(Worker& worker, int fd, SSL_CTX* ssl_ctx, bool plain_allowed)
    : worker_(worker), fd_(fd), ssl_ctx_(ssl_ctx), plain_allowed_(plain_allowed) {
  ev_io_init(&rio_, on_read_cb, fd_, EV_READ);
  ev_io_init(&wio_, on_write_cb, fd_, EV_WRITE);
  ev_init(&timer_, on_timer_cb);
  rio_.data = wio_.data = timer_.data = this;
}

Connection::~Connection() { close(); }

void Connection::start() {
  accepted_at_ = last_activity_ = last_write_ = now();
  WorkerStats& st = *worker_.env().stats;
  st.connections_active.add(1);
  st.connections_total.add();
  ev_io_start(worker_.loop(), &rio_);
  arm_timer();
}

double Connection::now() const { return ev_now(worker_.loop()); }

void Connection::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  ev_io_stop(worker_.loop(), &rio_);
  ev_io_stop(worker_.loop(), &wio_);
  ev_timer_stop(worker_.loop(), &timer_);
  session_.reset();  // streams, handlers, bodies and their timers go now
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  ERR_clear_error();
  ::close(fd_);
  fd_ = -1;
  std::string().swap(wbuf_);
  std::string().swap(sniff_);
  worker_.env().stats->connections_active.add(-1);
  worker_.on_connection_closed();
}

void Connection::on_read_cb(struct ev_loop*, ev_io* w, int) {
  auto* c = static_cast<Connection*>(w->data);
  c->on_readable();
  if (c->closed()) c->worker_.reap(c);
}

void Connection::on_write_cb(struct ev_loop*, ev_io* w, int) {
  auto* c = static_cast<Connection*>(w->data);
  c->on_writable();
  if (c->closed()) c->worker_.reap(c);
}

void Connection::on_timer_cb(struct ev_loop*, ev_timer* w, int) {
  auto* c = static_cast<Connection*>(w->data);
  c->on_timer();
  if (c->closed()) c->worker_.reap(c);
}

void Connection::on_readable() {
  last_activity_ = now();
  switch (state_) {
    case State::kDetect: detect(); break;
    case State::kSniff: sniff(); break;
    case State::kTlsHandshake: handshake(); break;
    case State::kOpen:
      if (tls_want_write_) return;
      read_loop();
      break;
    case State::kClosed: break;
  }
}

void Connection::on_writable() {
  last_activity_ = now();
  if (state_ == State::kTlsHandshake) {
    ev_io_stop(worker_.loop(), &wio_);
    handshake();
    return;
  }
  if (state_ != State::kOpen) return;
  if (tls_want_write_) {
    tls_want_write_ = false;
    ev_io_stop(worker_.loop(), &wio_);
    read_loop();
    return;
  }
  flush();
}

void Connection::detect() {
  uint8_t first = 0;
  ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    close();
    return;
  }
  if (first == 0x16) {
    if (!ssl_ctx_) {
      close();  // --no-tls
      return;
    }
    ssl_ = SSL_new(ssl_ctx_);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) {
      close();
      return;
    }
    SSL_set_accept_state(ssl_);
    state_ = State::kTlsHandshake;
    handshake();
    return;
  }
  if (!plain_allowed_) {
    close();  // --tls-only
    return;
  }
  state_ = State::kSniff;
  sniff();
}

void Connection::sniff() {
  uint8_t buf[64];
  ssize_t n = read_some(buf, kPreface.size() - sniff_.size());
  if (n == -1) return;
  if (n <= 0) {
    close();
    return;
  }
  worker_.env().stats->bytes_received.add(static_cast<uint64_t>(n));
  sniff_.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  const bool prefix_matches = kPreface.substr(0, sniff_.size()) == sniff_;
  if (prefix_matches && sniff_.size() < kPreface.size()) return;  // wait for the rest of the preface
  open_session(prefix_matches);
  if (state_ != State::kOpen) return;
  std::string first;
  first.swap(sniff_);
  if (!session_->on_read(reinterpret_cast<const uint8_t*>(first.data()), first.size())) {
    flush();
    close();
    return;
  }
  read_loop();
}

void Connection::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    WorkerStats& st = *worker_.env().stats;
    st.tls_handshakes.add();
    if (SSL_session_reused(ssl_) == 1) st.tls_resumed.add();
    open_session(alpn_selected_h2(ssl_));
    read_loop();  // the client's first records may already sit in OpenSSL's buffer
    return;
  }
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ) return;
  if (err == SSL_ERROR_WANT_WRITE) {
    ev_io_start(worker_.loop(), &wio_);
    return;
  }
  close();
}

void Connection::open_session(bool h2) {
  Protocol p = ssl_ ? (h2 ? Protocol::kH2Tls : Protocol::kH1Tls) : (h2 ? Protocol::kH2c : Protocol::kH1);
  SessionEnv env{*this, worker_.router(), worker_.env(), worker_.config(), p};
  if (h2) session_ = std::make_unique<H2Session>(env);
  else session_ = std::make_unique<H1Session>(env);
  state_ = State::kOpen;
  if (shutting_down_) session_->shutdown();
}

ssize_t Connection::read_some(uint8_t* buf, size_t len) {
  if (!ssl_) {
    ssize_t n = ::recv(fd_, buf, len, 0);
    if (n >= 0) return n;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
  }
  ERR_clear_error();
  int n = SSL_read(ssl_, buf, static_cast<int>(len));
  if (n > 0) return n;
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_WANT_READ: return -1;
    case SSL_ERROR_WANT_WRITE:
      tls_want_write_ = true;
      ev_io_start(worker_.loop(), &wio_);
      return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default: return -2;
  }
}

ssize_t Connection::write_some(const char* buf, size_t len) {
  if (!ssl_) {
    ssize_t n = ::send(fd_, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return n;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
  }
  ERR_clear_error();
  int n = SSL_write(ssl_, buf, static_cast<int>(std::min<size_t>(len, 1 << 20)));
  if (n > 0) return n;
  int err = SSL_get_error(ssl_, n);
  return (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) ? -1 : -2;
}

void Connection::read_loop() {
  uint8_t* buf = worker_.read_buffer();
  const size_t cap = worker_.read_buffer_size();
  // At most kMaxReadsPerEvent reads, so that one busy client cannot starve the others; bytes
  // OpenSSL still holds then (read ahead, not shown by the socket) are fed back as a new read
  // event by update_read_interest().
  for (int i = 0; i < kMaxReadsPerEvent && session_->wants_read() && !peer_eof_; ++i) {
    ssize_t n = read_some(buf, cap);
    read_would_block_ = n == -1;
    if (n == -1) break;
    if (n == 0 && session_->busy() && session_->answers_after_eof()) {
      // h1 half-close after a complete request: answer it (SSE ends at once), then close.
      peer_eof_ = true;
      ev_io_stop(worker_.loop(), &rio_);
      session_->shutdown();
      break;
    }
    if (n <= 0) {
      close();  // the client went away (or broke the stream): everything of it goes now
      return;
    }
    worker_.env().stats->bytes_received.add(static_cast<uint64_t>(n));
    if (!session_->on_read(buf, static_cast<size_t>(n))) {
      flush();
      if (!closed()) close();
      return;
    }
    // A short read drained the socket: skip the recv() that would only say EAGAIN (epoll
    // is level-triggered, so anything that arrives later wakes us again).
    if (static_cast<size_t>(n) < cap && !tls_bytes_held()) break;
  }
  flush();
}

void Connection::request_write() {
  if (state_ == State::kOpen) ev_io_start(worker_.loop(), &wio_);
}

void Connection::flush() {
  if (state_ != State::kOpen) return;
  WorkerStats& st = *worker_.env().stats;
  for (;;) {
    if (wpos_ == wbuf_.size()) {
      wbuf_.clear();
      wpos_ = 0;
      if (!session_->fill(wbuf_, kHighWater)) {
        close();
        return;
      }
      st.bytes_sent.add(wbuf_.size());
      if (wbuf_.empty()) break;
    }
    ssize_t n = write_some(wbuf_.data() + wpos_, wbuf_.size() - wpos_);
    if (n == -1) {
      ev_io_start(worker_.loop(), &wio_);
      return;
    }
    if (n < 0) {
      close();
      return;
    }
    wpos_ += static_cast<size_t>(n);
    last_activity_ = last_write_ = now();
  }
  ev_io_stop(worker_.loop(), &wio_);
  if (wbuf_.capacity() > 2 * kHighWater) std::string().swap(wbuf_);  // keep idle connections small
  if (session_->finished()) {
    close();
    return;
  }
  update_read_interest();
  arm_timer();
}

void Connection::arm_timer() {
  timer_.repeat = std::max(deadline() - now(), 0.001);
  ev_timer_again(worker_.loop(), &timer_);
}

bool Connection::tls_bytes_held() const { return ssl_ != nullptr && SSL_has_pending(ssl_) == 1; }

void Connection::update_read_interest() {
  if (session_->wants_read() && !peer_eof_) {
    if (!ev_is_active(&rio_)) ev_io_start(worker_.loop(), &rio_);
    // The socket may be drained while OpenSSL holds the next records: epoll would never
    // report them, so the read is asked for here. Not after a read that would have blocked:
    // what OpenSSL holds then is a partial record, and the socket reports the rest.
    if (!read_would_block_ && tls_bytes_held()) ev_feed_event(worker_.loop(), &rio_, EV_READ);
  } else if (ev_is_active(&rio_)) {
    ev_io_stop(worker_.loop(), &rio_);
  }
}

void Connection::begin_shutdown() {
  if (state_ == State::kClosed || shutting_down_) return;
  shutting_down_ = true;
  if (state_ == State::kOpen) {
    session_->shutdown();
    request_write();
  } else {
    // Not talking a protocol yet: nothing in flight; close from the timer callback.
    timer_.repeat = 0.001;
    ev_timer_again(worker_.loop(), &timer_);
  }
}

double Connection::deadline() const {
  const Config& cfg = worker_.config();
  const double read_s = static_cast<double>(cfg.read_timeout.count()) / 1000.0;
  const double idle_s = static_cast<double>(cfg.idle_timeout.count()) / 1000.0;
  if (state_ != State::kOpen) return accepted_at_ + read_s;
  if (auto started = session_->request_started()) return *started + read_s;
  // A response in progress: look again once nothing was written for idle_s (on_timer
  // then closes the connection if the peer is what holds the output back).
  if (session_->busy()) return std::max(last_write_, stall_checked_at_) + idle_s;
  return last_activity_ + idle_s;
}

bool Connection::write_stalled() const {
  // A response in progress that the peer does not take: a full socket buffer, or an h2
  // window it never reopens.
  return wpos_ < wbuf_.size() || session_->output_blocked();
}

void Connection::on_timer() {
  if (state_ == State::kClosed) return;
  if (shutting_down_ && state_ != State::kOpen) {
    close();
    return;
  }
  const double t = now();
  const double due = deadline();
  if (t + 1e-3 < due) {
    arm_timer();
    return;
  }
  if (state_ == State::kOpen && !session_->request_started() && session_->busy() && !write_stalled()) {
    stall_checked_at_ = t;  // nothing written for idle_s, but the server is the one waiting (SSE)
    arm_timer();
    return;
  }
  worker_.env().stats->timeouts.add();
  if (state_ == State::kOpen) {
    session_->shutdown();  // h2: GOAWAY goes out with what is buffered
    flush();
  }
  if (!closed()) close();
}

}  // namespace h2soak::server
