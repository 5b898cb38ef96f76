#pragma once
// Quantities with units in the strings, as scenario files and command lines
// write them (STYLE.md habit 5):
//   durations  "30s" "500ms" "250us" "2m" "1h" "1.5s"; a bare number is seconds
//   sizes      "64KiB" "4MiB" "1GiB" "2KB" (SI, 1000) "512B"; a bare number is bytes
//   rates      "500/s" "30/m" "2/ms"; a bare number is per second
//   ranges     "500ms..2s" "64KiB..4MiB"; a single value is a range of width 0
// Parsing returns an Error whose message says what was expected; callers add
// the location (file:line:col or the flag name).

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::units {

Result<Nanos> parse_duration(std::string_view text);
Result<std::uint64_t> parse_size(std::string_view text);
// Events per second.
Result<double> parse_rate(std::string_view text);

template <typename T>
struct Range {
  T min{};
  T max{};
  bool operator==(const Range&) const = default;
};

Result<Range<Nanos>> parse_duration_range(std::string_view text);
Result<Range<std::uint64_t>> parse_size_range(std::string_view text);

// Shortest readable form: "1.5s", "250ms", "64KiB", "4MiB", "2.00k/s".
std::string format_duration(Nanos d);
std::string format_size(std::uint64_t bytes);
std::string format_rate(double per_second);

}  // namespace h2soak::units
