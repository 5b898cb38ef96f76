#include "target_server/session_store.h"

#include <gtest/gtest.h>

namespace h2soak::server {
namespace {

using namespace std::chrono_literals;

TEST(SessionStoreTest, SessionsExpireAfterTtlAndSweepEvicts) {
  SessionStore store(60s);
  const auto t0 = SessionStore::Clock::time_point{} + 1000s;
  std::string a = store.create("ann", t0);
  std::string b = store.create("bob", t0 + 30s);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.find(a, t0 + 59s), "ann");
  EXPECT_FALSE(store.find(a, t0 + 60s));  // expired even before the sweep
  EXPECT_EQ(store.sweep(t0 + 59s), 0u);
  EXPECT_EQ(store.sweep(t0 + 61s), 1u);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find(b, t0 + 61s), "bob");
  EXPECT_EQ(store.sweep(t0 + 91s), 1u);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.find("unknown", t0));
}

TEST(SessionStoreTest, ManySessionsAllGoAway) {
  SessionStore store(1s);
  const auto t0 = SessionStore::Clock::now();
  for (int i = 0; i < 10000; ++i) store.create("u", t0);
  EXPECT_EQ(store.size(), 10000u);
  EXPECT_EQ(store.sweep(t0 + 2s), 10000u);
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStoreTest, CookieValue) {
  EXPECT_EQ(cookie_value("sid=abc", "sid"), "abc");
  EXPECT_EQ(cookie_value("a=1; sid=xyz; b=2", "sid"), "xyz");
  EXPECT_EQ(cookie_value("a=1;sid=q", "sid"), "q");
  EXPECT_EQ(cookie_value("xsid=1; a=2", "sid"), "");
  EXPECT_EQ(cookie_value("", "sid"), "");
}

}  // namespace
}  // namespace h2soak::server
