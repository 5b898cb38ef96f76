#include "harness/util/units.h"

#include <gtest/gtest.h>

namespace h2soak::units {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Units, Durations) {
  EXPECT_EQ(*parse_duration("30s"), seconds(30));
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*parse_duration("250us"), Micros(250));
  EXPECT_EQ(*parse_duration("2m"), seconds(120));
  EXPECT_EQ(*parse_duration("1h"), seconds(3600));
  EXPECT_EQ(*parse_duration("10"), seconds(10));
  EXPECT_EQ(*parse_duration(" 3s "), seconds(3));
}

TEST(Units, DurationErrorsSayWhatWasExpected) {
  auto r = parse_duration("fast");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("duration"), std::string::npos);
  EXPECT_FALSE(parse_duration("10parsecs").ok());
  EXPECT_FALSE(parse_duration("-5s").ok());
  EXPECT_FALSE(parse_duration("").ok());
}

TEST(Units, Sizes) {
  EXPECT_EQ(*parse_size("64KiB"), 65536u);
  EXPECT_EQ(*parse_size("4MiB"), 4u * 1024 * 1024);
  EXPECT_EQ(*parse_size("1GiB"), 1024ull * 1024 * 1024);
  EXPECT_EQ(*parse_size("2KB"), 2000u);
  EXPECT_EQ(*parse_size("512B"), 512u);
  EXPECT_EQ(*parse_size("100"), 100u);
  EXPECT_FALSE(parse_size("12 parsecs").ok());
}

TEST(Units, Rates) {
  EXPECT_DOUBLE_EQ(*parse_rate("500/s"), 500.0);
  EXPECT_DOUBLE_EQ(*parse_rate("30/m"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_rate("2/ms"), 2000.0);
  EXPECT_DOUBLE_EQ(*parse_rate("200"), 200.0);
  EXPECT_FALSE(parse_rate("200/fortnight").ok());
  EXPECT_FALSE(parse_rate("fast/s").ok());
}

TEST(Units, Ranges) {
  auto d = parse_duration_range("500ms..2s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->min, milliseconds(500));
  EXPECT_EQ(d->max, seconds(2));
  auto s = parse_size_range("64KiB..4MiB");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->min, 65536u);
  EXPECT_EQ(s->max, 4u * 1024 * 1024);
  auto single = parse_size_range("1KiB");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->min, single->max);
  EXPECT_FALSE(parse_duration_range("2s..500ms").ok());
  EXPECT_FALSE(parse_size_range("1KiB..lots").ok());
}

TEST(Units, FormatRoundTrips) {
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(seconds(120)), "2m");
  EXPECT_EQ(format_size(65536), "64KiB");
  EXPECT_EQ(format_size(4u * 1024 * 1024), "4MiB");
  EXPECT_EQ(format_size(100), "100B");
  for (auto text : {"1.5s", "250ms", "2m", "75us"}) {
    EXPECT_EQ(format_duration(*parse_duration(text)), text);
  }
}

}  // namespace
}  // namespace h2soak::units
