#include "target_server/templates.h"

#include <gtest/gtest.h>

#include <string>

namespace h2soak::server {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

class TemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override { templates.pad_to_target_sizes(models); }
  AssetStore assets;
  PageModels models{20, assets};
  Templates templates;
};

TEST_F(TemplatesTest, PagesShareTheLayoutAndLinkAboutTenAssets) {
  std::string page = templates.render(models, 5, {});
  EXPECT_TRUE(page.starts_with("<!doctype html>"));
  EXPECT_NE(page.find("<title>Page 5 · h2soak</title>"), std::string::npos);
  EXPECT_NE(page.find("<h1>Page 5 of 20</h1>"), std::string::npos);
  EXPECT_EQ(count(page, "<link rel=\"stylesheet\" href=\"/static/"), 2u);
  EXPECT_EQ(count(page, "<script src=\"/static/"), 3u);
  EXPECT_EQ(count(page, "<img src=\"/static/"), 5u);
  EXPECT_NE(page.find("href=\"/login\""), std::string::npos);
  // Every linked asset exists.
  for (size_t p = page.find("/static/"); p != std::string::npos; p = page.find("/static/", p + 1)) {
    size_t end = page.find('"', p);
    std::string name = page.substr(p + 8, end - p - 8);
    EXPECT_NE(assets.find(name), nullptr) << name;
  }
}

TEST_F(TemplatesTest, SizesSpanTwoTo200KiB) {
  size_t first = templates.render(models, 1, {}).size();
  size_t last = templates.render(models, 20, {}).size();
  EXPECT_GE(first, 2048u);
  EXPECT_LE(first, 4096u);
  EXPECT_GE(last, 200u * 1024);
  EXPECT_LE(last, 210u * 1024);
  size_t prev = 0;
  for (int n = 1; n <= 20; ++n) {
    size_t s = templates.render(models, n, {}).size();
    EXPECT_GT(s, prev) << "page " << n;
    prev = s;
  }
}

TEST_F(TemplatesTest, RenderingIsDeterministicAndEscapesUser) {
  EXPECT_EQ(templates.render(models, 3, {}), templates.render(models, 3, {}));
  std::string page = templates.render(models, 3, "<bob>");
  EXPECT_NE(page.find("signed in as &lt;bob&gt;"), std::string::npos);
  EXPECT_EQ(page.find("href=\"/login\""), std::string::npos);
}

TEST_F(TemplatesTest, IndexLinksEveryPage) {
  std::string index = templates.render(models, 0, {});
  for (int n = 1; n <= 20; ++n) {
    EXPECT_NE(index.find("<li><a href=\"/page/" + std::to_string(n) + "\">"), std::string::npos) << n;
  }
}

TEST_F(TemplatesTest, ACopyRendersTheSame) {
  Templates copy = templates;
  EXPECT_EQ(copy.render(models, 7, "ann"), templates.render(models, 7, "ann"));
}

}  // namespace
}  // namespace h2soak::server
