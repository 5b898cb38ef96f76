#include "harness/metrics/counters.h"

namespace h2soak::metrics {
namespace {

constexpr std::string_view kErrorNames[kErrorClassCount] = {
    "connect", "tls", "rst_stream", "goaway", "timeout", "protocol", "peer_closed", "other"};

template <typename T, std::size_t N>
void add(std::array<T, N>& dst, const std::array<T, N>& src) {
  for (std::size_t i = 0; i < N; ++i) dst[i] += src[i];
}

}  // namespace

std::string_view to_string(ErrorClass c) {
  const auto i = static_cast<std::size_t>(c);
  return i < kErrorClassCount ? kErrorNames[i] : "other";
}

bool error_class_from_string(std::string_view name, ErrorClass* out) {
  for (std::size_t i = 0; i < kErrorClassCount; ++i) {
    if (kErrorNames[i] == name) {
      *out = static_cast<ErrorClass>(i);
      return true;
    }
  }
  return false;
}

std::uint64_t Counters::errors_total() const {
  std::uint64_t n = 0;
  for (auto e : errors) n += e;
  return n;
}

void Counters::merge(const Counters& o) {
  requests_started += o.requests_started;
  requests_done += o.requests_done;
  requests_succeeded += o.requests_succeeded;
  requests_failed += o.requests_failed;
  requests_errored += o.requests_errored;
  requests_timeout += o.requests_timeout;
  requests_dropped += o.requests_dropped;
  add(status_class, o.status_class);
  status_other += o.status_other;
  add(errors, o.errors);
  add(rst_codes, o.rst_codes);
  bytes_in_headers += o.bytes_in_headers;
  bytes_in_data += o.bytes_in_data;
  bytes_in_total += o.bytes_in_total;
  bytes_out += o.bytes_out;
  connections_opened += o.connections_opened;
  connections_failed += o.connections_failed;
  connections_closed += o.connections_closed;
}

}  // namespace h2soak::metrics
