#include "target_server/config.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace h2soak::server {
namespace {

// Splits "12.5ms" into 12.5 and "ms"; false when there is no number.
bool split_number(std::string_view text, double* value, std::string_view* unit) {
  std::string s(text);
  if (s.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(*value) || *value < 0) return false;
  *unit = text.substr(static_cast<size_t>(end - s.c_str()));
  while (!unit->empty() && unit->front() == ' ') unit->remove_prefix(1);
  return true;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  auto us = parse_duration_us(text);
  if (!us) return std::nullopt;
  return Millis(static_cast<int64_t>(std::llround(static_cast<double>(us->count()) / 1000)));
}

std::optional<std::chrono::microseconds> parse_duration_us(std::string_view text) {
  double v = 0;
  std::string_view unit;
  if (!split_number(text, &v, &unit)) return std::nullopt;
  double us;
  if (unit.empty() || unit == "s") us = v * 1e6;
  else if (unit == "ms") us = v * 1e3;
  else if (unit == "us") us = v;
  else if (unit == "m" || unit == "min") us = v * 60e6;
  else if (unit == "h") us = v * 3600e6;
  else return std::nullopt;
  return std::chrono::microseconds(static_cast<int64_t>(std::llround(us)));
}

std::optional<uint64_t> parse_size(std::string_view text) {
  double v = 0;
  std::string_view unit;
  if (!split_number(text, &v, &unit)) return std::nullopt;
  double mult;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB" || unit == "K" || unit == "k") mult = 1024.0;
  else if (unit == "MiB" || unit == "M") mult = 1024.0 * 1024;
  else if (unit == "GiB" || unit == "G") mult = 1024.0 * 1024 * 1024;
  else if (unit == "kB" || unit == "KB") mult = 1e3;
  else if (unit == "MB") mult = 1e6;
  else if (unit == "GB") mult = 1e9;
  else return std::nullopt;
  return static_cast<uint64_t>(std::llround(v * mult));
}

}  // namespace h2soak::server
