#include "target_server/handlers/pages.h"

#include <time.h>

#include <chrono>

namespace h2soak::server {
namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

void spin_page_cost(std::chrono::microseconds cost) {
  if (cost.count() <= 0) return;
  // CPU time of this thread, not wall time: on a busy machine the page still
  // costs `cost` of CPU, so the capacity of one worker stays 1 s / cost.
  const auto until = thread_cpu_time() + cost;
  while (thread_cpu_time() < until) {
  }
}

Response page_response(const Request& req, int n, const ServerState& state, const WorkerEnv& env) {
  if (n > 0) spin_page_cost(state.config.page_cost);
  std::string user;
  std::string_view sid = cookie_value(req.header("cookie"), "sid");
  if (!sid.empty()) {
    if (auto u = state.sessions.find(sid, SessionStore::Clock::now())) user = std::move(*u);
  }
  Response r;
  r.headers.push_back({"content-type", "text/html; charset=utf-8"});
  r.headers.push_back({"cache-control", "no-store"});
  r.body = std::make_unique<StringBody>(env.templates->render(state.pages, n, user));
  return r;
}

}  // namespace h2soak::server
