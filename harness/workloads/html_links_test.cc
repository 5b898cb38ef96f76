#include "harness/workloads/html_links.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace h2soak::workloads {
namespace {

std::vector<std::string> links(std::string_view html) {
  std::vector<std::string> out;
  scan_links(html, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

TEST(HtmlLinks, FindsLinkScriptImgInOrder) {
  const char* html =
      "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/static/css/site-0.css\">"
      "<script src='/static/js/app-1.js'></script></head><body><p>hi</p>"
      "<img alt=x src=/static/img/pic-2.png><a href=\"/page/2\">next</a></body></html>";
  EXPECT_EQ(links(html),
            (std::vector<std::string>{"/static/css/site-0.css", "/static/js/app-1.js", "/static/img/pic-2.png"}));
}

TEST(HtmlLinks, CaseInsensitiveTagsAndAttributes) {
  EXPECT_EQ(links("<LINK HREF=\"/a.css\"><Script SRC=\"/b.js\"></Script><IMG Src='/c.png'/>"),
            (std::vector<std::string>{"/a.css", "/b.js", "/c.png"}));
}

TEST(HtmlLinks, SkipsCommentsOtherTagsAndForeignUrls) {
  EXPECT_TRUE(links("<!-- <img src=\"/hidden.png\"> --><a href=\"/x\"><imgx src=\"/no.png\">"
                    "<img src=\"https://cdn.example/x.png\"><img src=\"//cdn/x.png\"><img src=\"rel.png\">"
                    "<img src=\"data:image/png;base64,AAA\"><script>var s = 1;</script><link rel=preload>")
                  .empty());
}

TEST(HtmlLinks, WrongAttributeForTagIsIgnored) {
  EXPECT_TRUE(links("<img href=\"/a.png\"><link src=\"/b.css\"><script href=\"/c.js\">").empty());
}

TEST(HtmlLinks, SpacesAroundEqualsAndSelfClosing) {
  EXPECT_EQ(links("<img  src = \"/a.png\" /><link\nhref=/b.css\n/>"), (std::vector<std::string>{"/a.png", "/b.css"}));
}

TEST(HtmlLinks, TruncatedInputDoesNotOverrun) {
  EXPECT_TRUE(links("<img src=\"/a.pn").empty() || links("<img src=\"/a.pn") == std::vector<std::string>{"/a.pn"});
  EXPECT_TRUE(links("<img src=").empty());
  EXPECT_TRUE(links("<").empty());
  EXPECT_TRUE(links("<!--").empty());
  EXPECT_TRUE(links("").empty());
}

TEST(HtmlLinks, FirstMatchingAttributeWins) {
  EXPECT_EQ(links("<img src=\"/one.png\" src=\"/two.png\">"), (std::vector<std::string>{"/one.png"}));
}

}  // namespace
}  // namespace h2soak::workloads
