#include "harness/run/clock_probe.h"

#include <gtest/gtest.h>

#include <cmath>

namespace h2soak::run {
namespace {

TEST(ClockProbe, TheShortestRoundTripDecides) {
  // Server clock 0.5 s ahead. The first exchange waited 80 ms on the way
  // back (asymmetric): it alone would say +0.46 s; the 2 ms one says +0.5.
  std::vector<ClockExchange> got{{100.000, 100.510, 100.100}, {101.000, 101.501, 101.002}};
  auto o = best_offset(got);
  ASSERT_TRUE(o.has_value());
  EXPECT_NEAR(o->offset, 0.5, 1e-9);
  EXPECT_NEAR(o->uncertainty, 0.001, 1e-9);
  EXPECT_EQ(o->exchanges, 2);
  EXPECT_FALSE(best_offset({}).has_value());
  EXPECT_FALSE(best_offset({{5.0, 5.0, 4.0}}).has_value()) << "a reply before its query is not an exchange";
}

TEST(ClockProbe, ParsesHostAndPort) {
  auto a = parse_clock_address("10.0.0.7:9123");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "10.0.0.7");
  EXPECT_EQ(a->second, 9123);
  auto v6 = parse_clock_address("[::1]:9");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  for (const char* bad : {"host", "host:", ":80", "host:0", "host:70000", "host:8o"}) {
    auto r = parse_clock_address(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("--clock-from: expected HOST:PORT"), std::string::npos) << bad;
  }
}

TEST(ClockProbe, SameHostMeasuresAboutZero) {
  auto server = ClockServer::start(0);
  ASSERT_TRUE(server.ok()) << server.error().message();
  ASSERT_GT((*server)->port(), 0);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto o = measure_clock_offset(host, (*server)->port(), 4);
    ASSERT_TRUE(o.ok()) << host << ": " << o.error().message();
    // One clock on both ends: the estimate is off by at most half a round trip.
    EXPECT_LE(std::fabs(o->offset), o->uncertainty + 1e-6) << host;
    EXPECT_LT(o->uncertainty, 0.1) << host;
    EXPECT_EQ(o->exchanges, 4) << host;
  }
  EXPECT_GE((*server)->answered(), 8u);
}

TEST(ClockProbe, NoServiceIsAClearErrorWithinThePatience) {
  auto server = ClockServer::start(0);  // learn a free port, then close it
  ASSERT_TRUE(server.ok());
  const std::uint16_t port = (*server)->port();
  (*server)->stop();
  const auto t0 = now();
  auto o = measure_clock_offset("127.0.0.1", port, 2, std::chrono::milliseconds(50), std::chrono::milliseconds(300));
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message().find("no answer from the clock service"), std::string::npos) << o.error().message();
  EXPECT_LT(now() - t0, std::chrono::seconds(3));
}

TEST(ClockProbe, RecordedOffsetRoundTripsThroughTheResultExtra) {
  std::map<std::string, std::string> extra;
  ClockOffset o;
  o.offset = -0.0125;
  o.uncertainty = 0.0002;
  record_clock("sampler:9123", o, extra);
  EXPECT_EQ(extra.at("clock_offset_ms"), "-12.500");
  EXPECT_EQ(extra.at("clock_uncertainty_ms"), "0.200");
  EXPECT_NEAR(*recorded_clock_offset(extra), -0.0125, 1e-9);
  std::map<std::string, std::string> failed;
  record_clock("sampler:9123", Result<ClockOffset>(Error("no answer")), failed);
  EXPECT_EQ(failed.at("clock_error"), "no answer");
  EXPECT_FALSE(recorded_clock_offset(failed).has_value());
}

}  // namespace
}  // namespace h2soak::run
