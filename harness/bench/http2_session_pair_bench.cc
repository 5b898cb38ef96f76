// One GET's cost in h2soak's own client session (h2::Http2Session): submit ->
// response -> complete against a plain nghttp2 server session, wired in
// memory (no sockets, no event loop), as harness/h2/http2_session_pair_test.cc
// wires them. Same shapes as bench_nghttp2_pair (raw nghttp2 on both sides),
// so the difference between the two is what h2soak's session adds per request
// (records, header checks, prebuilt header blocks, fill_output's copy).
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness/h2/http2_session.h"
#include "harness/net/request.h"
#include "harness/net/session.h"
#include "harness/net/stream.h"
#include "harness/net/url.h"

namespace h2soak {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;
// As load::Connection's output buffer: fill_output serializes into it.
constexpr std::size_t kOutputSize = 64 * 1024;
// A fresh pair after this many requests, far below the stream id space.
constexpr std::uint64_t kRequestsPerPair = 1'000'000;

const std::vector<std::uint8_t>& body_bytes() {
  static const std::vector<std::uint8_t> body(kMaxBody, 'x');
  return body;
}

template <std::size_t N>
nghttp2_nv nv(const char (&name)[N], const std::string& value) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), N - 1, value.size(),
                    NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}

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
  Pair(std::size_t body_size, std::uint32_t streams) : body_size_(body_size), out_(kOutputSize) {
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_closed_streams(opt, 1);
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Pair::server_on_frame_recv);
    nghttp2_session_server_new2(&server_, cb, this, opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 31) - 1}};
    nghttp2_submit_settings(server_, NGHTTP2_FLAG_NONE, settings, 2);
    status_ = "200";
    ctype_ = "application/javascript";
    clen_ = std::to_string(body_size_);
    response_ = {nv(":status", status_), nv("content-type", ctype_), nv("content-length", clen_)};

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
  ~Pair() {
    client_.reset();
    nghttp2_session_del(server_);
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
        if (nghttp2_session_mem_recv(server_, out_.data(), *n) != static_cast<ssize_t>(*n)) std::abort();
        moved_now += *n;
      }
      for (;;) {
        const std::uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(server_, &data);
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

  static int server_on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      return static_cast<Pair*>(user_data)->respond(session, frame->hd.stream_id);
    return 0;
  }

  int respond(nghttp2_session* session, std::int32_t stream_id) {
    if (body_size_ == 0) return nghttp2_submit_response(session, stream_id, response_.data(), response_.size(), nullptr);
    nghttp2_data_provider prd;
    // `fd` serves as the stream's remaining byte count (the provider is copied
    // into the stream), so no per-stream allocation.
    prd.source.fd = static_cast<int>(body_size_);
    prd.read_callback = &Pair::read_body;
    return nghttp2_submit_response(session, stream_id, response_.data(), response_.size(), &prd);
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* data_flags, nghttp2_data_source* source, void*) {
    const std::size_t n = std::min(static_cast<std::size_t>(source->fd), length);
    std::memcpy(buf, body_bytes().data(), n);
    source->fd -= static_cast<int>(n);
    if (source->fd == 0) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  std::size_t body_size_;
  std::vector<std::uint8_t> out_;
  nghttp2_session* server_ = nullptr;
  std::string status_, ctype_, clen_;
  std::array<nghttp2_nv, 3> response_{};
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
