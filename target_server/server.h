#pragma once
// The process: builds the shared state (assets, page models, parsed templates, TLS context,
// sessions), binds the listening socket, starts the workers, accepts on the main thread's
// loop and spreads sockets over the workers round robin, sweeps sessions and trims malloc
// arenas on an idle tick, and shuts down gracefully on SIGTERM/SIGINT.

#include <ev.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "target_server/config.h"
#include "target_server/faults/fault.h"
#include "target_server/tls.h"
#include "target_server/worker.h"

namespace h2soak::server {

class Server {
 public:
  /// `faults` are the deliberate leaks to commit (--fault); empty for the clean server.
  /// Their configure() has already been applied to `config`.
  explicit Server(Config config, FaultSet faults = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, prints the bound port alone on stdout's first line (flushed), serves until
  /// SIGTERM/SIGINT, then shuts down within the grace period. Returns the process exit code
  /// (0 after a clean shutdown, 1 when start-up failed; the reason goes to stderr).
  int run();

 private:
  static void on_accept(struct ev_loop* loop, ev_io* w, int revents);
  static void on_signal(struct ev_loop* loop, ev_signal* w, int revents);
  static void on_tick(struct ev_loop* loop, ev_timer* w, int revents);
  bool listen_socket(std::string* error);
  void accept_all();
  void tick();

  Config config_;
  FaultSet faults_;
  AssetStore assets_;
  std::unique_ptr<PageModels> pages_;
  std::unique_ptr<Templates> templates_;
  SessionStore sessions_;
  StatsRegistry stats_;
  std::unique_ptr<ServerState> state_;
  SslCtxPtr ssl_ctx_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<int> open_connections_{0};
  size_t next_worker_ = 0;
  int listen_fd_ = -1;
  struct ev_loop* loop_ = nullptr;
  ev_io accept_io_;
  ev_signal sigterm_;
  ev_signal sigint_;
  ev_timer tick_;
  ev_timer accept_pause_;  // after EMFILE
  uint64_t trimmed_at_connections_ = 0;
  bool stopping_ = false;
};

}  // namespace h2soak::server
