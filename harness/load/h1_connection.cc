#include "harness/load/h1_connection.h"

#include "harness/load/worker.h"

namespace h2soak::load {
namespace {

h1::CurlOptions curl_options(const ConnectionOptions& o) {
  h1::CurlOptions co;
  co.max_parallel = 1;
  co.max_connections = 1;
  co.insecure = o.insecure;
  co.tls_resume = o.tls_resume;
  co.ca_file = o.ca_file;
  co.connect_timeout = o.connect_timeout;
  co.request_timeout = o.request_timeout;
  return co;
}

}  // namespace

H1Connection::H1Connection(Worker& worker, const ConnectionOptions& options, ConnectionObserver& observer,
                           metrics::WorkloadMetrics* metrics)
    : Connection(options, observer, metrics),
      client_(std::make_unique<h1::CurlClient>(worker.loop(), curl_options(options), *this)),
      turn_timer_(worker.loop(), [this] { on_turn(); }) {}

H1Connection::~H1Connection() {
  turn_timer_.stop();
  client_.reset();  // aborts what is in flight without callbacks, closes curl's connection
}

void H1Connection::connect() {
  if (state_ != State::kIdle) return;
  begin_attempt();
  fresh_ = true;
  opened_ = false;
  transfers_ = 0;
  turn_timer_.start(Nanos{0});
}

void H1Connection::on_turn() {
  if (close_pending_) {
    finish_close();
  } else if (state_ == State::kConnecting) {
    state_ = State::kReady;
    observer_.on_connected(*this);
  }
}

std::size_t H1Connection::capacity() const {
  return state_ == State::kReady && !close_pending_ ? client_->capacity() : 0;
}

net::StreamRecord* H1Connection::acquire() { return capacity() > 0 ? client_->acquire() : nullptr; }

void H1Connection::submit(net::StreamRecord& record) {
  const bool fresh = fresh_;
  fresh_ = false;
  if (fresh) {
    opened_ = true;
    ++metrics_->counters.connections_opened;
  }
  ++in_callbacks_;
  client_->submit(record, fresh, /*forbid_reuse=*/false);
  --in_callbacks_;
}

void H1Connection::on_transfer_done(h1::CurlClient&, net::StreamRecord& r, const h1::TransferFacts& facts) {
  ++in_callbacks_;
  auto& counters = metrics_->counters;
  counters.bytes_in_total += facts.bytes_in;
  counters.bytes_out += facts.bytes_out;
  if (facts.new_connection) {
    if (transfers_ > 0) {
      // curl reconnected under us: the server had closed the previous connection
      if (was_connected_) ++counters.connections_closed;
      ++counters.connections_opened;
    }
    connect_us_ = facts.connect_us;
    tls_us_ = facts.tls_us;
    tls_resumed_ = facts.tls_resumed;
    metrics_->connect.record(facts.connect_us);
    if (facts.tls_us > 0) metrics_->tls_handshake.record(facts.tls_us);
    if (facts.tls_resumed) ++metrics_->extra_counter("tls_resumed");
  }
  ++transfers_;
  const bool connect_failed = r.error == net::ErrorClass::kConnectFailed || r.error == net::ErrorClass::kTlsFailed;
  if (connect_failed) ++counters.connections_failed;
  if (r.status != 0 || (facts.new_connection && !connect_failed)) was_connected_ = true;
  if (r.ok()) ++completed_ok_;
  if (!r.ok() && !close_pending_) {
    // curl does not keep a connection whose transfer failed
    close_pending_ = true;
    close_cause_ = r.error;
    close_message_ = std::string("HTTP/1.1: ") + std::string(net::error_class_name(r.error));
  }
  if (r.observer) r.observer->on_complete(r);
  --in_callbacks_;
}

void H1Connection::on_slot_free(h1::CurlClient&) {
  // Still inside the client's callbacks: curl's connection is closed from the loop.
  ++in_callbacks_;
  if (close_pending_) turn_timer_.start(Nanos{0});
  else if (state_ == State::kClosing) close(net::ErrorClass::kNone);
  else if (state_ == State::kReady) observer_.on_stream_slot_free(*this);
  --in_callbacks_;
}

void H1Connection::cancel(net::StreamRecord& record, net::ErrorClass why) {
  if (!record.active || record.reported) return;
  ++in_callbacks_;
  client_->cancel_all(why);
  --in_callbacks_;
}

void H1Connection::shutdown() {
  if (state_ == State::kReady) {
    if (in_flight() == 0) close(net::ErrorClass::kNone);
    else state_ = State::kClosing;
  } else if (state_ == State::kConnecting) {
    close(net::ErrorClass::kCancelled, "shut down before connected");
  }
}

void H1Connection::close(net::ErrorClass why, std::string message) {
  if (state_ == State::kIdle || close_pending_) return;
  close_pending_ = true;
  close_cause_ = why;
  close_message_ = std::move(message);
  if (in_callbacks_ == 0) finish_close();
  else turn_timer_.start(Nanos{0});
}

void H1Connection::finish_close() {
  turn_timer_.stop();
  const net::ErrorClass cause = close_cause_;
  ++in_callbacks_;
  client_->cancel_all(cause == net::ErrorClass::kNone ? net::ErrorClass::kPeerClosed : cause);
  --in_callbacks_;
  turn_timer_.stop();  // armed again by the cancelled transfers' slots
  if (opened_) client_->close_connections();
  if (was_connected_) ++metrics_->counters.connections_closed;
  state_ = State::kIdle;
  report_closed();
}

}  // namespace h2soak::load
