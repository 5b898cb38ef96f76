#pragma once
// The `short_connections` workload: a new connection `rate` times per second
// (this worker's share), each carrying requests_per_connection sequential GETs
// of `path` and then closed by the client (GOAWAY, then close). At most
// max_in_flight connections at once (this worker's share of a pool of
// preallocated load::Connection objects); an arrival finding none free is
// counted as dropped (requests_dropped += requests_per_connection, and
// short.connections_dropped). Latency of each request runs from its
// connection's due time for the first request (connect and TLS included, as
// a user waiting for the page sees it), from its send time for later ones.
//
// One load::Connection per pool slot, of the workload's protocol (h2: TLS
// with ALPN or h2c; h1: HTTP/1.1 over TLS or plain TCP through curl, one
// request at a time, certificates not verified, like the plan runner's
// default). An arrival connects its slot, sends the requests one after
// another on it (keep-alive for h1) and shuts it down after the last. A
// request that fails on an h1 connection ends it (the rest are not sent).
// The connection counts connections_opened (plus any reconnect curl made
// inside a group), connections_closed each connection that carried a
// response (h2: that connected), connections_failed connect / TLS failures.
//
// TLS sessions: by default none is resumed (a full handshake per connection).
// With tls_resume, each new connection offers an earlier connection's session
// ticket. h2: the worker's resuming TlsContext (Worker::tls(_, true)) keeps the
// most recent ticket of all this worker's resuming connections; h1: each pool
// slot's connection keeps its own session-id cache, so a slot's first
// connection is a full handshake. Connections whose handshake resumed
// (SSL_session_reused) are counted in the extra counter tls_resumed, present
// (possibly 0) whenever tls_resume is on over TLS; client metrics report it as
// <workload>.tls_resumed and <workload>.tls.resumed_share.
//
// Connect and TLS times go to the connect / tls_handshake histograms (recorded
// by the connection; h1: curl's connect and appconnect times). Extras per phase: counters short.connections_done
// (closed after their requests), short.connections_dropped; histogram
// short.connection_total_us (due time -> connection closed).
// Connections per second of a phase = connections_opened / phase duration.

#include <memory>
#include <vector>

#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/workloads/workload_base.h"

namespace h2soak::workloads {

class ShortConnectionsWorkload final : public WorkloadBase,
                                       public load::ConnectionObserver,
                                       public net::StreamObserver {
 public:
  ShortConnectionsWorkload(load::Worker& worker, const WorkloadContext& context);
  ~ShortConnectionsWorkload() override;

  void on_connected(load::Connection& c) override;
  void on_stream_slot_free(load::Connection& c) override;
  void on_closed(load::Connection& c, const load::CloseInfo& info) override;
  void on_complete(net::StreamRecord& r) override;

 protected:
  void on_window_open() override;
  void on_window_close() override;
  void close_all() override;
  void on_phase(metrics::WorkloadMetrics& current) override;
  std::uint64_t in_flight() const override { return in_flight_; }

 private:
  struct Slot {
    std::unique_ptr<load::Connection> connection;
    bool busy = false;
    TimePoint due{};
    std::uint64_t phase = 0;           // phase the connection was due in
    std::uint32_t requests_left = 0;   // not yet submitted
    bool request_active = false;
  };
  struct Extras {
    std::uint64_t *done, *dropped;
    metrics::Histogram* total;
  };

  void on_tick();
  void next_request(Slot& slot);
  std::uint32_t per_connection() const;

  const scenario::ShortConnectionsWorkload& params_;
  net::Request request_;
  std::vector<Slot> slots_;
  double rate_ = 0;
  TimePoint next_due_{};
  std::uint64_t in_flight_ = 0;
  std::unique_ptr<load::Timer> tick_timer_;
  Extras extras_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
