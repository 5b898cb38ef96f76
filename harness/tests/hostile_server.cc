#include "harness/tests/hostile_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace h2soak::tests {
namespace {
using SteadyClock = std::chrono::steady_clock;

bool send_all(int fd, const std::uint8_t* data, std::size_t len) {
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

// FIN, then read until the peer closes (or 1 s), so that the peer reads every
// byte we sent before it sees the close (no RST discarding its receive queue).
void lingering_close(int fd, const std::atomic<bool>& stop) {
  ::shutdown(fd, SHUT_WR);
  const auto until = SteadyClock::now() + std::chrono::seconds(1);
  std::uint8_t buf[4096];
  while (!stop.load() && SteadyClock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
  }
}
}  // namespace

struct HostileServer::Conn {
  HostileServer& server;
  int fd;
  nghttp2_session* session = nullptr;
  std::string body;
  int served = 0;
  bool goaway_sent = false;
  bool close_after_flush = false;
  bool malformed_pending = false;
  std::int32_t truncated_stream = 0;
  std::unordered_map<std::int32_t, std::size_t> offsets;
  std::vector<std::pair<std::int32_t, SteadyClock::time_point>> pending;

  std::atomic<int>& c_rst_counter() { return server.rst_counter_; }

  Conn(HostileServer& s, int f) : server(s), fd(f), body(s.options().body_size, 'x') {}

  void respond(std::int32_t stream_id) {
    const std::string length = std::to_string(body.size());
    nghttp2_nv nva[] = {
        {(uint8_t*)":status", (uint8_t*)"200", 7, 3, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t*)"content-length", (uint8_t*)length.data(), 14, length.size(), NGHTTP2_NV_FLAG_NONE},
    };
    nghttp2_data_provider provider{};
    provider.read_callback = &Conn::read_body;
    offsets[stream_id] = 0;
    nghttp2_submit_response(session, stream_id, nva, 2, body.empty() ? nullptr : &provider);
    ++served;
  }

  void on_request(std::int32_t stream_id) {
    const Options& o = server.options();
    if (goaway_sent || close_after_flush || malformed_pending) return;
    switch (o.mode) {
      case Mode::kSlow:
        pending.emplace_back(stream_id, SteadyClock::now() + o.delay);
        return;
      case Mode::kRstEvery10th:
        if (++c_rst_counter() % 10 == 0) {
          nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
          return;
        }
        respond(stream_id);
        return;
      case Mode::kCloseMidStream:
        if (served >= o.serve_before_fault) {
          truncated_stream = stream_id;
          close_after_flush = true;
        }
        respond(stream_id);
        return;
      case Mode::kGoawayAfter:
        respond(stream_id);
        if (served >= o.serve_before_fault) {
          nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_NO_ERROR, nullptr, 0);
          goaway_sent = true;
          ++server.goaways_sent;
          close_after_flush = true;
        }
        return;
      case Mode::kMalformedFrame:
        if (served >= o.serve_before_fault) {
          malformed_pending = true;
          return;
        }
        respond(stream_id);
        return;
      default:
        respond(stream_id);
    }
  }

  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source*, void* user_data) {
    auto* c = static_cast<Conn*>(user_data);
    std::size_t& off = c->offsets[stream_id];
    std::size_t end = c->body.size();
    if (stream_id == c->truncated_stream) {
      end = c->body.size() / 2;
      if (off >= end) return NGHTTP2_ERR_DEFERRED;  // never finished: the connection closes
    }
    const std::size_t n = std::min(length, end - off);
    std::memcpy(buf, c->body.data() + off, n);
    off += n;
    if (off == c->body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto* c = static_cast<Conn*>(user_data);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) ++c->server.requests_seen;
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      c->on_request(frame->hd.stream_id);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto* c = static_cast<Conn*>(user_data);
    if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      ++c->server.responses_completed;
    if (frame->hd.type == NGHTTP2_RST_STREAM) ++c->server.resets_sent;
    return 0;
  }

  bool flush() {
    for (;;) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session, &data);
      if (n < 0) return false;
      if (n == 0) return true;
      if (!send_all(fd, data, static_cast<std::size_t>(n))) return false;
    }
  }

  void run() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Conn::on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, &Conn::on_frame_send);
    nghttp2_session_server_new(&session, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, iv, 1);
    if (!flush()) return;
    const Options& o = server.options();
    if (o.mode == Mode::kStopReading) {
      while (!server.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return;
    }
    std::vector<std::uint8_t> buf(64 * 1024);
    while (!server.stopping()) {
      int timeout_ms = 50;
      if (!pending.empty()) {
        auto due = std::min_element(pending.begin(), pending.end(),
                                    [](auto& a, auto& b) { return a.second < b.second; })->second;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(due - SteadyClock::now()).count();
        timeout_ms = static_cast<int>(std::clamp<long long>(ms, 0, 50));
      }
      pollfd p{fd, POLLIN, 0};
      int pr = ::poll(&p, 1, timeout_ms);
      if (pr > 0) {
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) return;
        if (nghttp2_session_mem_recv(session, buf.data(), static_cast<std::size_t>(n)) < 0) return;
      }
      const auto t = SteadyClock::now();
      for (std::size_t i = 0; i < pending.size();) {
        if (pending[i].second <= t) {
          respond(pending[i].first);
          pending[i] = pending.back();
          pending.pop_back();
        } else {
          ++i;
        }
      }
      if (!flush()) return;
      if (malformed_pending) {
        // SETTINGS with a length that is not a multiple of 6: FRAME_SIZE_ERROR.
        const std::uint8_t bad[] = {0, 0, 5, NGHTTP2_SETTINGS, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5};
        send_all(fd, bad, sizeof bad);
        lingering_close(fd, server.stop_);
        return;
      }
      if (close_after_flush) {
        lingering_close(fd, server.stop_);
        return;
      }
      if (!nghttp2_session_want_read(session) && !nghttp2_session_want_write(session)) return;
    }
  }

  ~Conn() {
    if (session) nghttp2_session_del(session);
  }
};

HostileServer::HostileServer(Options options) : options_(options) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 512) != 0)
    throw std::runtime_error("hostile server: bind/listen failed");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HostileServer::~HostileServer() {
  stop_.store(true);
  acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard<std::mutex> lock(threads_mutex_);
  for (auto& t : threads_) t.join();
}

void HostileServer::accept_loop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++connections;
    std::lock_guard<std::mutex> lock(threads_mutex_);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void HostileServer::serve(int fd) {
  if (options_.mode == Mode::kNotTls) {
    std::uint8_t buf[4096];
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) > 0) (void)::recv(fd, buf, sizeof buf, 0);
    const char reply[] = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    send_all(fd, reinterpret_cast<const std::uint8_t*>(reply), sizeof reply - 1);
    lingering_close(fd, stop_);
    ::close(fd);
    return;
  }
  {
    Conn c(*this, fd);
    c.run();
  }
  ::close(fd);
}

std::uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace h2soak::tests
