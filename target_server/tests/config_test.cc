#include "target_server/config.h"

#include <time.h>

#include <gtest/gtest.h>

#include "target_server/handlers/pages.h"

namespace h2soak::server {
namespace {

TEST(ConfigTest, DurationsAcceptUnitsAndPlainSeconds) {
  EXPECT_EQ(parse_duration("30s"), Millis(30'000));
  EXPECT_EQ(parse_duration("500ms"), Millis(500));
  EXPECT_EQ(parse_duration("2"), Millis(2'000));
  EXPECT_EQ(parse_duration("1.5"), Millis(1'500));
  EXPECT_EQ(parse_duration("2m"), Millis(120'000));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("fast"));
  EXPECT_FALSE(parse_duration("10 parsecs"));
  EXPECT_FALSE(parse_duration("-1s"));
}

TEST(ConfigTest, PageCostDurationsKeepMicroseconds) {
  EXPECT_EQ(parse_duration_us("2ms"), std::chrono::microseconds(2'000));
  EXPECT_EQ(parse_duration_us("0.5ms"), std::chrono::microseconds(500));
  EXPECT_EQ(parse_duration_us("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(parse_duration_us("0"), std::chrono::microseconds(0));
  EXPECT_FALSE(parse_duration_us("slow"));
}

// --page-cost burns the thread's CPU time, at least the cost and not wildly more.
TEST(ConfigTest, PageCostSpinsThatMuchThreadCpu) {
  auto cpu_us = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1'000'000LL + ts.tv_nsec / 1'000;
  };
  const long long before = cpu_us();
  spin_page_cost(std::chrono::microseconds(3'000));
  const long long spent = cpu_us() - before;
  EXPECT_GE(spent, 3'000);
  EXPECT_LT(spent, 30'000);
  const long long again = cpu_us();
  spin_page_cost(std::chrono::microseconds(0));
  EXPECT_LT(cpu_us() - again, 1'000);
}

TEST(ConfigTest, SizesAcceptBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("64KiB"), 64u << 10);
  EXPECT_EQ(parse_size("10MB"), 10'000'000u);
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_FALSE(parse_size("lots"));
  EXPECT_FALSE(parse_size("1XB"));
}

}  // namespace
}  // namespace h2soak::server
