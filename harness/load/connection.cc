#include "harness/load/connection.h"

#include "harness/load/h1_connection.h"
#include "harness/load/h2_connection.h"

namespace h2soak::load {

void Connection::begin_attempt() {
  was_connected_ = false;
  completed_ok_ = 0;
  close_pending_ = false;
  close_cause_ = net::ErrorClass::kNone;
  close_message_.clear();
  connect_us_ = tls_us_ = 0;
  tls_resumed_ = false;
  connect_started_ = now();
  state_ = State::kConnecting;
}

void Connection::report_closed() {
  CloseInfo info{close_cause_, was_connected_, completed_ok_, std::move(close_message_)};
  close_pending_ = false;
  observer_.on_closed(*this, info);
}

std::unique_ptr<Connection> make_connection(Worker& worker, const ConnectionOptions& options,
                                            ConnectionObserver& observer, metrics::WorkloadMetrics* metrics) {
  if (options.protocol == Protocol::kH1) return std::make_unique<H1Connection>(worker, options, observer, metrics);
  return std::make_unique<H2Connection>(worker, options, observer, metrics);
}

}  // namespace h2soak::load
