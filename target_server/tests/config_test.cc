#include "target_server/config.h"

#include <gtest/gtest.h>

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
