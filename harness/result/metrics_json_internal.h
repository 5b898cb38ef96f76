#pragma once
// Internal to harness/result: decoders that throw detail::DecodeError, shared
// by metrics_json.cc and result_json.cc.

#include "harness/metrics/histogram.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/result/json_node.h"

namespace h2soak::result::detail {

metrics::Histogram histogram_from(const Node& n);
metrics::WorkloadMetrics workload_metrics_from(const Node& n);

}  // namespace h2soak::result::detail
