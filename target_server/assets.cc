#include "target_server/assets.h"

#include <fmt/format.h>

namespace h2soak::server {
namespace {

// xorshift64*: a small deterministic generator so assets are identical on every run.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 2685821657736338717ull;
  }

 private:
  uint64_t s_;
};

std::string etag_of(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("\"{:016x}-{:x}\"", h, bytes.size());
}

// Sizes spread from 1 KiB to ~120 KiB, deterministic per index.
size_t size_for(int i, int count, size_t lo, size_t hi) {
  double t = count > 1 ? static_cast<double>(i) / (count - 1) : 0.0;
  return lo + static_cast<size_t>(static_cast<double>(hi - lo) * t * t);
}

std::string make_css(int i, size_t size) {
  std::string s = fmt::format("/* h2soak stylesheet {} */\n", i);
  for (int r = 0; s.size() < size; ++r) {
    s += fmt::format(".c{}-{} {{ margin: {}px; padding: {}px; color: #{:06x}; }}\n", i, r, r % 17, r % 11,
                     (r * 2654435761u) & 0xffffff);
  }
  s.resize(size);
  return s;
}

std::string make_js(int i, size_t size) {
  std::string s = fmt::format("// h2soak script {}\n", i);
  for (int r = 0; s.size() < size; ++r) {
    s += fmt::format("function f{}_{}(x) {{ return (x * {}) ^ {}; }}\n", i, r, r + 3, r * 7);
  }
  s.resize(size);
  return s;
}

std::string make_png(int i, size_t size) {
  // A PNG signature and IHDR-looking header, then deterministic noise: "png-ish" bytes.
  std::string s("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  Rng rng(static_cast<uint64_t>(i) + 1000);
  while (s.size() < size) {
    uint64_t v = rng.next();
    for (int b = 0; b < 8 && s.size() < size; ++b) s.push_back(static_cast<char>(v >> (b * 8)));
  }
  return s;
}

std::string make_bench_page() {
  std::string s =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>h2soak bench page</title></head>\n<body>\n";
  const std::string tail = "</body></html>\n";
  for (int r = 0; s.size() + tail.size() < 2048; ++r) {
    s += fmt::format("<p>Line {} of the fixed two kilobyte benchmark page.</p>\n", r);
  }
  s.resize(2048 - tail.size(), ' ');
  s += tail;
  return s;
}

}  // namespace

AssetStore::AssetStore() {
  auto add = [this](std::string name, AssetKind kind, std::string type, std::string bytes,
                    std::vector<size_t>* index) {
    Asset a;
    a.name = std::move(name);
    a.kind = kind;
    a.content_type = std::move(type);
    a.etag = etag_of(bytes);
    a.bytes = std::move(bytes);
    if (index) index->push_back(assets_.size());
    assets_.push_back(std::move(a));
  };
  for (int i = 0; i < kCss; ++i) {
    add(fmt::format("css/site-{}.css", i), AssetKind::kCss, "text/css; charset=utf-8",
        make_css(i, size_for(i, kCss, 1024, 48 * 1024)), &css_);
  }
  for (int i = 0; i < kJs; ++i) {
    add(fmt::format("js/app-{}.js", i), AssetKind::kJs, "application/javascript; charset=utf-8",
        make_js(i, size_for(i, kJs, 2048, 96 * 1024)), &js_);
  }
  for (int i = 0; i < kImages; ++i) {
    add(fmt::format("img/pic-{}.png", i), AssetKind::kImage, "image/png",
        make_png(i, size_for(i, kImages, 1024, 120 * 1024)), &images_);
  }
  add(std::string(kBenchPage), AssetKind::kHtml, "text/html; charset=utf-8", make_bench_page(), nullptr);
  // Names point into assets_, which no longer grows.
  for (size_t i = 0; i < assets_.size(); ++i) by_name_.emplace(assets_[i].name, i);
}

const Asset* AssetStore::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &assets_[it->second];
}

std::vector<const Asset*> AssetStore::assets_for_page(int n) const {
  std::vector<const Asset*> out;
  auto pick = [&](const std::vector<size_t>& from, int count, int stride) {
    for (int k = 0; k < count; ++k) {
      out.push_back(&assets_[from[static_cast<size_t>(n * stride + k * 3) % from.size()]]);
    }
  };
  pick(css_, 2, 1);
  pick(js_, 3, 3);
  pick(images_, 5, 5);
  return out;
}

}  // namespace h2soak::server
