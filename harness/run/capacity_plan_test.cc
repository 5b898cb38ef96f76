#include "harness/run/capacity_plan.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

// Port 9 (discard) on loopback: resolves, nothing connects.
CapacityOptions options(BenchSpelling spelling = BenchSpelling::kFlags) {
  CapacityOptions o;
  o.bench.urls = {"http://127.0.0.1:9/page/1"};
  o.bench.clients = 4;
  o.bench.max_streams = 16;
  o.bench.spelling = spelling;
  if (spelling == BenchSpelling::kKeywords) o.bench.keywords = {"urls", "clients", "max_streams"};
  return o;
}

std::string error_of(const CapacityOptions& o) {
  auto plan = make_capacity_plan(o);
  return plan ? "(accepted)" : plan.error().message();
}

TEST(MakeCapacityPlan, DefaultsMakeOneStageOfBench) {
  auto plan = make_capacity_plan(options());
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->search.start_rate, 100);
  EXPECT_EQ(plan->search.max_rate, 100'000);
  EXPECT_EQ(plan->objectives.list.size(), 2u);  // default_objectives()
  EXPECT_EQ(plan->stage, std::chrono::seconds(5));
  EXPECT_EQ(plan->warmup, std::chrono::seconds(1));
  EXPECT_EQ(plan->bench.duration, "5s");
  EXPECT_EQ(plan->bench.warmup, "1s");
  EXPECT_EQ(plan->plan.clients, 4u);
  EXPECT_EQ(plan->plan.max_streams, 16u);
  EXPECT_EQ(plan->plan.requests, 0u);  // timed
  EXPECT_EQ(plan->target_pid, 0);
  EXPECT_EQ(plan->target_mode, "none");
  EXPECT_EQ(plan->params.at("protocol"), "h2");
  EXPECT_EQ(plan->params.at("stage"), "5s");
}

// The same mistakes, spelt as each front end names the option.
TEST(MakeCapacityPlan, NamesTheOptionAsTheFrontEndSpellsIt) {
  struct Case {
    void (*apply)(CapacityOptions&);
    const char* flags;
    const char* keywords;
  };
  const Case cases[] = {
      {[](CapacityOptions& o) { o.growth = 1; }, "--growth must be greater than 1", "growth: must be greater than 1"},
      {[](CapacityOptions& o) { o.refine = 21; }, "--refine must be within 0..20", "refine: must be within 0..20"},
      {[](CapacityOptions& o) { o.stage = "100ms"; }, "--stage must be at least 500ms",
       "stage: must be at least 500ms"},
      {[](CapacityOptions& o) { o.max_rate = "10/s"; }, "--max-rate (10/s) must be at least --start-rate (100/s)",
       "max_rate: must be at least start_rate, got 10/s and 100/s"},
      {[](CapacityOptions& o) { o.target_pid = 0; }, "--target-pid must be a process id",
       "target_pid: must be a process id"},
      {[](CapacityOptions& o) { o.bench.clients = 0; }, "-c must be at least 1", "clients: must be at least 1"},
      {[](CapacityOptions& o) { o.bench.max_streams = 0; }, "-m must be at least 1", "max_streams: must be at least 1"},
      {[](CapacityOptions& o) { o.bench.urls.clear(); }, "give at least one URL", "urls: give at least one URL"},
  };
  for (const Case& c : cases) {
    auto flags = options();
    c.apply(flags);
    EXPECT_EQ(error_of(flags), c.flags);
    auto keywords = options(BenchSpelling::kKeywords);
    c.apply(keywords);
    EXPECT_EQ(error_of(keywords), c.keywords);
  }
  auto o = options();
  o.start_rate = "fast";
  EXPECT_EQ(error_of(o).rfind("--start-rate: ", 0), 0u) << error_of(o);
  o = options(BenchSpelling::kKeywords);
  o.warmup = "1 fortnight";
  EXPECT_EQ(error_of(o).rfind("warm_up: ", 0), 0u) << error_of(o);
  o = options();
  o.objectives = {"p99 < 250"};
  EXPECT_EQ(error_of(o).rfind("--objective \"p99 < 250\": ", 0), 0u) << error_of(o);
  o = options(BenchSpelling::kKeywords);
  o.objectives = {"p99 < 250"};
  EXPECT_EQ(error_of(o).rfind("objectives: \"p99 < 250\": ", 0), 0u) << error_of(o);
}

TEST(MakeCapacityPlan, ReadsThePidFile) {
  const std::string file = ::testing::TempDir() + "capacity_plan_test." + std::to_string(::getpid()) + ".pid";
  std::ofstream(file) << "4242\n";
  auto o = options();
  o.target_pidfile = file;
  auto plan = make_capacity_plan(o);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->target_pid, 4242);
  EXPECT_EQ(plan->target_mode, "pidfile");
  std::ofstream(file) << "twelve\n";
  EXPECT_NE(error_of(o).find("not a pid"), std::string::npos) << error_of(o);
  std::remove(file.c_str());
  o.target_pid = 1;
  EXPECT_EQ(error_of(o), "give --target-pid or --target-pidfile, not both");
}

}  // namespace
}  // namespace h2soak::run
