#pragma once
// One client connection on a worker's loop: a non-blocking TCP socket, its
// byte stream (net::Transport: TLS with ALPN h2, or plain TCP for h2c with
// prior knowledge), an h2 Session over it, a pool of preallocated stream
// records, and the connection's timers.
//
// Lifecycle (all on the worker thread):
//   Connection c(worker, options, observer);   c.connect();
//     -> observer.on_connected(c)              TCP (+TLS) up, SETTINGS queued
//   while c.capacity() > 0:  rec = c.acquire(); fill rec; c.submit(*rec);
//     -> rec.observer->on_complete(rec)        per request (error says how)
//     -> observer.on_stream_slot_free(c)       the slot may be reused now
//   c.shutdown()  graceful GOAWAY, closes when the streams are done
//   c.close(why)  abrupt: every active record completes with `why`
//     -> observer.on_closed(c, info)           exactly once per connect();
//                                              c.connect() may be called again
//                                              (from inside on_closed too)
// Output is batched: submits only mark the connection dirty; the worker
// flushes every dirty connection once per loop turn (Worker::flush_dirty).
// A Connection must not be destroyed from inside its own callbacks; close it
// and destroy it later (e.g. from a timer or after the loop returns).

#include <cstdint>
#include <memory>
#include <vector>

#include "harness/h2/http2_session.h"
#include "harness/load/event.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/session.h"
#include "harness/net/socket.h"
#include "harness/net/transport.h"
#include "harness/net/url.h"
#include "harness/util/clock.h"

namespace h2soak::load {

class Worker;
class Connection;

struct ConnectionOptions {
  net::Address address;
  std::string host;  // SNI / certificate name
  bool tls = false;
  bool tls_resume = false;         // offer the worker's last session even if the run's TLS options do not resume
  h2::Http2Settings settings;      // settings.max_concurrent_streams = -m (pool size)
  Nanos connect_timeout{std::chrono::seconds(10)};   // TCP + TLS
  Nanos active_timeout{0};         // -T: max lifetime once connected (0: none)
  Nanos inactivity_timeout{0};     // -N: max time without reading (0: none)
  Nanos request_timeout{0};        // per request, checked by the worker's sweep (0: none)
};

// How a connection ended (given to on_closed).
struct CloseInfo {
  // kNone: graceful (GOAWAY exchanged / shutdown); otherwise why it died.
  net::ErrorClass cause = net::ErrorClass::kNone;
  bool was_connected = false;      // reached on_connected before closing
  std::uint64_t completed_ok = 0;  // requests completed without error on it
  std::string message;             // for logs; empty when graceful
};

class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void on_connected(Connection&) = 0;
  virtual void on_stream_slot_free(Connection&) = 0;
  virtual void on_closed(Connection&, const CloseInfo&) = 0;
};

class Connection final : public net::SessionHost {
 public:
  enum class State { kIdle, kConnecting, kTlsHandshake, kReady, kClosing };

  Connection(Worker& worker, const ConnectionOptions& options, ConnectionObserver& observer,
             metrics::WorkloadMetrics* metrics);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts a connection attempt (state must be kIdle).
  void connect();
  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }

  // Streams that can be submitted now (0 unless ready; honours the peer's
  // SETTINGS_MAX_CONCURRENT_STREAMS and -m; 0 after GOAWAY).
  std::size_t capacity() const;
  std::size_t in_flight() const { return pool_.size() - free_.size(); }
  // A free record, reset; nullptr when capacity() == 0.
  net::StreamRecord* acquire();
  // Submits an acquired record (request and observer set). On failure the
  // record is completed with kProtocol (observer called) before returning.
  void submit(net::StreamRecord& record);
  // RST_STREAM(CANCEL) one active record; it completes with `why`.
  void cancel(net::StreamRecord& record, net::ErrorClass why);

  void shutdown();
  void close(net::ErrorClass why, std::string message = {});

  // Cancels active records older than the request timeout (worker's sweep);
  // closes the connection (kTimeout) when all its streams were abandoned and
  // stay stuck (their resets cannot be written).
  void sweep_timeouts(TimePoint now);
  // Writes pending output (called by the worker once per loop turn).
  void flush();

  // Where byte counts and connect/TLS times go (the workload's current phase).
  void set_metrics(metrics::WorkloadMetrics* metrics) { metrics_ = metrics; }

  // Per-connection timings of the current/last attempt.
  TimePoint connect_started() const { return connect_started_; }
  std::uint64_t connect_us() const { return connect_us_; }
  std::uint64_t tls_us() const { return tls_us_; }
  bool tls_resumed() const { return tls_resumed_; }
  const ConnectionOptions& options() const { return options_; }
  void* user = nullptr;  // owner's cookie

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
  ConnectionOptions options_;
  ConnectionObserver& observer_;
  metrics::WorkloadMetrics* metrics_;
  State state_ = State::kIdle;
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
  bool close_pending_ = false;
  net::ErrorClass close_cause_ = net::ErrorClass::kNone;
  std::string close_message_;
  bool was_connected_ = false;
  std::uint64_t completed_ok_ = 0;
  TimePoint connect_started_{}, tcp_connected_{};
  std::uint64_t connect_us_ = 0, tls_us_ = 0;
  bool tls_resumed_ = false;
};

}  // namespace h2soak::load
