#include "harness/load/request_accounting.h"

namespace h2soak::load {

Recorded record_request(metrics::WorkloadMetrics& m, const net::StreamRecord& r, TimePoint start,
                        bool count_cancel_as_error) {
  Recorded out;
  out.total_us = micros_between(start, r.last_byte);
  auto& c = m.counters;
  ++c.requests_done;
  c.bytes_in_headers += r.header_bytes_in;
  c.bytes_in_data += r.data_bytes_in;
  const bool left_on_purpose = !count_cancel_as_error && r.error == net::ErrorClass::kCancelled && r.status != 0;
  if (r.ok() || left_on_purpose) {
    c.record_status(r.status);
    if (r.status >= 200 && r.status < 400) ++c.requests_succeeded;
    else ++c.requests_failed;
    if (r.ok()) m.request_total.record(out.total_us);
    if (r.first_byte != TimePoint{}) {
      out.ttfb_us = static_cast<std::int64_t>(micros_between(start, r.first_byte));
      m.ttfb.record(static_cast<std::uint64_t>(out.ttfb_us));
    }
  } else {
    if (r.status != 0) c.record_status(r.status);
    if (r.error == net::ErrorClass::kTimeout) {
      ++c.requests_timeout;
      c.record_error(metrics::ErrorClass::kTimeout);
    } else {
      ++c.requests_errored;
      if (r.error == net::ErrorClass::kRstStream) c.record_rst_stream(r.rst_error_code);
      else c.record_error(to_metrics(r.error));
    }
    m.series.add_error(r.last_byte);
  }
  m.series.add_done(r.last_byte);
  m.series.add_started(start);
  return out;
}

bool unstart_if_abandoned(metrics::WorkloadMetrics& m, const net::StreamRecord& r, std::uint64_t& abandoned) {
  if (r.error != net::ErrorClass::kCancelled || r.status != 0) return false;
  if (m.counters.requests_started > 0) --m.counters.requests_started;
  ++abandoned;
  return true;
}

}  // namespace h2soak::load
