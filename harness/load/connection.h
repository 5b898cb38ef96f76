#pragma once
// The client seam: one connection to the target as a workload sees it,
// whatever the protocol (HTTP/2 over TLS or h2c, HTTP/1.1 over TLS or plain
// TCP), as h2load's Client/Session pair hides HTTP/1 from HTTP/2. A workload
// asks make_connection() for one and implements one ConnectionObserver and
// one net::StreamObserver; it never branches on the protocol.
//
// Lifecycle (all on the worker thread):
//   auto c = make_connection(worker, options, observer, metrics);  c->connect();
//     -> observer.on_connected(*c)             ready to take requests
//   while c->capacity() > 0:  rec = c->acquire(); fill rec; c->submit(*rec);
//     -> rec.observer->on_complete(rec)        per request (error says how)
//     -> observer.on_stream_slot_free(*c)      the slot may be reused now
//   c->shutdown()  graceful: no new requests, closes when the in-flight ones are done
//   c->close(why)  abrupt: every active record completes with `why`
//     -> observer.on_closed(*c, info)          exactly once per connect();
//                                              connect() may be called again
//                                              (from inside on_closed too)
// on_connected and on_closed never come from inside connect(); on_closed
// comes from inside close() when close() is not called from the
// connection's own callbacks. A Connection must not be destroyed from inside
// its own callbacks; close it and destroy it later.
//
// What each protocol means by it:
//   h2 (H2Connection): the engine's own socket, TLS with ALPN h2 or plain h2c,
//     an h2::Http2Session; capacity() up to the peer's
//     SETTINGS_MAX_CONCURRENT_STREAMS and settings.max_concurrent_streams.
//     on_connected once TCP (+TLS) is up.
//   h1 (H1Connection): one HTTP/1.1 connection through libcurl (h1::CurlClient),
//     one request at a time (capacity() 0 or 1, no pipelining). curl connects
//     with the first request after connect(), so on_connected comes on the
//     next loop turn (ready, not yet connected); a failed connect or handshake
//     is that request's error (kConnectFailed / kTlsFailed), then on_closed
//     with was_connected false. A request that fails ends the connection (curl
//     drops it): on_closed with the request's error as the cause.
//     active_timeout and inactivity_timeout are not supported; request_timeout
//     is curl's per-transfer timeout.
//
// Accounting, done by the connection into its metrics (set_metrics): counters
// connections_opened / _closed / _failed, bytes_in_total / bytes_out, the
// connect and tls_handshake histograms and the extra counter tls_resumed. The
// workload records each request itself (load::record_request).

#include <cstdint>
#include <memory>
#include <string>

#include "harness/h2/http2_session.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/socket.h"
#include "harness/net/stream.h"
#include "harness/util/clock.h"

namespace h2soak::load {

class Worker;
class Connection;

enum class Protocol { kH2, kH1 };

struct ConnectionOptions {
  Protocol protocol = Protocol::kH2;
  net::Address address;
  std::string host;  // SNI / certificate name
  bool tls = false;  // h2: TLS with ALPN h2, else h2c with prior knowledge
  bool tls_resume = false;         // offer an earlier session even if the run's TLS options do not resume
                                   // (h2: the worker's resuming context; h1: curl's session-id cache)
  bool insecure = false;           // h1 only: do not verify the certificate (h2: the worker's TLS options)
  std::string ca_file;             // h1 only
  h2::Http2Settings settings;      // settings.max_concurrent_streams = -m (pool size; h1: 1)
  Nanos connect_timeout{std::chrono::seconds(10)};   // TCP + TLS
  Nanos active_timeout{0};         // -T: max lifetime once connected (0: none; h2 only)
  Nanos inactivity_timeout{0};     // -N: max time without reading (0: none; h2 only)
  Nanos request_timeout{0};        // per request (0: none)
};

// How a connection ended (given to on_closed).
struct CloseInfo {
  // kNone: graceful (GOAWAY exchanged / shutdown); otherwise why it died.
  net::ErrorClass cause = net::ErrorClass::kNone;
  bool was_connected = false;      // the transport (TCP, TLS) was up before closing
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

class Connection {
 public:
  enum class State { kIdle, kConnecting, kTlsHandshake, kReady, kClosing };

  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts a connection attempt (state must be kIdle).
  virtual void connect() = 0;
  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }

  // Requests that can be submitted now (0 unless ready, and 0 once shutting down).
  virtual std::size_t capacity() const = 0;
  virtual std::size_t in_flight() const = 0;
  // A free record, reset; nullptr when capacity() == 0.
  virtual net::StreamRecord* acquire() = 0;
  // Submits an acquired record (request and observer set). On failure the
  // record is completed (observer called) before returning.
  virtual void submit(net::StreamRecord& record) = 0;
  // Abandons one active record: it completes with `why` (h2: RST_STREAM(CANCEL);
  // h1: the transfer is aborted).
  virtual void cancel(net::StreamRecord& record, net::ErrorClass why) = 0;

  virtual void shutdown() = 0;
  virtual void close(net::ErrorClass why, std::string message = {}) = 0;

  // Where byte counts and connect/TLS times go (the workload's current phase).
  void set_metrics(metrics::WorkloadMetrics* metrics) { metrics_ = metrics; }

  // Per-connection timings of the current/last attempt (h1: known once its
  // first request is done).
  TimePoint connect_started() const { return connect_started_; }
  std::uint64_t connect_us() const { return connect_us_; }
  std::uint64_t tls_us() const { return tls_us_; }
  bool tls_resumed() const { return tls_resumed_; }
  const ConnectionOptions& options() const { return options_; }
  void* user = nullptr;  // owner's cookie

 protected:
  Connection(const ConnectionOptions& options, ConnectionObserver& observer, metrics::WorkloadMetrics* metrics)
      : options_(options), observer_(observer), metrics_(metrics) {}

  // The start of every connect(): resets the state of the last attempt, kConnecting.
  void begin_attempt();
  // The end of every attempt (state already kIdle): on_closed with the close_* fields.
  void report_closed();

  ConnectionOptions options_;
  ConnectionObserver& observer_;
  metrics::WorkloadMetrics* metrics_;
  State state_ = State::kIdle;
  TimePoint connect_started_{};
  std::uint64_t connect_us_ = 0, tls_us_ = 0;
  bool tls_resumed_ = false;
  bool was_connected_ = false;     // CloseInfo::was_connected
  std::uint64_t completed_ok_ = 0;
  bool close_pending_ = false;     // close asked for; done from outside the callbacks
  net::ErrorClass close_cause_ = net::ErrorClass::kNone;
  std::string close_message_;
};

// A new idle connection of options.protocol on `worker`'s loop. It must not
// outlive the worker; the observer must outlive it.
std::unique_ptr<Connection> make_connection(Worker& worker, const ConnectionOptions& options,
                                            ConnectionObserver& observer, metrics::WorkloadMetrics* metrics);

}  // namespace h2soak::load
