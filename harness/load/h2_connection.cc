#include "harness/load/h2_connection.h"

#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

#include "harness/load/error_class.h"
#include "harness/load/worker.h"
#include "harness/net/tls.h"
#include "harness/net/transport.h"

namespace h2soak::load {
namespace {
constexpr std::size_t kOutputSize = 64 * 1024;
constexpr int kMaxReadsPerEvent = 8;  // fairness between connections of a worker
constexpr Nanos kStuckAfter = std::chrono::milliseconds(200);

}  // namespace

H2Connection::H2Connection(Worker& worker, const ConnectionOptions& options, ConnectionObserver& observer,
                           metrics::WorkloadMetrics* metrics)
    : Connection(options, observer, metrics),
      worker_(worker),
      timeout_timer_(worker.loop(), [this] {
        if (state_ == State::kConnecting) close(net::ErrorClass::kConnectFailed, "connect timeout");
        else if (state_ == State::kTlsHandshake) close(net::ErrorClass::kTlsFailed, "TLS handshake timeout");
        else close(net::ErrorClass::kTimeout, "connection active timeout (-T)");
      }),
      inactivity_timer_(worker.loop(), [this] { close(net::ErrorClass::kTimeout, "inactivity timeout (-N)"); }) {
  const std::size_t slots = std::max<std::uint32_t>(1, options_.settings.max_concurrent_streams);
  pool_.resize(slots);
  free_.reserve(slots);
  for (std::size_t i = slots; i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
  out_.reset(new std::uint8_t[kOutputSize]);
  ev_io_init(&read_watcher_, &H2Connection::on_io, -1, EV_READ);
  ev_io_init(&write_watcher_, &H2Connection::on_io, -1, EV_WRITE);
  read_watcher_.data = write_watcher_.data = this;
  worker_.add_connection(this);
  if (options_.tls) worker_.tls(nullptr, options_.tls_resume);  // built now, not inside the first connect's timing
}

H2Connection::~H2Connection() {
  if (state_ != State::kIdle) {
    // Destroyed while open (end of run): release everything without callbacks.
    ev_io_stop(worker_.loop(), &read_watcher_);
    ev_io_stop(worker_.loop(), &write_watcher_);
    session_.reset();
    transport_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  worker_.remove_connection(this);
}

void H2Connection::connect() {
  if (state_ != State::kIdle) return;
  begin_attempt();
  ++metrics_->counters.connections_opened;
  auto fd = net::start_connect(options_.address);
  if (!fd) {
    close(net::ErrorClass::kConnectFailed, fd.error().message());
    return;
  }
  fd_ = *fd;
  ev_io_set(&read_watcher_, fd_, EV_READ);
  ev_io_set(&write_watcher_, fd_, EV_WRITE);
  set_write_interest(true);
  if (options_.connect_timeout.count() > 0) timeout_timer_.start(options_.connect_timeout);
}

void H2Connection::on_io(struct ev_loop*, ev_io* w, int revents) {
  auto* self = static_cast<H2Connection*>(w->data);
  switch (self->state_) {
    case State::kConnecting: self->handle_connecting(); return;
    case State::kTlsHandshake: self->handle_tls_handshake(); return;
    case State::kReady:
    case State::kClosing:
      if (revents & EV_READ) self->handle_read();
      if ((revents & EV_WRITE) && self->state_ != State::kIdle) self->flush();
      return;
    case State::kIdle: return;
  }
}

void H2Connection::set_write_interest(bool on) {
  if (on == write_interest_) return;
  write_interest_ = on;
  if (on) ev_io_start(worker_.loop(), &write_watcher_);
  else ev_io_stop(worker_.loop(), &write_watcher_);
}

void H2Connection::handle_connecting() {
  if (auto st = net::finish_connect(fd_); !st) {
    close(net::ErrorClass::kConnectFailed, st.error().message() + " (" + options_.address.to_string() + ")");
    return;
  }
  tcp_connected_ = now();
  connect_us_ = micros_between(connect_started_, tcp_connected_);
  metrics_->connect.record(connect_us_);
  ev_io_start(worker_.loop(), &read_watcher_);
  if (!options_.tls) {
    transport_ = net::plain_transport(fd_);
    on_transport_ready();
    return;
  }
  std::string error;
  net::TlsContext* tls = worker_.tls(&error, options_.tls_resume);
  if (!tls) {
    close(net::ErrorClass::kTlsFailed, error);
    return;
  }
  auto transport = net::tls_transport(*tls, fd_, options_.host);
  if (!transport) {
    close(net::ErrorClass::kTlsFailed, transport.error().message());
    return;
  }
  transport_ = std::move(*transport);
  state_ = State::kTlsHandshake;
  handle_tls_handshake();
}

void H2Connection::handle_tls_handshake() {
  const net::IoResult r = transport_->handshake();
  switch (r.status) {
    case net::IoResult::Status::kOk: break;
    case net::IoResult::Status::kWantRead: set_write_interest(false); return;
    case net::IoResult::Status::kWantWrite: set_write_interest(true); return;
    case net::IoResult::Status::kClosed:
    case net::IoResult::Status::kError: close(net::ErrorClass::kTlsFailed, r.error); return;
  }
  if (transport_->alpn() != "h2") {
    close(net::ErrorClass::kTlsFailed, "the server did not select h2 with ALPN");
    return;
  }
  tls_us_ = micros_between(tcp_connected_, now());
  tls_resumed_ = transport_->resumed();
  if (tls_resumed_) ++metrics_->extra_counter("tls_resumed");
  metrics_->tls_handshake.record(tls_us_);
  on_transport_ready();
}

void H2Connection::on_transport_ready() {
  set_write_interest(false);
  state_ = State::kReady;
  was_connected_ = true;
  if (options_.active_timeout.count() > 0) timeout_timer_.start(options_.active_timeout);
  else timeout_timer_.stop();
  if (options_.inactivity_timeout.count() > 0) inactivity_timer_.again(options_.inactivity_timeout);
  session_ = std::make_unique<h2::Http2Session>(*this, options_.settings);
  if (auto st = session_->on_connect(); !st) {
    close(net::ErrorClass::kProtocol, st.error().message());
    return;
  }
  observer_.on_connected(*this);
}

std::size_t H2Connection::capacity() const {
  if (state_ != State::kReady || close_pending_) return 0;
  const std::size_t max = session_->max_concurrent_streams();
  const std::size_t used = in_flight();
  return max > used ? std::min(max - used, free_.size()) : 0;
}

net::StreamRecord* H2Connection::acquire() {
  if (capacity() == 0) return nullptr;
  net::StreamRecord& r = pool_[free_.back()];
  free_.pop_back();
  r.request = nullptr;
  r.observer = nullptr;
  r.user = nullptr;
  r.user_tag = 0;
  r.deliver_data = false;
  r.intended = TimePoint{};
  r.active = false;
  r.reset_results();
  return &r;
}

void H2Connection::submit(net::StreamRecord& record) {
  record.submitted = now();
  if (record.intended == TimePoint{}) record.intended = record.submitted;
  ++in_callbacks_;
  auto st = session_->submit_request(record);
  --in_callbacks_;
  if (!st) {
    record.error = net::ErrorClass::kProtocol;
    record.last_byte = record.submitted;
    complete(record);
  }
  if (close_pending_ && in_callbacks_ == 0) finish_close();
}

void H2Connection::complete(net::StreamRecord& record) {
  record.active = false;
  if (!record.reported) {
    record.reported = true;
    if (record.ok()) ++completed_ok_;
    if (record.observer) record.observer->on_complete(record);
  }
  free_.push_back(static_cast<std::uint32_t>(&record - pool_.data()));
}

void H2Connection::cancel(net::StreamRecord& record, net::ErrorClass why) {
  if (!record.active || record.reported) return;
  record.error = why;
  record.last_byte = now();
  // Report now: the RST may never leave if the peer stopped reading; the slot
  // is released when nghttp2 closes the stream (or the connection closes).
  record.reported = true;
  if (record.observer) record.observer->on_complete(record);
  if (session_) session_->cancel(record, why);
}

void H2Connection::sweep_timeouts(TimePoint t) {
  if (options_.request_timeout.count() <= 0 || state_ == State::kIdle) return;
  if (free_.size() == pool_.size()) return;
  bool all_stuck = true;  // every active stream was abandoned at least one sweep ago
  for (auto& r : pool_) {
    if (!r.active) continue;
    if (!r.reported && t - r.submitted > options_.request_timeout) cancel(r, net::ErrorClass::kTimeout);
    if (!r.reported || t - r.last_byte < kStuckAfter) all_stuck = false;
  }
  // Abandoned streams whose RST_STREAM could not even be written (the peer
  // stopped reading) hold their slots forever: give the connection up.
  if (all_stuck && in_flight() > 0 && state_ != State::kIdle)
    close(net::ErrorClass::kTimeout, "every stream timed out and the peer is not reading");
}

void H2Connection::want_write() {
  if (!dirty_) {
    dirty_ = true;
    worker_.mark_dirty(this);
  }
}

void H2Connection::on_stream_done(net::StreamRecord& record) {
  complete(record);
  if (state_ == State::kReady && !close_pending_) observer_.on_stream_slot_free(*this);
}

void H2Connection::on_goaway(std::uint32_t, std::int32_t) {}

void H2Connection::on_settings() {
  if (state_ == State::kReady && !close_pending_ && capacity() > 0) observer_.on_stream_slot_free(*this);
}

void H2Connection::handle_read() {
  std::uint8_t* buf = worker_.read_buffer();
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    using Status = net::IoResult::Status;
    const net::IoResult r = transport_->read(buf, Worker::kReadBufferSize);
    if (r.status == Status::kWantWrite) set_write_interest(true);  // TLS: a read that must write first
    if (r.status == Status::kWantRead || r.status == Status::kWantWrite) break;
    if (r.status != Status::kOk) {
      close(net::ErrorClass::kPeerClosed, r.error);
      return;
    }
    const std::size_t n = r.bytes;
    metrics_->counters.bytes_in_total += static_cast<std::uint64_t>(n);
    if (options_.inactivity_timeout.count() > 0) inactivity_timer_.again(options_.inactivity_timeout);
    ++in_callbacks_;
    auto st = session_->on_read(buf, n);
    --in_callbacks_;
    if (close_pending_) { finish_close(); return; }
    if (!st) { close(net::ErrorClass::kProtocol, st.error().message()); return; }
    // A short plain read drained the socket. A short TLS read only ended a
    // record: the records read ahead wait in the transport, and going back
    // to the event loop for each of them cost a wakeup per record.
    if (n < Worker::kReadBufferSize && !transport_->pending()) break;
  }
  if (!session_->alive()) {
    close(session_->protocol_error() ? net::ErrorClass::kProtocol : net::ErrorClass::kNone);
  }
}

void H2Connection::flush() {
  dirty_ = false;
  if (state_ != State::kReady && state_ != State::kClosing) return;
  for (;;) {
    if (out_pos_ == out_len_) {
      out_pos_ = out_len_ = 0;
      ++in_callbacks_;
      auto r = session_->fill_output(out_.get(), kOutputSize);
      --in_callbacks_;
      if (close_pending_) { finish_close(); return; }
      if (!r) { close(net::ErrorClass::kProtocol, r.error().message()); return; }
      if (*r == 0) break;
      out_len_ = *r;
    }
    const net::IoResult r = transport_->write(out_.get() + out_pos_, out_len_ - out_pos_);
    switch (r.status) {
      case net::IoResult::Status::kOk: break;
      case net::IoResult::Status::kWantRead:
      case net::IoResult::Status::kWantWrite: set_write_interest(true); return;
      case net::IoResult::Status::kClosed:
      case net::IoResult::Status::kError: close(net::ErrorClass::kPeerClosed, r.error); return;
    }
    const std::size_t w = r.bytes;
    metrics_->counters.bytes_out += static_cast<std::uint64_t>(w);
    out_pos_ += w;
  }
  set_write_interest(false);
  if (!session_->alive()) {
    close(session_->protocol_error() ? net::ErrorClass::kProtocol : net::ErrorClass::kNone);
  }
}

void H2Connection::shutdown() {
  if (state_ == State::kReady) {
    state_ = State::kClosing;
    session_->terminate(NGHTTP2_NO_ERROR);
  } else if (state_ != State::kIdle && state_ != State::kClosing) {
    close(net::ErrorClass::kCancelled, "shut down before connected");
  }
}

void H2Connection::close(net::ErrorClass why, std::string message) {
  if (state_ == State::kIdle) return;
  if (close_pending_) return;
  close_pending_ = true;
  close_cause_ = why;
  close_message_ = std::move(message);
  if (in_callbacks_ == 0) finish_close();
}

void H2Connection::finish_close() {
  ev_io_stop(worker_.loop(), &read_watcher_);
  ev_io_stop(worker_.loop(), &write_watcher_);
  write_interest_ = false;
  timeout_timer_.stop();
  inactivity_timer_.stop();
  session_.reset();  // nghttp2 reports nothing on deletion; records are completed below
  transport_.reset();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  state_ = State::kIdle;
  out_pos_ = out_len_ = 0;
  const net::ErrorClass cause = close_cause_;
  auto& counters = metrics_->counters;
  if (was_connected_) {
    ++counters.connections_closed;
  } else if (cause != net::ErrorClass::kCancelled) {
    ++counters.connections_failed;
    counters.record_error(to_metrics(cause == net::ErrorClass::kTlsFailed ? cause : net::ErrorClass::kConnectFailed));
  }
  const TimePoint t = now();
  for (auto& r : pool_) {
    if (!r.active) continue;
    if (r.error == net::ErrorClass::kNone)
      r.error = cause == net::ErrorClass::kNone ? net::ErrorClass::kPeerClosed : cause;
    r.last_byte = t;
    complete(r);
  }
  report_closed();
}

}  // namespace h2soak::load
