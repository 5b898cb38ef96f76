#include "harness/compare/format.h"

#include "harness/compare/rules.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace h2soak::compare {

namespace {

std::string binary(double v, const char* suffix) {
  static const char* const kPrefixes[] = {"", "Ki", "Mi", "Gi", "Ti"};
  double a = std::fabs(v);
  int i = 0;
  while (a >= 1024.0 && i < 4) {
    a /= 1024.0;
    ++i;
  }
  char buf[64];
  if (i == 0) {
    std::snprintf(buf, sizeof buf, "%s%.0f %s%s", v < 0 ? "-" : "", a, "B", suffix);
  } else {
    std::snprintf(buf, sizeof buf, "%s%.1f %sB%s", v < 0 ? "-" : "", a, kPrefixes[i], suffix);
  }
  return buf;
}

// Integers as integers; otherwise 4 significant digits without an exponent
// for ordinary magnitudes ("1234", "12.35", "0.05").
std::string plain(double v) {
  char buf[64];
  const double a = std::fabs(v);
  if ((v == std::floor(v) && a < 1e15) || (a >= 1000 && a < 1e15)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

// A duration in the largest unit that keeps it >= 1: "21.0 ms", "850 us".
std::string duration(double value, double ns_per_unit) {
  const double ns = value * ns_per_unit;
  const double a = std::fabs(ns);
  const char* unit = "ns";
  double scaled = ns;
  if (a >= 1e9) {
    unit = "s";
    scaled = ns / 1e9;
  } else if (a >= 1e6) {
    unit = "ms";
    scaled = ns / 1e6;
  } else if (a >= 1e3) {
    unit = "us";
    scaled = ns / 1e3;
  }
  char buf[64];
  if (scaled == std::floor(scaled) && std::fabs(scaled) < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f %s", scaled, unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g %s", scaled, unit);
  }
  return buf;
}

}  // namespace

std::string format_value(double value, std::string_view unit) {
  if (unit == "bytes" || unit == "B") return binary(value, "");
  if (unit == "bytes/s" || unit == "B/s") return binary(value, "/s");
  if (auto ns = nanos_per_unit(unit)) return duration(value, *ns);
  if (unit.empty() || unit == "count") return plain(value);
  return plain(value) + " " + std::string(unit);
}

std::string format_percent(double percent) {
  if (!std::isfinite(percent)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", percent);
  return buf;
}

namespace {

// "bytes/upload" -> {"bytes", "upload"}.
std::pair<std::string_view, std::string_view> per_event_unit(std::string_view unit) {
  const auto slash = unit.find('/');
  if (slash == std::string_view::npos) return {unit, "event"};
  return {unit.substr(0, slash), unit.substr(slash + 1)};
}

}  // namespace

std::string format_per_event(double value, std::string_view unit) {
  const auto [base, event] = per_event_unit(unit);
  return std::string(value >= 0 ? "+" : "") + format_value(value, base) + " per " + std::string(event);
}

std::string format_interval(double low, double high, std::string_view unit) {
  const auto base = per_event_unit(unit).first;
  return "[" + format_value(low, base) + ", " + format_value(high, base) + "]";
}

}  // namespace h2soak::compare
