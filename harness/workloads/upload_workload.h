#pragma once
// The `upload` workload: POST (or PUT) bodies of `path`, sizes drawn from the
// scenario's range and distribution, over this worker's share of
// `connections`. Closed model (`concurrency`): that many uploads always in
// flight (this worker's share). Open model (`rate`): uploads are due at
// fixed gaps; a due upload starts if fewer than max_in_flight are in flight
// and a stream slot is free, else it is counted as dropped; latency runs from
// the due time (no coordinated omission).
//
// Bodies are prefixes of one per-worker pattern buffer (upload_body.h),
// streamed frame by frame by the engine's data provider with HTTP/2 flow
// control; nothing is copied per request. With `verify`, the reply's
// {"size","sha256"} is checked against the size sent and the prefix digest.
//
// Extras per phase: counters upload.verified, upload.verify_failed,
// upload.unverifiable (2xx without size/digest), upload.body_bytes (request
// body bytes sent by completed uploads); histograms upload.size_bytes and
// upload.throughput_kib_s (body size / whole-request time, per upload).
// Upload throughput of a phase = upload.body_bytes / the phase's duration.

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/workloads/upload_body.h"
#include "harness/workloads/workload_base.h"

namespace h2soak::workloads {

class UploadWorkload final : public WorkloadBase, public load::ConnectionObserver, public net::StreamObserver {
 public:
  UploadWorkload(load::Worker& worker, const WorkloadContext& context);
  ~UploadWorkload() override;

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
  struct Upload {
    net::Request request;  // body and content-length set per upload
    std::size_t size = 0;
    std::string reply;     // the reply body (first kReplyLimit bytes)
    bool busy = false;
  };
  struct Link {
    std::unique_ptr<load::Connection> connection;
    std::unique_ptr<load::Timer> reconnect_timer;
    Nanos backoff{0};
  };
  struct Extras {
    std::uint64_t *verified, *verify_failed, *unverifiable, *body_bytes;
    metrics::Histogram *size, *throughput;
  };

  bool open_model() const { return rate_ > 0; }
  void fill();                                  // closed model: keep `concurrency` in flight
  bool start_one(TimePoint intended);           // false: no free upload or stream slot
  void on_tick();                               // open model
  load::Connection* pick_connection();

  const scenario::UploadWorkload& params_;
  std::unique_ptr<UploadBody> body_;
  SizeSampler sizes_;
  std::vector<std::unique_ptr<Upload>> uploads_;
  std::vector<Link> links_;
  std::size_t rr_ = 0;
  std::uint64_t in_flight_ = 0;
  double rate_ = 0;
  TimePoint next_due_{};
  std::unique_ptr<load::Timer> tick_timer_;
  Extras extras_[load::kPhaseCount];
};

}  // namespace h2soak::workloads
