#pragma once
// The static assets that pages link: generated deterministically at start (same bytes on
// every run and every machine), immutable afterwards and shared read-only by all workers.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace h2soak::server {

enum class AssetKind : uint8_t { kCss, kJs, kImage, kHtml };

struct Asset {
  std::string name;  ///< Relative to /static/, e.g. "css/site-3.css".
  AssetKind kind = AssetKind::kCss;
  std::string content_type;
  std::string etag;  ///< Quoted strong validator, e.g. "\"9f3c...\"".
  std::string bytes;
};

class AssetStore {
 public:
  static constexpr int kCss = 6;
  static constexpr int kJs = 8;
  static constexpr int kImages = 16;
  /// Name of the 2,048-byte page used by bench/vs_h2o.sh (same bytes written for h2o).
  static constexpr std::string_view kBenchPage = "bench-2k.html";

  /// Generates every asset; deterministic.
  AssetStore();

  /// nullptr when there is no asset of that (already decoded and validated) name.
  const Asset* find(std::string_view name) const;
  const std::vector<Asset>& all() const { return assets_; }
  /// The ~10 assets page `n` links (2 stylesheets, 3 scripts, 5 images), by index into all().
  std::vector<const Asset*> assets_for_page(int n) const;

 private:
  std::vector<Asset> assets_;
  std::unordered_map<std::string_view, size_t> by_name_;
  std::vector<size_t> css_, js_, images_;
};

}  // namespace h2soak::server
