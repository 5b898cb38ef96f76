#include "harness/util/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "harness/util/text.h"

namespace h2soak::units {
namespace {

// Splits "1.5ms" into 1.5 and "ms". Fails on an empty, negative or non-finite number.
Result<std::pair<double, std::string_view>> split_number(std::string_view text, const char* kind) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) {
    return Error("expected a " + std::string(kind) + " such as " +
                 (std::string(kind) == "duration" ? "\"30s\"" : std::string(kind) == "size" ? "\"64KiB\"" : "\"500/s\"") +
                 ", got \"" + std::string(text) + "\"");
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc() || ptr != text.data() + i || !std::isfinite(value)) {
    return Error("invalid number in " + std::string(kind) + " \"" + std::string(text) + "\"");
  }
  return std::pair{value, trim(text.substr(i))};
}

template <typename T, typename Parse>
auto parse_range(std::string_view text, Parse parse) -> Result<Range<T>> {
  auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto v = parse(text);
    if (!v) return v.error();
    return Range<T>{*v, *v};
  }
  auto lo = parse(text.substr(0, dots));
  if (!lo) return lo.error();
  auto hi = parse(text.substr(dots + 2));
  if (!hi) return hi.error();
  if (*hi < *lo) return Error("range \"" + std::string(trim(text)) + "\" has its upper bound below its lower bound");
  return Range<T>{*lo, *hi};
}

std::string trimmed_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

Result<Nanos> parse_duration(std::string_view text) {
  auto split = split_number(text, "duration");
  if (!split) return split.error();
  auto [value, unit] = *split;
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us" || unit == "µs") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return Error("unknown duration unit \"" + std::string(unit) + "\" (use ns, us, ms, s, m or h)");
  double ns = value * scale;
  if (ns > 9.2e18) return Error("duration \"" + std::string(trim(text)) + "\" is too long");
  return Nanos(static_cast<std::int64_t>(std::llround(ns)));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  auto split = split_number(text, "size");
  if (!split) return split.error();
  auto [value, unit] = *split;
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KiB" || unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "MiB" || unit == "M") scale = 1024.0 * 1024;
  else if (unit == "GiB" || unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "kB" || unit == "KB") scale = 1e3;
  else if (unit == "MB") scale = 1e6;
  else if (unit == "GB") scale = 1e9;
  else return Error("unknown size unit \"" + std::string(unit) + "\" (use B, KiB, MiB, GiB, kB, MB or GB)");
  double bytes = value * scale;
  if (bytes > 1.8e19) return Error("size \"" + std::string(trim(text)) + "\" is too large");
  return static_cast<std::uint64_t>(std::llround(bytes));
}

Result<double> parse_rate(std::string_view text) {
  text = trim(text);
  auto slash = text.find('/');
  auto number = split_number(slash == std::string_view::npos ? text : text.substr(0, slash), "rate");
  if (!number) return number.error();
  if (!number->second.empty()) return Error("invalid rate \"" + std::string(text) + "\" (write it as \"500/s\")");
  double per = 1.0;
  if (slash != std::string_view::npos) {
    auto unit = trim(text.substr(slash + 1));
    if (unit == "s") per = 1.0;
    else if (unit == "ms") per = 1e-3;
    else if (unit == "m" || unit == "min") per = 60.0;
    else if (unit == "h") per = 3600.0;
    else return Error("unknown rate unit \"/" + std::string(unit) + "\" (use /ms, /s, /m or /h)");
  }
  return number->first / per;
}

Result<Range<Nanos>> parse_duration_range(std::string_view text) {
  return parse_range<Nanos>(text, parse_duration);
}

Result<Range<std::uint64_t>> parse_size_range(std::string_view text) {
  return parse_range<std::uint64_t>(text, parse_size);
}

std::string format_duration(Nanos d) {
  double ns = static_cast<double>(d.count());
  if (ns >= 3600e9 && std::fmod(ns, 3600e9) == 0) return trimmed_number(ns / 3600e9) + "h";
  if (ns >= 60e9 && std::fmod(ns, 60e9) == 0) return trimmed_number(ns / 60e9) + "m";
  if (ns >= 1e9) return trimmed_number(ns / 1e9) + "s";
  if (ns >= 1e6) return trimmed_number(ns / 1e6) + "ms";
  if (ns >= 1e3) return trimmed_number(ns / 1e3) + "us";
  return trimmed_number(ns) + "ns";
}

std::string format_size(std::uint64_t bytes) {
  double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return trimmed_number(b / (1024.0 * 1024 * 1024)) + "GiB";
  if (b >= 1024.0 * 1024) return trimmed_number(b / (1024.0 * 1024)) + "MiB";
  if (b >= 1024.0) return trimmed_number(b / 1024.0) + "KiB";
  return std::to_string(bytes) + "B";
}

std::string format_rate(double per_second) {
  return trimmed_number(per_second) + "/s";
}

}  // namespace h2soak::units
