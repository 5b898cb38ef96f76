#pragma once
// Small misbehaving HTTP/2 servers for the engine's tests, run in-process on
// 127.0.0.1:<ephemeral>. Each accepted connection gets its own thread with a
// blocking socket and an nghttp2 server session (or raw bytes); the server
// stops and joins every thread in its destructor. Test-only code.
//
// Modes:
//   kNormal          200 + body for every request
//   kCloseMidStream  per connection: serves `serve_before_fault` streams, then
//                    sends the next response's HEADERS + half its DATA and closes
//   kGoawayAfter     per connection: after `serve_before_fault` streams, GOAWAY
//                    (NO_ERROR, last id = last served) and close once flushed
//   kRstEvery10th    every 10th request (server-wide) gets RST_STREAM(INTERNAL_ERROR)
//   kStopReading     sends its SETTINGS, then never reads again (flow-control stall)
//   kSlow            answers each request after `delay`
//   kMalformedFrame  answers `serve_before_fault` requests, then writes a SETTINGS
//                    frame of length 5 (FRAME_SIZE_ERROR) on the next
//   kNotTls          answers the TLS ClientHello with an HTTP/1.1 400 and closes
//                    (TLS handshake failure)

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace h2soak::tests {

class HostileServer {
 public:
  enum class Mode { kNormal, kCloseMidStream, kGoawayAfter, kRstEvery10th, kStopReading, kSlow, kMalformedFrame, kNotTls };
  struct Options {
    Mode mode = Mode::kNormal;
    int serve_before_fault = 5;
    std::chrono::milliseconds delay{300};
    std::size_t body_size = 100;
  };

  explicit HostileServer(Options options);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Server-side facts for cross-checks.
  std::atomic<int> connections{0};
  std::atomic<int> requests_seen{0};      // request header blocks received
  std::atomic<int> responses_completed{0};  // responses fully sent (END_STREAM written)
  std::atomic<int> resets_sent{0};
  std::atomic<int> goaways_sent{0};

  struct Conn;  // one connection (hostile_server.cc)
  const Options& options() const { return options_; }
  bool stopping() const { return stop_.load(); }

 private:
  void accept_loop();
  void serve(int fd);

  Options options_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> rst_counter_{0};
  std::thread acceptor_;
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
};

// A port on 127.0.0.1 where nothing listens (bound once, then closed).
std::uint16_t unused_port();

}  // namespace h2soak::tests
