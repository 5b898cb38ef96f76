#include "target_server/templates.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace h2soak::server {
namespace km = kainjow::mustache;
namespace {

constexpr const char* kLayout = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{title}} · h2soak</title>
{{#styles}}
<link rel="stylesheet" href="{{href}}">
{{/styles}}
</head>
<body>
<header><a href="/">h2soak</a> {{#user}}<span class="user">signed in as {{name}}</span>{{/user}}{{^user}}<a href="/login">sign in</a>{{/user}}</header>
<nav>{{#nav}}<a href="{{href}}">{{label}}</a> {{/nav}}</nav>
<main>
{{{content}}}
</main>
{{#scripts}}
<script src="{{src}}"></script>
{{/scripts}}
</body>
</html>
)";

constexpr const char* kPage = R"(<h1>{{title}}</h1>
<div class="gallery">{{#images}}<img src="{{src}}" alt="{{alt}}" width="96" height="96">{{/images}}</div>
{{#paragraphs}}
<p>{{.}}</p>
{{/paragraphs}}
)";

constexpr const char* kIndex = R"(<h1>{{title}}</h1>
<p>A multi-page site for load tests. Live events: <a href="/events">/events</a>.</p>
<ul>
{{#links}}
<li><a href="{{href}}">{{label}}</a></li>
{{/links}}
</ul>
<div class="gallery">{{#images}}<img src="{{src}}" alt="{{alt}}" width="96" height="96">{{/images}}</div>
{{#paragraphs}}
<p>{{.}}</p>
{{/paragraphs}}
)";

const char* const kWords[] = {"load",   "stream", "frame", "window", "header", "server", "client", "memory",
                              "thread", "socket", "event", "timer",  "page",   "asset",  "leak",   "steady",
                              "phase",  "sample", "slope", "tab",    "cookie", "upload", "digest", "render"};

std::string paragraph(int page, int k) {
  std::string s = fmt::format("Paragraph {} of page {}:", k + 1, page);
  uint32_t x = static_cast<uint32_t>(page * 7919 + k * 104729 + 1);
  int words = 50 + static_cast<int>(x % 40);
  for (int w = 0; w < words; ++w) {
    x = x * 1103515245u + 12345u;
    s += ' ';
    s += kWords[(x >> 16) % (sizeof(kWords) / sizeof(kWords[0]))];
  }
  s += '.';
  return s;
}

km::data asset_list(const std::vector<const Asset*>& assets, AssetKind kind, const char* key) {
  km::data list{km::data::type::list};
  for (const Asset* a : assets) {
    if (a->kind != kind) continue;
    km::data item;
    item.set(key, "/static/" + a->name);
    if (kind == AssetKind::kImage) item.set("alt", a->name);
    list.push_back(item);
  }
  return list;
}

km::mustache parse(const char* text) {
  km::mustache t{std::string(text)};
  if (!t.is_valid()) throw std::runtime_error("template error: " + t.error_message());
  return t;
}

// Lets kainjow's stream-based render append straight into a std::string.
struct StringSink {
  std::string& out;
  StringSink& operator<<(const std::string& s) {
    out += s;
    return *this;
  }
};

}  // namespace

size_t PageModels::target_size(int n, int pages) {
  if (pages <= 1) return 2048;
  double t = static_cast<double>(n - 1) / (pages - 1);
  return static_cast<size_t>(2048.0 * std::pow(100.0, t));
}

PageModels::PageModels(int pages, const AssetStore& assets) : pages_(pages) {
  km::data nav{km::data::type::list};
  km::data links{km::data::type::list};
  for (int n = 1; n <= pages; ++n) {
    km::data item;
    item.set("href", fmt::format("/page/{}", n));
    item.set("label", fmt::format("Page {}", n));
    if (n <= 10) nav.push_back(item);
    links.push_back(item);
  }
  for (int n = 0; n <= pages; ++n) {
    auto linked = assets.assets_for_page(n);
    km::data layout;
    layout.set("title", n == 0 ? std::string("Home") : fmt::format("Page {}", n));
    layout.set("nav", nav);
    layout.set("styles", asset_list(linked, AssetKind::kCss, "href"));
    layout.set("scripts", asset_list(linked, AssetKind::kJs, "src"));
    km::data content;
    content.set("title", n == 0 ? std::string("Welcome") : fmt::format("Page {} of {}", n, pages));
    content.set("images", asset_list(linked, AssetKind::kImage, "src"));
    content.set("paragraphs", km::data{km::data::type::list});
    if (n == 0) content.set("links", links);
    layout_.push_back(std::move(layout));
    content_.push_back(std::move(content));
  }
}

Templates::Templates() : layout_(parse(kLayout)), page_(parse(kPage)), index_(parse(kIndex)) {}

std::string Templates::render(const PageModels& models, int n, std::string_view user) {
  std::string body;
  body.reserve(n == 0 ? 4096 : PageModels::target_size(n, models.pages()) + 1024);
  // The layout reads "content" and "user" on top of the page's shared layout data.
  std::string content;
  (n == 0 ? index_ : page_).render(models.content(n), [&content](const std::string& s) { content += s; });
  km::data top;
  top.set("content", std::move(content));
  if (!user.empty()) {
    km::data u;
    u.set("name", std::string(user));
    top.set("user", u);
  } else {
    top.set("user", false);
  }
  km::context<std::string> ctx;
  ctx.push(&models.layout(n));
  ctx.push(&top);  // searched first
  StringSink sink{body};
  layout_.render(ctx, sink);
  return body;
}

void Templates::pad_to_target_sizes(PageModels& models) {
  for (int n = 1; n <= models.pages(); ++n) {
    size_t target = PageModels::target_size(n, models.pages());
    size_t size = render(models, n, {}).size();
    km::data& paras = models.content_[static_cast<size_t>(n)];
    km::data list{km::data::type::list};
    for (int k = 0; size < target; ++k) {
      std::string p = paragraph(n, k);
      size += p.size() + 8;  // "<p>" + "</p>\n"
      list.push_back(km::data{p});
    }
    paras.set("paragraphs", list);
  }
}

}  // namespace h2soak::server
