#include "target_server/handlers/pages.h"

namespace h2soak::server {

Response page_response(const Request& req, int n, const ServerState& state, const WorkerEnv& env) {
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
