// One GET's cost in h2soak's own client session (h2::Http2Session): submit ->
// response -> complete against a plain nghttp2 server session, wired in
// memory (no sockets, no event loop), as harness/h2/http2_session_pair_test.cc
// wires them. Same shapes as bench_nghttp2_pair (raw nghttp2 on both sides),
// so the difference between the two is what h2soak's session adds per request
// (records, header checks, prebuilt header blocks, fill_output's copy).
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "harness/bench/bench_server.h"
#include "harness/h2/http2_session.h"
#include "harness/net/request.h"
#include "harness/net/session.h"
#include "harness/net/stream.h"
#include "harness/net/url.h"

namespace h2soak {
namespace {

// As load::Connection's output buffer: fill_output serializes into it.
constexpr std::size_t kOutputSize = 64 * 1024;
// A fresh pair after this many requests, far below the stream id space.
constexpr std::uint64_t kRequestsPerPair = 1'000'000;

// Stands in for load::Connection: counts finished records (the observer is
// not called: the benchmark reads the records itself).
class CountingHost final : public net::SessionHost {
 public:
  void want_write() override {}
  void on_stream_done(net::StreamRecord& record) override {
    record.active = false;
    ++done;
  }
  void on_goaway(std::uint32_t, std::int32_t) override {}
  void on_settings() override {}
  std::uint64_t done = 0;
};

class Pair {
 public:
  Pair(std::size_t body_size, std::uint32_t streams)
      : server_(body_size, NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE), out_(kOutputSize) {
    h2::Http2Settings s;
    s.max_concurrent_streams = streams;
    client_ = std::make_unique<h2::Http2Session>(host_, s);
    request_.url = *net::parse_url("http://127.0.0.1:8080/static/app.js");
    request_.headers = {{"user-agent", "h2soak-bench/0.1"}, {"accept", "*/*"}};
    request_.finalize();
    records_.resize(streams);
    if (!client_->on_connect().ok()) std::abort();
    pump();
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  // Submits n (<= streams) requests, then moves bytes both ways until all are done.
  bool run_batch(int n) {
    const std::uint64_t target = host_.done + static_cast<std::uint64_t>(n);
    for (int i = 0; i < n; ++i) {
      net::StreamRecord& r = records_[static_cast<std::size_t>(i)];
      r.reset_results();
      r.request = &request_;
      if (!client_->submit_request(r).ok()) return false;
    }
    while (host_.done < target) {
      if (!pump()) return false;
    }
    for (int i = 0; i < n; ++i) {
      const net::StreamRecord& r = records_[static_cast<std::size_t>(i)];
      if (!r.ok() || r.status != 200) return false;
      body_received_ += r.data_bytes_in;
    }
    submitted_ += static_cast<std::uint64_t>(n);
    return true;
  }

  bool exhausted() const { return submitted_ >= kRequestsPerPair; }
  std::uint64_t body_received() const { return body_received_; }

 private:
  // Returns false when nothing moved (a stall: a bug in the benchmark).
  bool pump() {
    bool moved = false;
    for (;;) {
      std::size_t moved_now = 0;
      for (;;) {
        auto n = client_->fill_output(out_.data(), out_.size());
        if (!n.ok()) std::abort();
        if (*n == 0) break;
        if (nghttp2_session_mem_recv(server_.session(), out_.data(), *n) != static_cast<ssize_t>(*n)) std::abort();
        moved_now += *n;
      }
      for (;;) {
        const std::uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(server_.session(), &data);
        if (n < 0) std::abort();
        if (n == 0) break;
        if (!client_->on_read(data, static_cast<std::size_t>(n)).ok()) std::abort();
        moved_now += static_cast<std::size_t>(n);
      }
      if (moved_now == 0) break;
      moved = true;
    }
    return moved;
  }

  bench::BenchServer server_;
  std::vector<std::uint8_t> out_;
  CountingHost host_;
  std::unique_ptr<h2::Http2Session> client_;
  net::Request request_;
  std::vector<net::StreamRecord> records_;
  std::uint64_t submitted_ = 0;
  std::uint64_t body_received_ = 0;
};

// Args: batch (streams submitted at once, also the session's -m), body bytes.
void BM_Http2SessionRequestInMemory(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const auto body = static_cast<std::size_t>(state.range(1));
  auto pair = std::make_unique<Pair>(body, static_cast<std::uint32_t>(batch));
  std::uint64_t body_seen = 0;
  for (auto _ : state) {
    if (pair->exhausted()) {
      state.PauseTiming();
      body_seen += pair->body_received();
      pair = std::make_unique<Pair>(body, static_cast<std::uint32_t>(batch));
      state.ResumeTiming();
    }
    if (!pair->run_batch(batch)) {
      state.SkipWithError("a request failed or the pair stalled");
      break;
    }
  }
  body_seen += pair->body_received();
  const auto requests = static_cast<std::uint64_t>(state.iterations()) * static_cast<std::uint64_t>(batch);
  if (body_seen != requests * body) state.SkipWithError("response bodies incomplete");
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * batch * static_cast<std::int64_t>(body));
}
BENCHMARK(BM_Http2SessionRequestInMemory)
    ->ArgNames({"batch", "body"})
    ->Args({1, 0})
    ->Args({16, 0})
    ->Args({100, 0})
    ->Args({16, 2048})
    ->Args({8, 102400});

}  // namespace
}  // namespace h2soak
