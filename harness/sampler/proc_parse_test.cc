#include "harness/sampler/proc_parse.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace h2soak::sampler {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(H2SOAK_SOURCE_DIR) + "/harness/sampler/testdata/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParseStatus, RealProcess) {
  auto s = parse_status(fixture("busy_threads.status"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(s->has_memory);
  EXPECT_EQ(s->rss, 60812u * 1024);
  EXPECT_EQ(s->hwm, 60812u * 1024);
  EXPECT_EQ(s->rss_anon, 54948u * 1024);
  EXPECT_EQ(s->threads, 2u);
  EXPECT_EQ(s->state, 'R');
}

TEST(ParseStatus, NameWithColonsAndParensDoesNotConfuse) {
  auto s = parse_status(fixture("weird_comm.status"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rss, 1828u * 1024);
  EXPECT_EQ(s->rss_anon, 108u * 1024);
  EXPECT_EQ(s->threads, 1u);
}

TEST(ParseStatus, ZombieAndKernelThreadHaveNoMemory) {
  auto z = parse_status(fixture("zombie.status"));
  ASSERT_TRUE(z.ok());
  EXPECT_FALSE(z->has_memory);
  EXPECT_EQ(z->state, 'Z');
  auto k = parse_status(fixture("kthread.status"));
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(k->has_memory);
}

TEST(ParseStatus, Garbage) {
  EXPECT_FALSE(parse_status("hello\nworld\n").ok());
  EXPECT_FALSE(parse_status("").ok());
  EXPECT_FALSE(parse_status("VmRSS:\tlots kB\nThreads:\t1\n").ok());
}

TEST(ParseStat, RealProcessTicksToSeconds) {
  auto s = parse_stat(fixture("busy_threads.stat"), 100);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->comm, "python3");
  EXPECT_EQ(s->utime_ticks, 136u);
  EXPECT_EQ(s->stime_ticks, 16u);
  EXPECT_DOUBLE_EQ(s->utime, 1.36);
  EXPECT_DOUBLE_EQ(s->stime, 0.16);
  EXPECT_EQ(s->num_threads, 4u);
}

TEST(ParseStat, CommWithSpacesAndParentheses) {
  auto s = parse_stat(fixture("weird_comm.stat"), 100);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->comm, "we) (ird x");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->num_threads, 1u);
  auto z = parse_stat(fixture("zombie.stat"), 100);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->state, 'Z');
  auto k = parse_stat(fixture("kthread.stat"), 250);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->comm, "kthreadd");
}

TEST(ParseStat, Truncated) {
  EXPECT_FALSE(parse_stat("123 (x) S 1 2 3", 100).ok());
  EXPECT_FALSE(parse_stat("123 x S", 100).ok());
  EXPECT_FALSE(parse_stat("", 100).ok());
}

TEST(ParseSmapsRollup, Pss) {
  auto p = parse_smaps_rollup_pss(fixture("weird_comm.smaps_rollup"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, 300u * 1024);
  auto b = parse_smaps_rollup_pss(fixture("busy_threads.smaps_rollup"));
  ASSERT_TRUE(b.ok());
  EXPECT_GT(*b, 50u * 1024 * 1024);
  EXPECT_FALSE(parse_smaps_rollup_pss("Rss: 10 kB\n").ok());
}

}  // namespace
}  // namespace h2soak::sampler
