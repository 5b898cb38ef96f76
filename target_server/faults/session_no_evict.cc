// session-no-evict: every request that arrives without a session cookie gets a new session
// entry in a global map that nothing ever evicts (a session middleware that creates a
// session per anonymous visitor, with no expiry). Acts around every handler but /metrics.

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"
#include "target_server/session_store.h"

namespace h2soak::server {
namespace {

struct SessionEntry {
  std::string user_agent;
  std::string csrf_token;
  std::string flash;  ///< the "welcome" banner a real session would carry
  int64_t created_ms = 0;
};

class SessionNoEvict final : public Fault {
 public:
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() == Route::kMetrics) return handler;
    if (!cookie_value(req.header("cookie"), "sid").empty()) return handler;
    for (unsigned i = occurrences(); i > 0; --i) {
      std::lock_guard lock(mu_);
      const uint64_t n = ++next_;
      std::string id = fmt::format("{:016x}{:016x}", n * 0x9e3779b97f4a7c15ULL, n);
      SessionEntry e;
      e.user_agent = std::string(req.header("user-agent"));
      e.csrf_token = fmt::format("{:016x}{:016x}", n * 0xc2b2ae3d27d4eb4fULL, n ^ 0xff51afd7ed558ccdULL);
      e.flash = std::string(320, 'w');
      e.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
      const int64_t bytes = static_cast<int64_t>(id.size() + e.user_agent.size() + e.csrf_token.size() +
                                                 e.flash.size() + sizeof(SessionEntry));
      sessions_.emplace(std::move(id), std::move(e));
      count(1, bytes);
    }
    return handler;
  }

 private:
  std::mutex mu_;
  uint64_t next_ = 0;
  std::unordered_map<std::string, SessionEntry> sessions_;
};

}  // namespace

std::unique_ptr<Fault> make_session_no_evict(const FaultSpec& spec, double scale) {
  return std::make_unique<SessionNoEvict>(spec, scale);
}

}  // namespace h2soak::server
