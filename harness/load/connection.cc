#include "harness/load/connection.h"

#include "harness/load/h1_connection.h"
#include "harness/load/h2_connection.h"

namespace h2soak::load {

std::unique_ptr<Connection> make_connection(Worker& worker, const ConnectionOptions& options,
                                            ConnectionObserver& observer, metrics::WorkloadMetrics* metrics) {
  if (options.protocol == Protocol::kH1) return std::make_unique<H1Connection>(worker, options, observer, metrics);
  return std::make_unique<H2Connection>(worker, options, observer, metrics);
}

}  // namespace h2soak::load
