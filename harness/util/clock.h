#pragma once
// Monotonic time for measurements. All intervals in h2soak are taken from
// CLOCK_MONOTONIC through std::chrono::steady_clock; wall-clock time appears
// only in result metadata (start time).

#include <chrono>
#include <cstdint>

namespace h2soak {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Nanos = std::chrono::nanoseconds;
using Micros = std::chrono::microseconds;

inline TimePoint now() { return Clock::now(); }

// Whole microseconds between two points, clamped at 0 (a latency is never negative).
inline std::uint64_t micros_between(TimePoint from, TimePoint to) {
  auto d = std::chrono::duration_cast<Micros>(to - from).count();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

inline double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

// Wall-clock seconds since the Unix epoch, for metadata.
inline double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace h2soak
