#pragma once
// "/" and "/page/{n}": HTML rendered per request from the cached templates.

#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

/// n = 0 renders the index. A valid "sid" cookie shows the signed-in user in the layout.
Response page_response(const Request& req, int n, const ServerState& state, const WorkerEnv& env);

}  // namespace h2soak::server
