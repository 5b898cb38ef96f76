#pragma once
// Small text helpers shared by the parsers (scenario values, thresholds,
// /proc fields, header lines).

#include <cctype>
#include <string_view>

namespace h2soak {

/// `s` without leading and trailing white space (space, tab, CR, LF, VT, FF).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace h2soak
