#pragma once
// A small, fast, allocation-free scanner for the sub-resources a browser
// would fetch for a page: <link href=...>, <script src=...> and <img src=...>.
// Not an HTML parser: it walks tags once, skips comments, matches tag and
// attribute names case-insensitively, accepts "double", 'single' and
// unquoted values, and ignores everything else (text, other tags, other
// attributes, <script> bodies are scanned as text which is harmless for the
// reference server's pages).
//
// Only same-origin absolute paths are reported: values starting with a single
// '/' ("/static/css/site-0.css"); scheme-relative ("//cdn/x"), absolute URLs,
// relative paths, fragments and data: URIs are skipped. Values are views into
// `html` (no copies); the caller copies what it keeps.

#include <cstddef>
#include <string_view>

namespace h2soak::workloads {

// Calls visit(std::string_view path) for each link, in document order.
// Returns the number of links reported.
template <typename Visit>
std::size_t scan_links(std::string_view html, Visit&& visit);

// Implementation detail: finds the next link at or after `pos`; returns false
// at the end. `pos` is advanced past the tag.
bool next_link(std::string_view html, std::size_t& pos, std::string_view& path);

template <typename Visit>
std::size_t scan_links(std::string_view html, Visit&& visit) {
  std::size_t pos = 0, n = 0;
  std::string_view path;
  while (next_link(html, pos, path)) {
    visit(path);
    ++n;
  }
  return n;
}

}  // namespace h2soak::workloads
