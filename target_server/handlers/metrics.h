#pragma once
// "/metrics": the server's own counters and gauges in Prometheus text format (0.0.4),
// summed over the workers at scrape time.

#include <string>

#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

std::string render_metrics(const ServerState& state);
Response metrics_response(const ServerState& state);

}  // namespace h2soak::server
