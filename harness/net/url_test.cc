#include "harness/net/url.h"

#include <gtest/gtest.h>

namespace h2soak::net {
namespace {

TEST(Url, ParsesHostPortPath) {
  auto u = parse_url("http://127.0.0.1:8080/a/b?x=1");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->authority, "127.0.0.1:8080");
  EXPECT_EQ(u->path, "/a/b?x=1");
  EXPECT_FALSE(u->tls());
}

TEST(Url, DefaultsAndIpv6) {
  auto u = parse_url("https://[::1]");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->authority, "[::1]");
  EXPECT_EQ(u->path, "/");
  EXPECT_TRUE(u->tls());
}

TEST(Url, RejectsBadInput) {
  EXPECT_FALSE(parse_url("ftp://x/").ok());
  EXPECT_FALSE(parse_url("http://:80/").ok());
  EXPECT_FALSE(parse_url("http://h:99999/").ok());
  EXPECT_FALSE(parse_url("localhost:80").ok());
}

}  // namespace
}  // namespace h2soak::net
