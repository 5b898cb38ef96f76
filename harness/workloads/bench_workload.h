#pragma once
// The `bench` workload: h2load's closed model and an open (constant or
// Poisson arrival rate) model, on one worker's share of the clients.
//
// Closed model: each client (connection) keeps up to -m streams busy until
// the worker's share of -n has been started, or until -D ends the run.
// Open model (rate > 0): requests are due at fixed (or exponential) gaps;
// a due request goes to a connection with a free stream slot, if the total in
// flight is below max_in_flight; otherwise it is counted as dropped. Latency
// is measured from the due time, so stalls are not hidden (no coordinated
// omission).
//
// Each client is one load::Connection (h2, or with --h1 one HTTP/1.1
// connection through curl taking one request at a time, as h2load --h1
// without pipelining). Clients that never manage to connect give up (as in
// h2load); a client whose established connection ends reconnects while there
// is work left (at once if the connection had served requests, else after a
// back-off of 100 ms..1 s).

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/h2/http2_session.h"
#include "harness/load/connection.h"
#include "harness/load/event.h"
#include "harness/load/workload.h"
#include "harness/net/request.h"
#include "harness/net/socket.h"
#include "harness/workloads/request_log.h"

namespace h2soak::workloads {

// Everything a bench run needs, validated before any socket opens (the plan).
struct BenchPlan {
  std::vector<net::Url> urls;       // round robin; same scheme://host:port
  net::Address address;             // resolved host of urls[0]
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  net::Body body;
  std::uint32_t clients = 1;        // -c (whole run)
  std::uint32_t max_streams = 1;    // -m
  std::uint64_t requests = 1;       // -n (whole run); 0: unlimited (with -D)
  double rate = 0;                  // --rate, requests/s for the whole run; 0: closed model
  bool poisson = false;             // --poisson: exponential inter-arrival gaps
  std::uint64_t seed = kSeed;       // --poisson: worker w draws its gaps from worker_seed(w);
                                    // a shard's is its own (run/bench.h: shard_bench_plan())
  Nanos first_due{0};               // open model: the first request is due this long after the
                                    // schedule starts (a shard's arrival_offset, scenario/shard.h)
  std::uint64_t max_in_flight = 0;  // open model bound; 0: clients * max_streams
  Nanos connect_timeout{std::chrono::seconds(10)};
  Nanos request_timeout{0};
  Nanos active_timeout{0};          // -T
  Nanos inactivity_timeout{0};      // -N
  h2::Http2Settings settings;       // -w -W --header-table-size --max-frame-size
  bool h1 = false;                  // --h1: HTTP/1.1 through curl (one request per connection at a time)
  bool insecure = false;            // h1 only (h2 takes it from the worker's TLS options)
  bool tls_resume = false;          // h1 (curl's cache); h2: the worker's TLS options say the same
  std::string ca_file;              // h1 only
  RequestLog* log = nullptr;        // --log-file (shared; may be null)
  double log_origin_unix = 0;       // Unix time of the run's origin, for log lines

  // The seed of an unsharded run (and of shard 1/N).
  static constexpr std::uint64_t kSeed = 0x5eed0000ULL;
  std::uint64_t worker_seed(int worker) const { return seed + static_cast<unsigned>(worker); }

  // This worker's share of a whole-run quantity (the first workers get the remainder).
  static std::uint64_t share(std::uint64_t total, int worker, int workers) {
    return total / workers + (static_cast<std::uint64_t>(worker) < total % workers ? 1 : 0);
  }
};

// The gaps between one worker's open-model arrivals at `rate` requests/s:
// 1/rate each, or (poisson) exponential with mean 1/rate, drawn from a
// std::mt19937_64 seeded with `seed` (BenchPlan::worker_seed()): one seed,
// one sequence of gaps. Pure; unit tests draw from it without a worker.
class ArrivalGaps {
 public:
  ArrivalGaps() = default;
  ArrivalGaps(double rate, bool poisson, std::uint64_t seed) : mean_(1.0 / rate), poisson_(poisson), rng_(seed) {}
  Nanos next() {
    const double gap = poisson_ ? exp_(rng_) * mean_ : mean_;
    return std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(gap));
  }

 private:
  double mean_ = 0;  // seconds
  bool poisson_ = false;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> exp_{1.0};
};

class BenchWorkload final : public load::Workload,
                            public load::ConnectionObserver,
                            public net::StreamObserver {
 public:
  BenchWorkload(load::Worker& worker, const BenchPlan& plan);
  ~BenchWorkload() override;

  // Workload
  std::string_view name() const override { return "bench"; }
  void start() override;
  void begin_steady() override;
  void stop() override;
  void abort() override;
  void progress(metrics::Counters& counters, std::uint64_t& in_flight) const override;
  const metrics::WorkloadMetrics& metrics(load::Phase phase) const override { return metrics_[static_cast<int>(phase)]; }
  bool never_connected() const override { return !ever_connected_; }
  std::string last_error() const override { return last_error_; }

  // ConnectionObserver
  void on_connected(load::Connection& c) override;
  void on_stream_slot_free(load::Connection& c) override;
  void on_closed(load::Connection& c, const load::CloseInfo& info) override;

  // StreamObserver
  void on_complete(net::StreamRecord& record) override;

 private:
  struct Client {
    std::unique_ptr<load::Connection> connection;
    std::unique_ptr<load::Timer> reconnect_timer;
    Nanos backoff{0};
    bool done = false;  // gave up or finished
  };

  bool open_model() const { return rate_ > 0; }
  bool budget_left() const { return requests_ == 0 || issued_ < requests_; }
  bool work_left() const { return !stopping_ && budget_left(); }
  void fill(load::Connection& c);
  void submit_one(load::Connection& c, TimePoint intended);
  void on_tick();
  void start_schedule();
  void maybe_finish();
  void check_all_closed();
  metrics::WorkloadMetrics& current() { return metrics_[static_cast<int>(phase_)]; }

  load::Worker& worker_;
  BenchPlan plan_;
  std::deque<net::Request> requests_list_;
  std::size_t next_request_ = 0;
  std::vector<Client> clients_;
  std::uint64_t requests_ = 0;      // this worker's -n share (0: unlimited)
  std::uint64_t issued_ = 0;        // started + dropped
  std::uint64_t in_flight_ = 0;     // reported-but-not-complete excluded
  std::uint64_t max_in_flight_ = 0;
  double rate_ = 0;
  ArrivalGaps gaps_;
  TimePoint next_due_{};
  std::unique_ptr<load::Timer> tick_timer_;
  std::unique_ptr<load::Timer> finish_timer_;
  std::size_t rr_ = 0;
  load::Phase phase_ = load::Phase::kWarmup;
  bool schedule_started_ = false;
  bool stopping_ = false;
  bool finishing_ = false;
  bool finished_ = false;
  bool ever_connected_ = false;
  std::string last_error_;
  metrics::WorkloadMetrics metrics_[load::kPhaseCount];
  RequestLog::Buffer log_;
};

}  // namespace h2soak::workloads
