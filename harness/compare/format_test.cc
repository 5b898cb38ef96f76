#include "harness/compare/format.h"

#include <gtest/gtest.h>

namespace h2soak::compare {
namespace {

TEST(FormatValue, BytesDurationsCountsAndOthers) {
  EXPECT_EQ(format_value(100.0 * 1024 * 1024, "bytes"), "100.0 MiB");
  EXPECT_EQ(format_value(-1536, "bytes"), "-1.5 KiB");
  EXPECT_EQ(format_value(512, "bytes"), "512 B");
  EXPECT_EQ(format_value(16384, "bytes/s"), "16.0 KiB/s");
  EXPECT_EQ(format_value(21000, "us"), "21 ms");
  EXPECT_EQ(format_value(21500, "us"), "21.5 ms");
  EXPECT_EQ(format_value(850, "us"), "850 us");
  EXPECT_EQ(format_value(1.5, "s"), "1.5 s");
  EXPECT_EQ(format_value(250, "ms"), "250 ms");
  EXPECT_EQ(format_value(7, "count"), "7");
  EXPECT_EQ(format_value(1234.6, "req/s"), "1235 req/s");
  EXPECT_EQ(format_value(0.05, "count/s"), "0.05 count/s");
  EXPECT_EQ(format_percent(12.345), "+12.3%");
  EXPECT_EQ(format_percent(-4), "-4.0%");
}

}  // namespace
}  // namespace h2soak::compare
