#include "harness/metrics/interval_series.h"

namespace h2soak::metrics {

IntervalPoint* IntervalSeries::at_second(std::uint32_t s) {
  if (s >= kMaxSeconds) {
    ++overflow_;
    return nullptr;
  }
  if (s >= points_.size()) points_.resize(static_cast<std::size_t>(s) + 1);
  return &points_[s];
}

void IntervalSeries::merge(const IntervalSeries& other) {
  if (other.points_.size() > points_.size()) points_.resize(other.points_.size());
  for (std::size_t i = 0; i < other.points_.size(); ++i) {
    IntervalPoint& d = points_[i];
    const IntervalPoint& s = other.points_[i];
    d.requests_done += s.requests_done;
    d.started += s.started;
    d.errors += s.errors;
    d.bytes_in += s.bytes_in;
    d.bytes_out += s.bytes_out;
    d.in_flight += s.in_flight;
  }
  overflow_ += other.overflow_;
}

}  // namespace h2soak::metrics
