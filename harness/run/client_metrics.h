#pragma once
// Client-side figures of a run as named analysis metrics, beside the leak
// metrics of harness/analysis, so that thresholds, regression rules and
// reports address them by the same dotted names (scenarios/README.md):
//
//   scenario level (all workloads merged; latencies leave out sse and idle
//   workloads, whose "requests" last as long as the stream or connection is
//   held, unless the scenario has nothing else):
//     requests          count    requests completed in steady                 informational
//     rps               req/s    requests / steady seconds                    gated (higher)
//     errors            count    failed + errored + timed-out requests and
//                                failed connections, warmup + steady          gated (lower)
//     error_rate        fraction errors / (requests done + failed connections) informational
//     dropped           count    open-model arrivals never started            informational
//     latency.{p50,p90,p95,p99,p999,max,mean}  us   request_total in steady   p99 gated
//     ttfb.* / connect.* / tls.*               us   same percentiles           informational
//     connections.opened count, connections.per_s conn/s (steady)             informational
//   per workload W (W is the workload's name):
//     W.requests W.rps W.errors W.error_rate W.dropped W.latency.* W.ttfb.*
//     W.connect.* W.tls.* and W.<extra counter> for workload-specific counters
//
// "Gated" metrics carry a direction and go to the baseline comparison;
// informational ones have direction none (result::Direction::kNone): they are
// written, shown and usable in thresholds, but never compared with a baseline
// (a closed-model p50 or a connection count is not a regression signal, and
// every extra gated metric is one more chance of a false alarm).
//
// Pure: no I/O, no clock.

#include <map>
#include <string>
#include <vector>

#include "harness/result/run_result.h"

namespace h2soak::run {

struct ClientMetricsInput {
  const std::vector<result::WorkloadResult>* workloads = nullptr;  // phases "warmup" and "steady"
  double steady_seconds = 0;  // the plan's steady duration
};

// Adds the metrics above to `out` (existing names are replaced).
void add_client_metrics(const ClientMetricsInput& in, std::map<std::string, result::AnalysisMetric>& out);

// Requests completed, summed over workloads, in one phase ("steady", "warmup").
std::uint64_t requests_done(const std::vector<result::WorkloadResult>& workloads, const std::string& phase);

}  // namespace h2soak::run
