#pragma once
// Shared set-up for in-memory protocol tests: a whole ServerState, a Router and a fake
// SessionHost, so that H1Session and H2Session run without sockets or threads.

#include <ev.h>

#include <chrono>

#include "target_server/protocol_session.h"
#include "target_server/router.h"

namespace h2soak::server::testing {

class FakeHost final : public SessionHost {
 public:
  void request_write() override { ++write_requests; }
  double now() const override { return now_s; }
  int write_requests = 0;
  double now_s = 100.0;
};

struct ServerFixture {
  ServerFixture() {
    config.pages = 3;
    config.upload_limit = 1024;
    config.max_header_bytes = 2048;
    templates.pad_to_target_sizes(pages);
    registry.workers.push_back(&stats);
  }
  ~ServerFixture() { ev_loop_destroy(loop); }
  SessionEnv env(Protocol p) { return SessionEnv{host, router, worker, config, p}; }

  Config config;
  AssetStore assets;
  PageModels pages{3, assets};
  Templates templates;
  SessionStore sessions{std::chrono::milliseconds(60'000)};
  StatsRegistry registry;
  WorkerStats stats;
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  ServerState state{config, assets, pages, sessions, registry, std::chrono::steady_clock::now()};
  WorkerEnv worker{loop, &stats, &templates};
  Router router{state};
  FakeHost host;
};

}  // namespace h2soak::server::testing
