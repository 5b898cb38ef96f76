#pragma once
// "/" and "/page/{n}": HTML rendered per request from the cached templates.

#include <chrono>

#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

/// Busy-spins `cost` of this thread's CPU time (--page-cost; 0: returns at once).
void spin_page_cost(std::chrono::microseconds cost);

/// n = 0 renders the index; /page/{n} (n >= 1) first spends Config::page_cost of CPU. A valid "sid" cookie shows the signed-in user in the layout.
Response page_response(const Request& req, int n, const ServerState& state, const WorkerEnv& env);

}  // namespace h2soak::server
