#pragma once
// HTML pages rendered from mustache templates with a shared layout.
//
// PageModels is the per-page data (title, linked assets, generated paragraphs sized so that
// the pages span 2 KiB – 200 KiB); built once at start and shared read-only by all workers.
// Templates holds the parsed templates: parsed once at start, then each worker renders with
// its own copy (kainjow::mustache::render is not const, so one copy may not be shared
// between threads; copying a parsed tree is not re-parsing it).

#include <kainjow/mustache.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "target_server/assets.h"

namespace h2soak::server {

class PageModels {
 public:
  /// Pages 1..pages; page 0 is the index.
  PageModels(int pages, const AssetStore& assets);
  int pages() const { return pages_; }
  /// Target body size of page n (n >= 1), 2 KiB for page 1 up to 200 KiB for the last page.
  static size_t target_size(int n, int pages);
  const kainjow::mustache::data& content(int n) const { return content_[static_cast<size_t>(n)]; }
  const kainjow::mustache::data& layout(int n) const { return layout_[static_cast<size_t>(n)]; }

 private:
  friend class Templates;
  int pages_;
  std::vector<kainjow::mustache::data> content_;  ///< what the page body template reads
  std::vector<kainjow::mustache::data> layout_;   ///< title, nav, styles, scripts
};

class Templates {
 public:
  /// Parses the built-in templates; throws std::runtime_error on a template error.
  Templates();

  /// Renders page n (0 = index) for the signed-in `user` (empty = anonymous).
  /// Requires 0 <= n <= models.pages().
  std::string render(const PageModels& models, int n, std::string_view user);

  /// Fills `models` with paragraphs until every page reaches its target size.
  void pad_to_target_sizes(PageModels& models);

 private:
  kainjow::mustache::mustache layout_;
  kainjow::mustache::mustache page_;
  kainjow::mustache::mustache index_;
};

}  // namespace h2soak::server
