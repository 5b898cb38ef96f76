#include "harness/run/route_check.h"

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

result::WorkloadResult workload(const std::string& kind, std::uint64_t ok, std::uint64_t client_errors,
                                const std::string& phase = "steady") {
  result::WorkloadResult w;
  w.name = kind + "_w";
  w.kind = kind;
  w.params["path"] = "/events";
  w.params["pages"] = "/page/1,/page/2";
  result::PhaseMetrics p;
  p.phase = phase;
  auto& c = p.metrics.counters;
  c.requests_succeeded = ok;
  c.requests_failed = client_errors;
  c.requests_done = ok + client_errors;
  c.status_class[1] = ok;
  c.status_class[3] = client_errors;
  w.phases.push_back(p);
  return w;
}

result::RunResult run_of(std::vector<result::WorkloadResult> ws) {
  result::RunResult r;
  r.metadata.scenario_name = "s";
  r.workloads = std::move(ws);
  return r;
}

TEST(RouteCheck, AllFourxxFailsAndNamesTheScenarioKey) {
  auto checks = check_routes(run_of({workload("sse", 0, 40)}), {"warmup", "steady"});
  ASSERT_EQ(checks.failed.size(), 1u);
  const auto& v = checks.failed[0];
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.scenario, "s");
  EXPECT_NE(v.detail.find("every one of its 40"), std::string::npos) << v.detail;
  EXPECT_NE(v.detail.find("`path` (now /events)"), std::string::npos) << v.detail;
  EXPECT_TRUE(checks.notes.empty());
}

TEST(RouteCheck, TabsNameTheirPageList) {
  auto checks = check_routes(run_of({workload("tabs", 0, 5)}), {"steady"});
  ASSERT_EQ(checks.failed.size(), 1u);
  EXPECT_NE(checks.failed[0].detail.find("`pages`"), std::string::npos) << checks.failed[0].detail;
}

TEST(RouteCheck, SomeFourxxAmongSuccessesIsANoteOnly) {
  auto checks = check_routes(run_of({workload("upload", 90, 10)}), {"steady"});
  EXPECT_TRUE(checks.failed.empty());
  ASSERT_EQ(checks.notes.size(), 1u);
  EXPECT_NE(checks.notes[0].find("10 of 100"), std::string::npos) << checks.notes[0];
}

TEST(RouteCheck, CleanWorkloadsAndUnloadedPhasesAreIgnored) {
  EXPECT_TRUE(check_routes(run_of({workload("sse", 50, 0)}), {"steady"}).failed.empty());
  // 4xx only in a phase without load (not listed) do not count.
  auto checks = check_routes(run_of({workload("sse", 0, 7, "cooldown")}), {"warmup", "steady"});
  EXPECT_TRUE(checks.failed.empty());
  EXPECT_TRUE(checks.notes.empty());
}

}  // namespace
}  // namespace h2soak::run
