#include "harness/util/fd_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>

namespace h2soak {
namespace {

TEST(FdLimit, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  lowered.rlim_cur = std::min<rlim_t>(before.rlim_max, 256);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const FdLimit l = raise_fd_limit();
  EXPECT_EQ(l.soft, static_cast<std::uint64_t>(before.rlim_max));
  EXPECT_EQ(l.hard, static_cast<std::uint64_t>(before.rlim_max));
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, before.rlim_max);
}

// The service under test must not inherit h2soak's raised limit.
TEST(FdLimit, ChildrenGetTheLimitTheProcessStartedWith) {
  rlimit start{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &start), 0);
  if (start.rlim_cur == start.rlim_max) {  // make the raise visible
    rlimit lowered = start;
    lowered.rlim_cur = std::min<rlim_t>(start.rlim_max, 512);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  raise_fd_limit();
  rlimit now{};
  {
    ChildFdLimit child;
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
    // The first raise of this test binary may have been in another test; the
    // limit remembered is the one before it, which is never above original.
    EXPECT_LE(now.rlim_cur, original.rlim_cur);
  }
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, now.rlim_max);
}

TEST(FdLimit, APlanBeyondTheLimitIsAClearError) {
  const FdLimit limit{1024, 4096};
  EXPECT_TRUE(check_fd_budget(1024, "-c 900", limit).ok());
  auto st = check_fd_budget(200064, "-c 200000", limit);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("-c 200000 needs about 200064 file descriptors"), std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find("may open 1024"), std::string::npos);
  EXPECT_NE(st.error().message().find("hard limit is 4096"), std::string::npos);
  EXPECT_NE(check_fd_budget(5000, "x", FdLimit{4096, 4096}).error().message().find("ulimit -Hn"), std::string::npos);
}

}  // namespace
}  // namespace h2soak
