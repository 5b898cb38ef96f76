#pragma once
// The `sse` workload: this worker's share of `streams` concurrent
// text/event-stream GETs of `path`, packed streams_per_connection to a
// connection (ceil(share / streams_per_connection) connections). Each stream
// is held for a random time in `hold`, then the client leaves: `rst` resets
// the stream (RST_STREAM CANCEL, the connection stays), `close` closes the
// whole connection (every stream on it ends; the connection is reopened and
// its streams too), `mixed` picks one of the two per stream, half and half.
// A stream that ended (either way) is replaced while a load window is open;
// when the window closes every open stream is left by RST_STREAM.
//
// Events are counted from the body bytes (an event ends with a blank line),
// without copying them. Extras per phase:
//   counters   sse.streams_opened, sse.events, sse.ended_early (the server
//              ended the stream, or it failed, before its hold time),
//              sse.left_rst, sse.left_close, sse.abandoned (left before the
//              response began: taken out of requests_started, not recorded)
//   histograms sse.time_to_first_event_us (from the request's send time),
//              sse.event_gap_us (between consecutive events of a stream)
// A stream the client left counts as a done, succeeded request (its status
// was 200); its request_total is not recorded (it never ends on its own).

#include <memory>
#include <vector>

#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/workloads/workload_base.h"

namespace h2soak::workloads {

class SseWorkload final : public WorkloadBase, public load::ConnectionObserver, public net::StreamObserver {
 public:
  SseWorkload(load::Worker& worker, const WorkloadContext& context);
  ~SseWorkload() override;

  void on_connected(load::Connection& c) override;
  void on_stream_slot_free(load::Connection& c) override;
  void on_closed(load::Connection& c, const load::CloseInfo& info) override;
  void on_response_data(net::StreamRecord& r, const std::uint8_t* data, std::size_t length) override;
  void on_complete(net::StreamRecord& r) override;

 protected:
  void on_window_open() override;
  void on_window_close() override;
  void close_all() override;
  void on_phase(metrics::WorkloadMetrics& current) override;
  std::uint64_t in_flight() const override { return in_flight_; }

 private:
  struct Slot {
    std::size_t link = 0;
    net::StreamRecord* record = nullptr;  // the open stream, if any
    bool leaving = false;                 // the client is leaving it on purpose
    TimePoint deadline{};                 // opened + hold
    TimePoint last_event{};
    std::uint64_t events = 0;
    bool newline = false;                 // the last body byte ended a line
    std::unique_ptr<load::Timer> hold_timer;
  };
  struct Link {
    std::unique_ptr<load::Connection> connection;
    std::unique_ptr<load::Timer> reconnect_timer;
    std::vector<std::size_t> slots;
    Nanos backoff{0};
  };
  struct Extras {
    std::uint64_t *opened, *events, *ended_early, *left_rst, *left_close, *abandoned;
    metrics::Histogram *first_event, *gap;
  };

  void open_streams(Link& link);
  void leave(Slot& slot);
  void schedule_reconnect(Link& link, Nanos delay);

  const scenario::SseWorkload& params_;
  net::Request request_;
  std::vector<Slot> slots_;
  std::vector<Link> links_;
  std::uint64_t in_flight_ = 0;
  Extras extras_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
