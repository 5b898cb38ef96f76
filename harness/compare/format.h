#pragma once
// Human-readable numbers for verdict messages and report sinks.

#include <string>
#include <string_view>

namespace h2soak::compare {

// "35.2 MiB" for bytes (binary prefixes, sign kept), "16.0 KiB/s" for bytes/s,
// durations in the largest fitting unit whatever the metric's time unit
// ("21500 us" → "21.5 ms"), counts bare ("4"), otherwise "VALUE UNIT" with
// four significant digits and no exponent for ordinary magnitudes.
std::string format_value(double value, std::string_view unit);

// An attribution figure, whose unit is "<signal unit>/<event>" (attribution
// metrics, docs/attribution.md): "+164.4 KiB per upload" and its interval
// "[117.0 KiB, 211.7 KiB]". A unit without '/' reads as per "event".
std::string format_per_event(double value, std::string_view unit);
std::string format_interval(double low, double high, std::string_view unit);

// "+12.3%" / "-4.0%"; "n/a" when the baseline is 0.
std::string format_percent(double percent);

}  // namespace h2soak::compare
