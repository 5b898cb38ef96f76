#pragma once
// A worker thread: one libev loop, the connections it was handed, its own counters and its
// own copy of the parsed templates. The acceptor hands it sockets through post() (a locked
// queue and an ev_async); nothing else crosses threads except the counters /metrics reads.

#include <ev.h>
#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "target_server/router.h"
#include "target_server/server_state.h"

namespace h2soak::server {

class Connection;

class Worker {
 public:
  /// `open_connections` counts connections across all workers (for --max-connections); the
  /// acceptor increments it, the worker decrements it when a connection closes.
  Worker(const ServerState& state, const Templates& templates, SSL_CTX* ssl_ctx, bool plain_allowed,
         std::atomic<int>& open_connections);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the thread. stats() may be read from any thread from now on.
  void start();
  /// Any thread: hands over an accepted, non-blocking socket; the worker owns it afterwards.
  void post(int fd);
  /// Any thread: graceful shutdown (GOAWAY, finish responses); the loop ends when the last
  /// connection closed or `grace` passed.
  void request_shutdown(Millis grace);
  void join();
  const WorkerStats& stats() const { return stats_; }

  // For this worker's connections (worker thread only).
  struct ev_loop* loop() const { return loop_; }
  const WorkerEnv& env() const { return env_; }
  const Router& router() const { return router_; }
  const Config& config() const { return state_.config; }
  uint8_t* read_buffer() { return read_buf_.data(); }
  size_t read_buffer_size() const { return read_buf_.size(); }
  /// Deletes a closed connection; only from the end of one of its own libev callbacks.
  void reap(Connection* c);
  /// A connection closed its socket.
  void on_connection_closed();

 private:
  static void on_async(struct ev_loop* loop, ev_async* w, int revents);
  static void on_grace(struct ev_loop* loop, ev_timer* w, int revents);
  void take_posted();
  void begin_shutdown();
  void stop_if_done();

  const ServerState& state_;
  Templates templates_;
  Router router_;
  SSL_CTX* ssl_ctx_;
  bool plain_allowed_;
  std::atomic<int>& open_connections_;
  WorkerStats stats_;
  WorkerEnv env_;
  struct ev_loop* loop_;
  ev_async async_;
  ev_timer grace_timer_;
  std::thread thread_;
  std::vector<uint8_t> read_buf_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  bool shutting_down_ = false;

  std::mutex mu_;  // guards the two below
  std::vector<int> posted_fds_;
  bool shutdown_requested_ = false;
  Millis grace_{0};
};

}  // namespace h2soak::server
