#pragma once
// The server side of the in-memory pair benchmarks (nghttp2_pair_bench.cc,
// http2_session_pair_bench.cc): an nghttp2 server session that answers every
// request with a fixed response (:status 200, content-type, content-length)
// and `body_size` bytes of 'x', with no allocation per stream. Shared so that
// both benchmarks time the same server. It advertises 1,000 concurrent
// streams and the largest stream window, so that flow control never stalls
// the pump. The caller moves the bytes (nghttp2_session_mem_send/mem_recv on
// session()). Not movable: the session's user data and the response fields
// point into it.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace h2soak::bench {

class BenchServer {
 public:
  // nv_flags: NGHTTP2_NV_FLAG_NONE (nghttp2 copies the fields) or the NO_COPY flags.
  BenchServer(std::size_t body_size, std::uint8_t nv_flags)
      : body_size_(body_size), status_("200"), ctype_("application/javascript"), clen_(std::to_string(body_size)) {
    response_ = {nv(":status", status_, nv_flags), nv("content-type", ctype_, nv_flags),
                 nv("content-length", clen_, nv_flags)};
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_closed_streams(opt, 1);
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &BenchServer::on_frame_recv);
    nghttp2_session_server_new2(&session_, cb, this, opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 31) - 1}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
  }
  ~BenchServer() { nghttp2_session_del(session_); }
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  nghttp2_session* session() const { return session_; }

  static constexpr std::size_t kMaxBody = 1 << 20;

 private:
  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      return static_cast<BenchServer*>(user_data)->respond(session, frame->hd.stream_id);
    return 0;
  }

  int respond(nghttp2_session* session, std::int32_t stream_id) const {
    if (body_size_ == 0) return nghttp2_submit_response(session, stream_id, response_.data(), response_.size(), nullptr);
    nghttp2_data_provider prd;
    // The provider is copied into the stream's outbound item and read_body
    // gets a pointer to that copy: `fd` serves as the stream's remaining byte
    // count, so no per-stream allocation is needed.
    prd.source.fd = static_cast<int>(body_size_);
    prd.read_callback = &BenchServer::read_body;
    return nghttp2_submit_response(session, stream_id, response_.data(), response_.size(), &prd);
  }

  template <std::size_t N>
  static nghttp2_nv nv(const char (&name)[N], const std::string& value, std::uint8_t flags) {
    return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
                      reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), N - 1, value.size(), flags};
  }
  static const std::vector<std::uint8_t>& body_bytes() {
    static const std::vector<std::uint8_t> body(kMaxBody, 'x');
    return body;
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
  std::string status_, ctype_, clen_;
  std::array<nghttp2_nv, 3> response_{};
  nghttp2_session* session_ = nullptr;
};

}  // namespace h2soak::bench
