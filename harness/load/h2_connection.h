#pragma once
// The HTTP/2 side of the client seam (load/connection.h): a non-blocking TCP
// socket, its byte stream (net::Transport: TLS with ALPN h2, or plain TCP for
// h2c with prior knowledge), an h2 Session over it (net/session.h), a pool of
// preallocated stream records, and the connection's timers. The contract is
// load::Connection's; what is particular to h2:
// Output is batched: submits only mark the connection dirty; the worker
// flushes every dirty connection once per loop turn (Worker::flush_dirty),
// and sweeps request timeouts (sweep_timeouts). Nothing is allocated per
// request.

#include <cstdint>
#include <memory>
#include <vector>

#include "harness/h2/http2_session.h"
#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/session.h"
#include "harness/net/socket.h"
#include "harness/net/transport.h"
#include "harness/net/url.h"
#include "harness/util/clock.h"

namespace h2soak::load {

class Worker;

class H2Connection final : public Connection, public net::SessionHost {
 public:
  H2Connection(Worker& worker, const ConnectionOptions& options, ConnectionObserver& observer,
               metrics::WorkloadMetrics* metrics);
  ~H2Connection() override;

  void connect() override;
  // Honours the peer's SETTINGS_MAX_CONCURRENT_STREAMS and -m; 0 after GOAWAY.
  std::size_t capacity() const override;
  std::size_t in_flight() const override { return pool_.size() - free_.size(); }
  net::StreamRecord* acquire() override;
  // A submit the session refuses completes the record with kProtocol.
  void submit(net::StreamRecord& record) override;
  // RST_STREAM(CANCEL) one active record; it completes with `why`.
  void cancel(net::StreamRecord& record, net::ErrorClass why) override;

  void shutdown() override;
  void close(net::ErrorClass why, std::string message = {}) override;

  // Cancels active records older than the request timeout (worker's sweep);
  // closes the connection (kTimeout) when all its streams were abandoned and
  // stay stuck (their resets cannot be written).
  void sweep_timeouts(TimePoint now);
  // Writes pending output (called by the worker once per loop turn).
  void flush();

  // net::SessionHost
  void want_write() override;
  void on_stream_done(net::StreamRecord& record) override;
  void on_goaway(std::uint32_t error_code, std::int32_t last_stream_id) override;
  void on_settings() override;

 private:
  friend class Worker;
  static void on_io(struct ev_loop* loop, ev_io* w, int revents);
  void handle_connecting();
  void handle_tls_handshake();
  void handle_read();
  void on_transport_ready();
  void complete(net::StreamRecord& record);
  void set_write_interest(bool on);
  void finish_close();
  void on_timeout(net::ErrorClass why, const char* what);

  Worker& worker_;
  int fd_ = -1;
  std::unique_ptr<net::Transport> transport_;  // plain TCP or TLS on fd_, once connected
  std::unique_ptr<h2::Http2Session> session_;
  ev_io read_watcher_{};
  ev_io write_watcher_{};
  bool write_interest_ = false;
  Timer timeout_timer_;     // connect timeout, then -T
  Timer inactivity_timer_;  // -N
  std::vector<net::StreamRecord> pool_;
  std::vector<std::uint32_t> free_;
  std::unique_ptr<std::uint8_t[]> out_;
  std::size_t out_pos_ = 0, out_len_ = 0;
  bool dirty_ = false;
  int in_callbacks_ = 0;    // >0 while inside session calls: close is deferred
  TimePoint tcp_connected_{};
};

}  // namespace h2soak::load
