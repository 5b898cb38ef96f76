#pragma once
// Recording one finished request into a workload's metrics, the same way for
// every workload (bench and the scenario workloads of harness/workloads): the
// counters' accounting invariant (counters.h), status classes, error classes,
// latency from `start` (the due time in open models, the send time otherwise)
// to the first and last byte, and the per-second series.

#include <cstdint>

#include "harness/load/error_class.h"
#include "harness/metrics/counters.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/stream.h"
#include "harness/util/clock.h"

namespace h2soak::load {

// The closed-model start of a record: when its headers went out (else when submitted).
inline TimePoint sent_time(const net::StreamRecord& r) { return r.sent != TimePoint{} ? r.sent : r.submitted; }

// The latencies of one record, as recorded (for a request log).
struct Recorded {
  std::uint64_t total_us = 0;  // start to last byte (recorded in request_total only for a complete response)
  std::int64_t ttfb_us = -1;   // start to first byte; -1 when none was recorded
};

// Counts the request as done (succeeded / failed / errored / timeout) and
// records latencies for complete responses. `count_cancel_as_error` false:
// a record that ended kCancelled (the harness left on purpose: SSE rst/close,
// end of run) is counted as done and succeeded when it had a 2xx/3xx status.
Recorded record_request(metrics::WorkloadMetrics& m, const net::StreamRecord& r, TimePoint start,
                        bool count_cancel_as_error = true);

// For a stream the client left on purpose (SSE rst/close, a tab navigating
// away) before any response header arrived: it is not an outcome at all, so
// it is taken back out of requests_started instead of being recorded, and
// counted in `abandoned` (an extra counter of the workload). Returns true when
// it applied; otherwise the caller records the request as usual. Its HEADERS
// may already have reached the server, which counts requests on arrival: a
// server's count reconciles with the client's as done + abandoned, not done.
bool unstart_if_abandoned(metrics::WorkloadMetrics& m, const net::StreamRecord& r, std::uint64_t& abandoned);

}  // namespace h2soak::load
