#include "target_server/router.h"

#include <gtest/gtest.h>

namespace h2soak::server {
namespace {

TEST(RouterTest, MatchesEveryRoute) {
  EXPECT_EQ(match_route("/", 20).route, Route::kIndex);
  EXPECT_EQ(match_route("/events", 20).route, Route::kEvents);
  EXPECT_EQ(match_route("/upload", 20).route, Route::kUpload);
  EXPECT_EQ(match_route("/login", 20).route, Route::kLogin);
  EXPECT_EQ(match_route("/metrics", 20).route, Route::kMetrics);
  RouteMatch s = match_route("/static/css/site-1.css", 20);
  EXPECT_EQ(s.route, Route::kStatic);
  EXPECT_EQ(s.rest, "css/site-1.css");
}

TEST(RouterTest, PagesWithinRangeOnly) {
  RouteMatch m = match_route("/page/7", 20);
  EXPECT_EQ(m.route, Route::kPage);
  EXPECT_EQ(m.page, 7);
  EXPECT_EQ(match_route("/page/1", 20).page, 1);
  EXPECT_EQ(match_route("/page/20", 20).page, 20);
  EXPECT_EQ(match_route("/page/0", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/21", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/07", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/3x", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/-1", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/page/99999999999999999999", 20).route, Route::kNotFound);
}

TEST(RouterTest, UnknownPathsAreNotFound) {
  EXPECT_EQ(match_route("", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/eventsx", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/metrics/", 20).route, Route::kNotFound);
  EXPECT_EQ(match_route("/static", 20).route, Route::kNotFound);
}

class RouterMakeTest : public ::testing::Test {
 protected:
  Config config;
  AssetStore assets;
  PageModels pages{3, assets};
  SessionStore sessions{Millis(1000)};
  StatsRegistry registry;
  WorkerStats stats;
  Templates templates;
  ServerState state{config, assets, pages, sessions, registry, std::chrono::steady_clock::now()};
  WorkerEnv env{nullptr, &stats, &templates};
  Router router{state};

  int status_of(const char* method, const char* target) {
    Request req;
    req.method = method;
    req.target = target;
    auto h = router.make(req, env);
    return h->respond().status;
  }
};

TEST_F(RouterMakeTest, ChecksMethods) {
  config.pages = 3;
  EXPECT_EQ(status_of("GET", "/page/2"), 200);
  EXPECT_EQ(status_of("HEAD", "/"), 200);
  EXPECT_EQ(status_of("POST", "/page/2"), 405);
  EXPECT_EQ(status_of("GET", "/upload"), 405);
  EXPECT_EQ(status_of("DELETE", "/static/css/site-0.css"), 405);
  EXPECT_EQ(status_of("GET", "/page/4"), 404);
  EXPECT_EQ(status_of("GET", "/nowhere"), 404);
  EXPECT_EQ(status_of("POST", "/upload"), 200);
  EXPECT_EQ(status_of("GET", "/metrics"), 200);
  EXPECT_EQ(status_of("GET", "/login?user=ann"), 200);
  EXPECT_EQ(sessions.size(), 1u);
}

}  // namespace
}  // namespace h2soak::server
