// The client seam (load/connection.h) against h2soak-target over plain TCP:
// the same workload code drives an h2c and an HTTP/1.1 connection and sees
// the same callbacks in the same order, the same accounting, and the h1
// connect failure the contract describes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/load/connection.h"
#include "harness/load/worker.h"
#include "harness/net/request.h"
#include "harness/net/url.h"
#include "harness/workloads/test_support.h"

namespace h2soak::load {
namespace {

// Connects once, sends `requests` GETs one after another, shuts down after
// the last, and writes down every callback.
class SequenceWorkload final : public Workload, public ConnectionObserver, public net::StreamObserver {
 public:
  SequenceWorkload(Worker& worker, const ConnectionOptions& options, const std::string& url, int requests)
      : worker_(worker), left_(requests) {
    request_.url = *net::parse_url(url);
    request_.finalize();
    connection_ = make_connection(worker, options, *this, &metrics_);
  }
  ~SequenceWorkload() override { connection_.reset(); }

  std::string_view name() const override { return "sequence"; }
  void start() override {
    connection_->connect();
    events.push_back("connect() returned");
  }
  void begin_steady() override {}
  void stop() override {}
  void abort() override {
    connection_->close(net::ErrorClass::kCancelled);
    worker_.finish();
  }
  void progress(metrics::Counters&, std::uint64_t& in_flight) const override { in_flight = 0; }
  const metrics::WorkloadMetrics& metrics(Phase) const override { return metrics_; }
  bool never_connected() const override { return false; }

  void on_connected(Connection& c) override {
    events.push_back("connected");
    next(c);
  }
  void on_stream_slot_free(Connection& c) override {
    events.push_back("slot_free");
    next(c);
  }
  void on_closed(Connection&, const CloseInfo& info) override {
    events.push_back("closed " + std::string(net::error_class_name(info.cause)) +
                     (info.was_connected ? " connected" : " never connected") + " ok=" +
                     std::to_string(info.completed_ok));
    worker_.finish();
  }
  void on_complete(net::StreamRecord& r) override {
    events.push_back("complete " + std::to_string(r.status) + " " + std::string(net::error_class_name(r.error)));
  }

  std::vector<std::string> events;
  metrics::WorkloadMetrics metrics_;

 private:
  void next(Connection& c) {
    if (c.in_flight() > 0) return;
    if (left_ == 0) {
      c.shutdown();
      return;
    }
    --left_;
    net::StreamRecord* r = c.acquire();
    ASSERT_NE(r, nullptr);
    r->request = &request_;
    r->observer = this;
    c.submit(*r);
  }

  Worker& worker_;
  int left_;
  net::Request request_;
  std::unique_ptr<Connection> connection_;
};

struct Sequence {
  std::vector<std::string> events;
  metrics::WorkloadMetrics metrics;
};

Sequence run(Protocol protocol, int port, int requests) {
  ConnectionOptions options;
  options.protocol = protocol;
  options.address = *net::resolve("127.0.0.1", static_cast<std::uint16_t>(port));
  options.host = "127.0.0.1";
  options.connect_timeout = std::chrono::seconds(2);
  WorkerSchedule schedule;
  schedule.origin = now();
  schedule.duration = std::chrono::seconds(3);  // a bound; the workload finishes long before
  Worker worker(0, 1, net::TlsOptions{}, schedule);
  SequenceWorkload w(worker, options, "http://127.0.0.1:" + std::to_string(port) + "/", requests);
  worker.run(w);
  return {w.events, w.metrics_};
}

const std::vector<std::string> kThreeRequests = {
    "connect() returned", "connected",
    "complete 200 none", "slot_free", "complete 200 none", "slot_free", "complete 200 none", "slot_free",
    "closed none connected ok=3"};

TEST(ConnectionSeam, H2cAndHttp11ReportTheSameSequence) {
  workloads::testing::TargetServer server({"--no-tls"});
  ASSERT_GT(server.port(), 0);
  for (Protocol p : {Protocol::kH2, Protocol::kH1}) {
    SCOPED_TRACE(p == Protocol::kH1 ? "h1" : "h2c");
    const Sequence s = run(p, server.port(), 3);
    EXPECT_EQ(s.events, kThreeRequests);
    const auto& c = s.metrics.counters;
    EXPECT_EQ(c.connections_opened, 1u);
    EXPECT_EQ(c.connections_closed, 1u);
    EXPECT_EQ(c.connections_failed, 0u);
    EXPECT_EQ(s.metrics.connect.count(), 1u);
    EXPECT_GT(c.bytes_in_total, 0u);
    EXPECT_GT(c.bytes_out, 0u);
  }
}

TEST(ConnectionSeam, RefusedConnectOnHttp11FailsTheRequestThenCloses) {
  int port = 0;
  {
    workloads::testing::TargetServer server({"--no-tls"});
    port = server.port();
  }  // stopped: nothing listens on the port any more
  ASSERT_GT(port, 0);
  const Sequence h1 = run(Protocol::kH1, port, 1);
  const std::vector<std::string> expected = {"connect() returned", "connected", "complete 0 connect_failed",
                                             "closed connect_failed never connected ok=0"};
  EXPECT_EQ(h1.events, expected);
  EXPECT_EQ(h1.metrics.counters.connections_failed, 1u);
  EXPECT_EQ(h1.metrics.counters.connections_closed, 0u);
  const Sequence h2 = run(Protocol::kH2, port, 1);
  const std::vector<std::string> expected_h2 = {"connect() returned", "closed connect_failed never connected ok=0"};
  EXPECT_EQ(h2.events, expected_h2);
  EXPECT_EQ(h2.metrics.counters.connections_failed, 1u);
}

}  // namespace
}  // namespace h2soak::load
