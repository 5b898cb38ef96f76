#pragma once
// Maps a request to the handler of its route. match_route() is pure (unit-tested without a
// server); Router::make() checks the method and builds the per-request Handler.

#include <memory>
#include <string_view>

#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

struct RouteMatch {
  Route route = Route::kNotFound;
  int page = 0;               ///< kPage: 1..pages; kIndex: 0
  std::string_view rest;      ///< kStatic: the still-encoded part after "/static/"
};

/// `path` is the request target without its query string.
RouteMatch match_route(std::string_view path, int pages);

class Router {
 public:
  explicit Router(const ServerState& state) : state_(state) {}

  /// Never null: unknown paths get a 404 handler, wrong methods a 405 one.
  /// `req` must outlive the returned handler's respond() call. With faults on (--fault),
  /// they wrap the handler here.
  std::unique_ptr<Handler> make(const Request& req, const WorkerEnv& env) const;

 private:
  std::unique_ptr<Handler> make_clean(const Request& req, const WorkerEnv& env) const;
  const ServerState& state_;
};

}  // namespace h2soak::server
