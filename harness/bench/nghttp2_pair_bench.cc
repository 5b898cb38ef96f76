// One request's cost in nghttp2 itself, with no sockets and no event loop: a
// client and a server session wired together in memory (mem_send of one
// feeds mem_recv of the other). This is the floor under h2soak's per-request
// CPU: whatever the engine adds on top is its own overhead.
//
// Written directly on nghttp2's C API on purpose (not on harness/h2), so the
// figure stays a reference even while the engine changes.
#include <benchmark/benchmark.h>
#include <nghttp2/nghttp2.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "harness/bench/bench_server.h"

namespace {

template <std::size_t N>
nghttp2_nv nv(const char (&name)[N], const std::string& value, std::uint8_t flags) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), N - 1, value.size(), flags};
}

// The pair. Callbacks only cast user_data and forward (STYLE.md habit 2).
class SessionPair {
 public:
  SessionPair(std::size_t body_size, std::uint8_t nv_flags) : server_(body_size, nv_flags) {
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_closed_streams(opt, 1);

    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &SessionPair::client_on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &SessionPair::client_on_close);
    nghttp2_session_client_new2(&client_, cb, this, opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);

    // Windows large enough that flow control never stalls the pump (the
    // server's side: bench_server.h).
    const nghttp2_settings_entry client_settings[] = {
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 31) - 1}};
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, client_settings, 1);
    nghttp2_session_set_local_window_size(client_, NGHTTP2_FLAG_NONE, 0, (1 << 30));
    pump();

    method_ = "GET";
    scheme_ = "http";
    authority_ = "127.0.0.1:8080";
    path_ = "/static/app.js";
    ua_ = "h2soak-bench/0.1";
    accept_ = "*/*";
    request_ = {nv(":method", method_, nv_flags),   nv(":scheme", scheme_, nv_flags),
                nv(":authority", authority_, nv_flags), nv(":path", path_, nv_flags),
                nv("user-agent", ua_, nv_flags),     nv("accept", accept_, nv_flags)};
  }
  ~SessionPair() {
    nghttp2_session_del(client_);
  }
  SessionPair(const SessionPair&) = delete;
  SessionPair& operator=(const SessionPair&) = delete;

  // Submits n requests, then moves bytes both ways until all are closed.
  bool run_batch(int n) {
    const std::uint64_t target = closed_ + static_cast<std::uint64_t>(n);
    for (int i = 0; i < n; ++i) {
      if (nghttp2_submit_request(client_, nullptr, request_.data(), request_.size(), nullptr, nullptr) < 0) {
        return false;
      }
    }
    while (closed_ < target) {
      if (!pump()) return false;
    }
    return true;
  }

  bool exhausted() const {
    return nghttp2_session_get_next_stream_id(client_) > (1u << 30);
  }
  std::uint64_t bytes_wire() const { return wire_bytes_; }
  std::uint64_t body_received() const { return body_received_; }

 private:
  // Returns false when nothing moved (a stall: a bug in the benchmark).
  bool pump() {
    bool moved = false;
    for (;;) {
      const std::size_t a = transfer(client_, server_.session());
      const std::size_t b = transfer(server_.session(), client_);
      if (a == 0 && b == 0) break;
      moved = true;
    }
    return moved;
  }

  std::size_t transfer(nghttp2_session* from, nghttp2_session* to) {
    std::size_t total = 0;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(from, &data);
      if (n <= 0) break;
      if (nghttp2_session_mem_recv(to, data, static_cast<std::size_t>(n)) != n) std::abort();
      total += static_cast<std::size_t>(n);
    }
    wire_bytes_ += total;
    return total;
  }

  static int client_on_data(nghttp2_session*, std::uint8_t, std::int32_t, const std::uint8_t*, std::size_t len,
                            void* user_data) {
    static_cast<SessionPair*>(user_data)->body_received_ += len;
    return 0;
  }

  static int client_on_close(nghttp2_session*, std::int32_t, std::uint32_t, void* user_data) {
    ++static_cast<SessionPair*>(user_data)->closed_;
    return 0;
  }

  h2soak::bench::BenchServer server_;
  nghttp2_session* client_ = nullptr;
  std::uint64_t closed_ = 0;
  std::uint64_t wire_bytes_ = 0;
  std::uint64_t body_received_ = 0;
  std::string method_, scheme_, authority_, path_, ua_, accept_;
  std::array<nghttp2_nv, 6> request_{};
};

// Args: batch (concurrent streams submitted at once), body bytes, copy (1 =
// nghttp2 copies header names/values, 0 = NO_COPY flags on a prebuilt block).
void BM_Nghttp2RequestInMemory(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const auto body = static_cast<std::size_t>(state.range(1));
  const std::uint8_t flags =
      state.range(2) ? NGHTTP2_NV_FLAG_NONE : (NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE);
  auto pair = std::make_unique<SessionPair>(body, flags);
  std::uint64_t body_seen = 0, wire_seen = 0;
  for (auto _ : state) {
    if (pair->exhausted()) {
      state.PauseTiming();
      body_seen += pair->body_received();
      wire_seen += pair->bytes_wire();
      pair = std::make_unique<SessionPair>(body, flags);
      state.ResumeTiming();
    }
    if (!pair->run_batch(batch)) {
      state.SkipWithError("session pair stalled");
      break;
    }
  }
  body_seen += pair->body_received();
  wire_seen += pair->bytes_wire();
  const auto requests = static_cast<std::uint64_t>(state.iterations()) * static_cast<std::uint64_t>(batch);
  if (body_seen != requests * body) state.SkipWithError("response bodies incomplete");
  state.counters["wire_bytes_per_req"] = requests ? static_cast<double>(wire_seen) / static_cast<double>(requests) : 0;
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * batch * static_cast<std::int64_t>(body));
}
BENCHMARK(BM_Nghttp2RequestInMemory)
    ->ArgNames({"batch", "body", "copy"})
    ->Args({1, 0, 0})
    ->Args({16, 0, 0})
    ->Args({100, 0, 0})
    ->Args({100, 0, 1})
    ->Args({16, 2048, 0})
    ->Args({8, 102400, 0});

}  // namespace
