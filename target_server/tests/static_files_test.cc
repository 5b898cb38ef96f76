#include "target_server/handlers/static_files.h"

#include <gtest/gtest.h>

namespace h2soak::server {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  AssetStore assets;
  StaticVerdict verdict(std::string_view p) { return resolve_static(p, assets).verdict; }
};

TEST_F(StaticFilesTest, ResolvesKnownAssets) {
  StaticLookup l = resolve_static("css/site-0.css", assets);
  ASSERT_EQ(l.verdict, StaticVerdict::kOk);
  EXPECT_EQ(l.asset->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(resolve_static("img/pic-3.png", assets).asset->content_type, "image/png");
  EXPECT_EQ(resolve_static("js/app-1.js", assets).asset->content_type, "application/javascript; charset=utf-8");
  EXPECT_EQ(verdict("%63ss/site-0.css"), StaticVerdict::kOk);  // %63 = 'c'
  EXPECT_EQ(resolve_static("bench-2k.html", assets).asset->bytes.size(), 2048u);
}

TEST_F(StaticFilesTest, UnknownNamesAreNotFound) {
  EXPECT_EQ(verdict("css/site-99.css"), StaticVerdict::kNotFound);
  EXPECT_EQ(verdict("passwd"), StaticVerdict::kNotFound);
}

TEST_F(StaticFilesTest, RefusesTraversal) {
  for (std::string_view p : {"../etc/passwd", "css/../../etc/passwd", "..", "%2e%2e/etc/passwd", "%2E%2E/x",
                             ".%2e/x", "css%2f..%2f..%2fetc", "css%2Fsite-0.css", "/etc/passwd", "%2fetc/passwd",
                             "css\\site-0.css", "css%5csite-0.css", "./css/site-0.css", "css//site-0.css",
                             "css/site-0.css%00", "", "css/", "%", "%2", "%zz", "css/site-0.css/.."}) {
    EXPECT_EQ(verdict(p), StaticVerdict::kBadRequest) << p;
  }
}

TEST_F(StaticFilesTest, EtagGivesNotModified) {
  const Asset* a = assets.find("js/app-2.js");
  ASSERT_NE(a, nullptr);
  Request req;
  req.method = "GET";
  Response r = static_response(req, "js/app-2.js", assets);
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body->length(), a->bytes.size());
  req.headers.push_back({"if-none-match", "\"other\", " + a->etag});
  r = static_response(req, "js/app-2.js", assets);
  EXPECT_EQ(r.status, 304);
  EXPECT_FALSE(r.body);
  req.headers.back().value = "\"stale\"";
  EXPECT_EQ(static_response(req, "js/app-2.js", assets).status, 200);
  EXPECT_EQ(static_response(req, "..%2fx", assets).status, 400);
}

TEST_F(StaticFilesTest, AssetsAreDeterministicAndVaried) {
  AssetStore again;
  ASSERT_EQ(again.all().size(), assets.all().size());
  size_t smallest = SIZE_MAX, largest = 0;
  for (size_t i = 0; i < assets.all().size(); ++i) {
    EXPECT_EQ(again.all()[i].bytes, assets.all()[i].bytes);
    EXPECT_EQ(again.all()[i].etag, assets.all()[i].etag);
    smallest = std::min(smallest, assets.all()[i].bytes.size());
    largest = std::max(largest, assets.all()[i].bytes.size());
  }
  EXPECT_LE(smallest, 2048u);
  EXPECT_GE(largest, 100u * 1024);
}

}  // namespace
}  // namespace h2soak::server
