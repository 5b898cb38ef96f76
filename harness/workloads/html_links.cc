#include "harness/workloads/html_links.h"

#include <cstring>

namespace h2soak::workloads {
namespace {

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
inline bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':';
}

bool equals_ci(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower_b[i]) return false;
  return true;
}

bool same_origin_path(std::string_view v) { return v.size() >= 2 ? (v[0] == '/' && v[1] != '/') : v == "/"; }

}  // namespace

bool next_link(std::string_view html, std::size_t& pos, std::string_view& path) {
  const std::size_t n = html.size();
  while (pos < n) {
    const void* lt = std::memchr(html.data() + pos, '<', n - pos);
    if (!lt) {
      pos = n;
      return false;
    }
    pos = static_cast<std::size_t>(static_cast<const char*>(lt) - html.data()) + 1;
    if (html.compare(pos, 3, "!--") == 0) {  // comment: skip to -->
      const std::size_t end = html.find("-->", pos + 3);
      pos = end == std::string_view::npos ? n : end + 3;
      continue;
    }
    std::size_t p = pos;
    while (p < n && name_char(html[p])) ++p;
    const std::string_view tag = html.substr(pos, p - pos);
    std::string_view wanted;
    if (equals_ci(tag, "link")) wanted = "href";
    else if (equals_ci(tag, "script") || equals_ci(tag, "img")) wanted = "src";
    else continue;
    // Attributes until '>'.
    std::string_view found;
    while (p < n && html[p] != '>') {
      while (p < n && (is_space(html[p]) || html[p] == '/')) ++p;
      if (p >= n || html[p] == '>') break;
      const std::size_t name_start = p;
      while (p < n && !is_space(html[p]) && html[p] != '=' && html[p] != '>' && html[p] != '/') ++p;
      const std::string_view name = html.substr(name_start, p - name_start);
      if (name.empty()) { ++p; continue; }
      while (p < n && is_space(html[p])) ++p;
      std::string_view value;
      if (p < n && html[p] == '=') {
        ++p;
        while (p < n && is_space(html[p])) ++p;
        if (p < n && (html[p] == '"' || html[p] == '\'')) {
          const char q = html[p++];
          const std::size_t v = p;
          while (p < n && html[p] != q) ++p;
          value = html.substr(v, p - v);
          if (p < n) ++p;
        } else {
          const std::size_t v = p;
          while (p < n && !is_space(html[p]) && html[p] != '>') ++p;
          value = html.substr(v, p - v);
        }
      }
      if (found.empty() && equals_ci(name, wanted)) found = value;
    }
    pos = p < n ? p + 1 : n;
    if (same_origin_path(found)) {
      path = found;
      return true;
    }
  }
  return false;
}

}  // namespace h2soak::workloads
