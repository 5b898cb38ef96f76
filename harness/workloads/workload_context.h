#pragma once
// What every plan workload needs to know besides its own parameters: the
// planned workload (kind, params, windows, close_at), the target, and which
// share of the whole workload this worker runs. Built by the plan runner
// before any socket opens; copied into each workload (plain value).

#include <cstdint>
#include <string>

#include "harness/load/connection.h"
#include "harness/net/socket.h"
#include "harness/net/url.h"
#include "harness/scenario/plan.h"

namespace h2soak::workloads {

struct WorkloadContext {
  scenario::PlannedWorkload planned;
  net::Url base;          // the target: scheme://host:port (path ignored)
  net::Address address;   // base.host resolved once
  int part = 0;           // this worker's share index (the worker's index)
  int parts = 1;          // number of shares (the worker count)
  Nanos connect_timeout{std::chrono::seconds(10)};

  // This worker's share of a whole-workload quantity (the first parts get the remainder).
  std::uint64_t share(std::uint64_t total) const {
    return total / static_cast<std::uint64_t>(parts) +
           (static_cast<std::uint64_t>(part) < total % static_cast<std::uint64_t>(parts) ? 1 : 0);
  }
  double share_rate(double total) const { return total / parts; }

  // A URL on the target with this path ("/page/3", "/static/css/site-0.css").
  net::Url url(const std::string& path) const {
    net::Url u = base;
    u.path = path.empty() ? "/" : path;
    return u;
  }

  // Options for an h2 connection to the target with `max_streams` stream slots.
  load::ConnectionOptions connection_options(std::uint32_t max_streams) const {
    load::ConnectionOptions o;
    o.address = address;
    o.host = base.host;
    o.tls = base.tls();
    o.settings.max_concurrent_streams = max_streams > 0 ? max_streams : 1;
    o.connect_timeout = connect_timeout;
    return o;
  }
};

}  // namespace h2soak::workloads
