#pragma once
// Recording one finished request into a workload's metrics, the same way for
// every plan workload (and the same way load::BenchWorkload does): the
// counters' accounting invariant (counters.h), status classes, error classes,
// latency from `start` (the due time in open models, the send time otherwise)
// to the first and last byte, and the per-second series.

#include "harness/load/error_class.h"
#include "harness/metrics/counters.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/net/stream.h"
#include "harness/util/clock.h"

namespace h2soak::workloads {

using load::to_metrics;  // harness/load/error_class.h

// The closed-model start of a record: when its headers went out (else when submitted).
inline TimePoint sent_time(const net::StreamRecord& r) { return r.sent != TimePoint{} ? r.sent : r.submitted; }

// Counts the request as done (succeeded / failed / errored / timeout) and
// records latencies for complete responses. `count_cancel_as_error` false:
// a record that ended kCancelled (the harness left on purpose: SSE rst/close,
// end of run) is counted as done and succeeded when it had a 2xx/3xx status.
void record_request(metrics::WorkloadMetrics& m, const net::StreamRecord& r, TimePoint start,
                    bool count_cancel_as_error = true);

// For a stream the client left on purpose (SSE rst/close, a tab navigating
// away) before any response header arrived: it is not an outcome at all, so
// it is taken back out of requests_started instead of being recorded, and
// counted in `abandoned` (an extra counter of the workload). Returns true when
// it applied; otherwise the caller records the request as usual.
bool unstart_if_abandoned(metrics::WorkloadMetrics& m, const net::StreamRecord& r, std::uint64_t& abandoned);

}  // namespace h2soak::workloads
