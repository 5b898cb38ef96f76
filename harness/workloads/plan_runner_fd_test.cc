// run_plan refuses, before any connection, a plan that needs more file
// descriptors than the process may ever have. The hard limit cannot be raised
// again once lowered, so it is lowered in a child (a gtest death test).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "harness/scenario/loader.h"
#include "harness/workloads/plan_runner.h"

namespace h2soak::workloads {
namespace {

// 1,000 connections (10,000 SSE streams, 10 a connection) and 2 idle ones.
constexpr const char* kScenario = R"(name: fd_budget
target:
  url: "http://127.0.0.1:{port}"
phases:
  warmup: 1s
  steady: 1s
  cooldown: 1s
workloads:
  - name: feeds
    kind: sse
    streams: 10000
    streams_per_connection: 10
  - name: parked
    kind: idle
    connections: 2
)";

scenario::Plan plan() {
  auto sc = scenario::load_scenario_text(kScenario, "fd_budget.yaml");
  EXPECT_TRUE(sc.ok()) << (sc.ok() ? "" : sc.error().message());
  auto p = scenario::make_plan(*sc);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message());
  return *p;
}

// Exits 0 with run_plan's error on stderr when it refused the plan, 1 when it
// ran it (3 s against a port that refuses).
void run_with_hard_limit(rlim_t hard) {
  rlimit lim{hard, hard};
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) std::exit(2);
  PlanRunOptions opts;
  opts.threads = 1;
  opts.base_url = "http://127.0.0.1:1";  // never reached when the check works
  const PlanRunOutcome out = run_plan(plan(), opts);
  std::fprintf(stderr, "%s\n", out.error.c_str());
  std::exit(out.error.empty() ? 1 : 0);
}

TEST(PlanRunnerFdBudget, APlanBeyondTheHardLimitFailsUpFrontNamingWorkloadNeedAndLimit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // 1,002 connections + fd_overhead(1) = 1,074 descriptors; the child may have 256.
  EXPECT_EXIT(run_with_hard_limit(256), testing::ExitedWithCode(0),
              "the plan \\(up to 1002 connections at once; workload feeds: 1000, workload parked: 2\\) "
              "needs about 1074 file descriptors, but this process may open 256 \\(the hard limit");
}

}  // namespace
}  // namespace h2soak::workloads
