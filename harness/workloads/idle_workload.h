#pragma once
// The `idle` workload: this worker's share of `connections`, opened when the
// first load window opens and then held silent, as browsers hold idle tabs:
//   - a fraction `no_tls_handshake` connects TCP and sends nothing at all
//     (no ClientHello, no preface: SilentSocket);
//   - a fraction `no_request` completes TLS + the HTTP/2 preface and SETTINGS
//     and never sends a request;
//   - the rest send one GET of `path`, read the response, then stay silent.
// They are held through the end of the load windows and the cooldown until
// close_at (the PlannedWorkload's; for idle the run's end or start + hold),
// and never reopened. The engine's stop() at the run's end does not close
// them; abort() / close_at does.
//
// Recorded per phase (the phase the event happened in): counters
// idle.opened, idle.connect_failed, idle.server_closed (the server closed a
// connection we held), split by how: idle.closed_goaway (h2: GOAWAY, then the
// session ended cleanly), idle.closed_eof (the socket closed without a
// GOAWAY exchange), idle.closed_reset (TCP reset, TCP-only connections);
// idle.still_open (open at close_at, closed by us then);
// histogram idle.time_to_server_close_us (from the moment the connection
// went silent — TCP connected / h2 ready / response received — to the
// server's close). A server without idle timeouts shows server_closed = 0
// and still_open = connections.

#include <memory>
#include <vector>

#include "harness/load/connection.h"
#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/workloads/silent_socket.h"
#include "harness/workloads/workload_base.h"

namespace h2soak::workloads {

class IdleWorkload final : public WorkloadBase, public load::ConnectionObserver, public net::StreamObserver {
 public:
  IdleWorkload(load::Worker& worker, const WorkloadContext& context);
  ~IdleWorkload() override;

  void on_connected(load::Connection& c) override;
  void on_stream_slot_free(load::Connection&) override {}
  void on_closed(load::Connection& c, const load::CloseInfo& info) override;
  void on_complete(net::StreamRecord& r) override;

 protected:
  void on_window_open() override;
  void close_all() override;
  void on_phase(metrics::WorkloadMetrics& current) override;
  std::uint64_t in_flight() const override { return in_flight_; }

 private:
  enum class Mode { kNoHandshake, kNoRequest, kOneRequest };
  struct Entry {
    Mode mode = Mode::kOneRequest;
    std::unique_ptr<SilentSocket> raw;
    std::unique_ptr<load::Connection> connection;
    TimePoint silent_since{};
    bool open = false;      // connected and not closed yet
    bool finished = false;  // closed (by either side) or failed
  };
  struct Extras {
    std::uint64_t *opened, *failed, *server_closed, *still_open, *goaway, *eof, *reset;
    metrics::Histogram* time_to_close;
  };

  enum class How { kGoaway, kEof, kReset };
  void server_closed(Entry& e, How how);
  const Extras& x() const { return extras_[phase_tag()]; }

  const scenario::IdleWorkload& params_;
  net::Request request_;
  std::vector<Entry> entries_;
  bool opened_ = false;
  std::uint64_t in_flight_ = 0;
  Extras extras_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
