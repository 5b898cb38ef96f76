#pragma once
// Drives a server ProtocolSession (H1Session, H2Session) in memory the way
// target_server/connection.cc does, minus sockets and the event loop: the
// client's bytes arrive in reads of at most kReadSize, each followed by
// draining fill() as a writable socket would; reading stops when on_read()
// fails, the session has finished or does not want input, and at the end the
// connection shuts the session down and drains it once more. The output is
// discarded, and bounded so that an input asking for many large responses
// stays fast.
//
// The server around the session is split by lifetime: SharedServer (the
// configuration of target_server/tests/session_fixture.h, assets, page models,
// templates, an idle event loop) is built once, as generating the assets
// dominates a run otherwise; ServerInstance (session store, stats, router,
// host) is new for every input, so no input sees what another one left.
// Used by h1_session_fuzz.cc and h2_session_fuzz.cc.

#include <ev.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "target_server/protocol_session.h"
#include "target_server/router.h"
#include "target_server/server_state.h"
#include "target_server/tests/session_fixture.h"

namespace h2soak::fuzz {

inline constexpr std::size_t kReadSize = 16 * 1024;      // one recv() of the real server
inline constexpr std::size_t kHighWater = 64 * 1024;     // its write buffer's high-water mark
inline constexpr std::size_t kMaxOutput = 4 * 1024 * 1024;

// Read-only while serving; the loop is never run (a response's timers are
// stopped when its handler is destroyed).
struct SharedServer {
  SharedServer() {
    config.pages = 3;
    config.upload_limit = 1024;
    config.max_header_bytes = 2048;
    templates.pad_to_target_sizes(pages);
  }
  ~SharedServer() { ev_loop_destroy(loop); }
  SharedServer(const SharedServer&) = delete;
  SharedServer& operator=(const SharedServer&) = delete;

  static SharedServer& get() {
    static SharedServer shared;
    return shared;
  }

  server::Config config;
  server::AssetStore assets;
  server::PageModels pages{3, assets};
  server::Templates templates;
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
};

struct ServerInstance {
  explicit ServerInstance(SharedServer& server) : shared(server) { registry.workers.push_back(&stats); }
  server::SessionEnv env(server::Protocol p) { return {host, router, worker, shared.config, p}; }

  SharedServer& shared;
  server::SessionStore sessions{std::chrono::milliseconds(60'000)};
  server::StatsRegistry registry;
  server::WorkerStats stats;
  server::ServerState state{shared.config, shared.assets, shared.pages, sessions, registry,
                            std::chrono::steady_clock::now()};
  server::WorkerEnv worker{shared.loop, &stats, &shared.templates};
  server::Router router{state};
  server::testing::FakeHost host;
};

class SessionDriver {
 public:
  explicit SessionDriver(server::ProtocolSession& session) : session_(session) {}

  // Feeds `input` (prefix first, when given); false once the session closed.
  bool run(std::string_view prefix, std::string_view input) {
    if (!prefix.empty() && !feed(prefix)) return false;
    for (std::size_t off = 0; off < input.size(); off += kReadSize) {
      if (!feed(input.substr(off, kReadSize))) return false;
    }
    return true;
  }

  // The graceful end a connection performs (server stop, idle timeout).
  void shut_down() {
    session_.shutdown();
    drain();
  }

 private:
  bool feed(std::string_view bytes) {
    if (closed_ || session_.finished() || !session_.wants_read()) return false;
    if (!session_.on_read(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())) closed_ = true;
    drain();
    return !closed_;
  }

  void drain() {
    while (output_ < kMaxOutput) {
      std::string out;
      const bool ok = session_.fill(out, kHighWater);
      output_ += out.size();
      if (!ok) closed_ = true;
      if (!ok || out.empty()) return;
    }
    closed_ = true;  // a peer that never reads: the real server's write timeout
  }

  server::ProtocolSession& session_;
  std::size_t output_ = 0;
  bool closed_ = false;
};

}  // namespace h2soak::fuzz
