#pragma once
// Per-second counters of one workload for time-series plots and live progress.
//
// Second s covers [origin + s, origin + s + 1) where `origin` is the run's
// start TimePoint; the runner hands the same origin to every worker, so series
// of different workers line up second for second and merge() simply adds
// aligned points. The vector grows on demand; reserve() the expected run
// length up front so that the hot path never allocates. Points beyond
// kMaxSeconds are ignored (and counted in overflow()) so that memory stays
// bounded on a runaway run.
//
// Threading: a worker owns its series; merge after join, or merge a copy the
// worker hands over for live progress.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "harness/util/clock.h"

namespace h2soak::metrics {

struct IntervalPoint {
  std::uint64_t requests_done = 0;  // requests that ended in this second (any outcome)
  // Requests that started in this second and have ended (counted when they
  // end, at their start: an SSE stream opened here and closed later adds
  // here). Attribution's event counts.
  std::uint64_t started = 0;
  std::uint64_t errors = 0;         // requests errored or timed out + connection failures in this second
  std::uint64_t bytes_in = 0;       // bytes read in this second
  std::uint64_t bytes_out = 0;      // bytes written in this second
  // Requests in flight as last sampled in this second by sample_in_flight();
  // merge() sums it, giving the total over workers.
  std::uint64_t in_flight = 0;
  bool operator==(const IntervalPoint&) const = default;
};

class IntervalSeries {
 public:
  static constexpr std::uint32_t kMaxSeconds = 7 * 24 * 3600;

  IntervalSeries() = default;
  explicit IntervalSeries(TimePoint origin) : origin_(origin) {}

  TimePoint origin() const { return origin_; }
  void set_origin(TimePoint origin) { origin_ = origin; }
  void reserve(std::uint32_t seconds) { points_.reserve(seconds); }

  // The second index of `t`; times before the origin map to second 0.
  std::uint32_t second_of(TimePoint t) const {
    const auto d = std::chrono::duration_cast<std::chrono::seconds>(t - origin_).count();
    return d > 0 ? static_cast<std::uint32_t>(std::min<std::int64_t>(d, kMaxSeconds)) : 0;
  }

  // Recording helpers, O(1) amortized.
  void add_done(TimePoint t, std::uint64_t n = 1) { if (auto* p = at(t)) p->requests_done += n; }
  void add_started(TimePoint t, std::uint64_t n = 1) { if (auto* p = at(t)) p->started += n; }
  void add_error(TimePoint t, std::uint64_t n = 1) { if (auto* p = at(t)) p->errors += n; }
  void add_bytes_in(TimePoint t, std::uint64_t n) { if (auto* p = at(t)) p->bytes_in += n; }
  void add_bytes_out(TimePoint t, std::uint64_t n) { if (auto* p = at(t)) p->bytes_out += n; }
  void sample_in_flight(TimePoint t, std::uint64_t n) { if (auto* p = at(t)) p->in_flight = n; }

  // The point of second `s`, created (zeroed, with all points before it) on
  // demand; nullptr for s >= kMaxSeconds.
  IntervalPoint* at_second(std::uint32_t s);
  IntervalPoint* at(TimePoint t) { return at_second(second_of(t)); }

  // Points 0 .. size()-1; seconds without events are zero points.
  const std::vector<IntervalPoint>& points() const { return points_; }
  std::size_t size() const { return points_.size(); }
  std::uint64_t overflow() const { return overflow_; }

  // Adds `other` point by point (same origin required: the runner's contract).
  void merge(const IntervalSeries& other);
  void clear() { points_.clear(); overflow_ = 0; }

  // Replaces the points (used by the JSON reader and tests).
  void assign(std::vector<IntervalPoint> points) { points_ = std::move(points); }

 private:
  TimePoint origin_{};
  std::vector<IntervalPoint> points_;
  std::uint64_t overflow_ = 0;
};

}  // namespace h2soak::metrics
