#include "harness/run/start_barrier.h"

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

constexpr double kNow = 1'718'000'000.25;

TEST(ParseStartAt, AbsoluteSecondsSinceTheEpoch) {
  auto at = parse_start_at("1718000010", kNow);
  ASSERT_TRUE(at.ok()) << at.error().message();
  EXPECT_DOUBLE_EQ(*at, 1718000010.0);
  at = parse_start_at("1718000002.750", kNow);
  ASSERT_TRUE(at.ok()) << at.error().message();
  EXPECT_DOUBLE_EQ(*at, 1718000002.75);
}

TEST(ParseStartAt, PlusSecondsIsRelativeToNow) {
  auto at = parse_start_at("+5", kNow);
  ASSERT_TRUE(at.ok()) << at.error().message();
  EXPECT_DOUBLE_EQ(*at, kNow + 5);
  at = parse_start_at("+0.5", kNow);
  ASSERT_TRUE(at.ok());
  EXPECT_DOUBLE_EQ(*at, kNow + 0.5);
  at = parse_start_at("+0", kNow);
  ASSERT_TRUE(at.ok());
  EXPECT_DOUBLE_EQ(*at, kNow);
}

TEST(ParseStartAt, UpToOneSecondInThePastStillStarts) {
  EXPECT_TRUE(parse_start_at("1718000000", kNow).ok());     // 0.25 s ago
  EXPECT_TRUE(parse_start_at("1717999999.3", kNow).ok());   // 0.95 s ago
  auto late = parse_start_at("1717999999", kNow);           // 1.25 s ago
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("--start-at: 1717999999.000 is 1."), std::string::npos)
      << late.error().message();
  EXPECT_NE(late.error().message().find("s in the past"), std::string::npos) << late.error().message();
}

TEST(ParseStartAt, MoreThanAnHourAheadIsRefused) {
  EXPECT_TRUE(parse_start_at("+3600", kNow).ok());
  auto far = parse_start_at("+3601", kNow);
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.error().message().find("in the future"), std::string::npos) << far.error().message();
  // Milliseconds by mistake: far in the future.
  auto ms = parse_start_at("1718000000000", kNow);
  ASSERT_FALSE(ms.ok());
  EXPECT_NE(ms.error().message().find("not milliseconds?"), std::string::npos) << ms.error().message();
}

TEST(ParseStartAt, MalformedValuesAreRefused) {
  for (const char* bad : {"", "+", "now", "-5", "+-5", "1e9", "12:00", "1718000000 ", " +5", "1.2.3", "+5s", "nan",
                          "inf"}) {
    auto at = parse_start_at(bad, kNow);
    ASSERT_FALSE(at.ok()) << "accepted \"" << bad << "\"";
    EXPECT_NE(at.error().message().find("--start-at: expected UNIX_SECONDS"), std::string::npos)
        << at.error().message();
  }
}

TEST(SamplerLead, SixIntervalsAndAMarginButAtLeast300ms) {
  EXPECT_EQ(sampler_lead(std::chrono::milliseconds(100)), std::chrono::milliseconds(620));
  EXPECT_EQ(sampler_lead(std::chrono::milliseconds(10)), std::chrono::milliseconds(300));
  EXPECT_EQ(sampler_lead(std::chrono::seconds(1)), std::chrono::milliseconds(6020));
}

TEST(TimeZero, WithoutABarrierTheSamplersLeadFromNow) {
  const TimePoint t{std::chrono::seconds(100)};
  EXPECT_EQ(time_zero(t, kNow, std::nullopt, std::chrono::milliseconds(620), std::chrono::milliseconds(100)),
            t + std::chrono::milliseconds(620));
}

TEST(TimeZero, TheBarrierMappedOntoTheSteadyClock) {
  const TimePoint t{std::chrono::seconds(100)};
  const TimePoint zero =
      time_zero(t, kNow, kNow + 2.5, std::chrono::milliseconds(620), std::chrono::milliseconds(100));
  EXPECT_NEAR(seconds_between(t, zero), 2.5, 1e-6);
}

TEST(TimeZero, ABarrierTooCloseOrPassedStartsAfterTheMinimumLead) {
  const TimePoint t{std::chrono::seconds(100)};
  const Nanos lead = std::chrono::milliseconds(620), min_lead = std::chrono::milliseconds(100);
  EXPECT_EQ(time_zero(t, kNow, kNow - 0.5, lead, min_lead), t + min_lead);
  EXPECT_EQ(time_zero(t, kNow, kNow + 0.01, lead, min_lead), t + min_lead);
  // Closer than the full lead but beyond the minimum: the barrier holds (the
  // sampler just gets less time before it).
  EXPECT_NEAR(seconds_between(t, time_zero(t, kNow, kNow + 0.3, lead, min_lead)), 0.3, 1e-6);
}

TEST(WaitUntil, ReturnsAtTheDeadlineOrWhenTold) {
  const TimePoint start = now();
  EXPECT_TRUE(wait_until(start + std::chrono::milliseconds(30), nullptr, {}));
  EXPECT_GE(now(), start + std::chrono::milliseconds(30));

  std::atomic<bool> stop{true};
  const TimePoint far = now() + std::chrono::seconds(60);
  EXPECT_FALSE(wait_until(far, &stop, {}));
  EXPECT_FALSE(wait_until(far, nullptr, [] { return false; }));  // the target died
  EXPECT_LT(now(), start + std::chrono::seconds(5));
}

TEST(RecordStartAt, PlannedStartAndLagInMilliseconds) {
  std::map<std::string, std::string> extra;
  record_start_at(std::nullopt, kNow, extra);
  EXPECT_TRUE(extra.empty());
  record_start_at(1718000002.0, 1718000002.0125, extra);
  EXPECT_EQ(extra.at("start_at"), "1718000002.000");
  EXPECT_EQ(extra.at("start_lag_ms"), "12.5");
}

}  // namespace
}  // namespace h2soak::run
