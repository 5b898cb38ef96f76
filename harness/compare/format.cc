#include "harness/compare/format.h"

#include <cmath>
#include <cstdio>

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

}  // namespace

std::string format_value(double value, std::string_view unit) {
  if (unit == "bytes" || unit == "B") return binary(value, "");
  if (unit == "bytes/s" || unit == "B/s") return binary(value, "/s");
  char buf[64];
  if (unit.empty() || unit == "count") {
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
      std::snprintf(buf, sizeof buf, "%.0f", value);
    } else {
      std::snprintf(buf, sizeof buf, "%.4g", value);
    }
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.4g %.*s", value, static_cast<int>(unit.size()), unit.data());
  return buf;
}

std::string format_percent(double percent) {
  if (!std::isfinite(percent)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", percent);
  return buf;
}

}  // namespace h2soak::compare
