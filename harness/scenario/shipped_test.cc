// Every scenario and suite shipped in scenarios/ loads and validates, and
// the test variants stay short enough for CI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// A fixed list, not a directory scan: adding a file means adding it here.
const char* const kScenarios[] = {
    "many_tabs.yaml",       "sse_long_poll.yaml",  "uploads.yaml", "short_connections.yaml",
    "idle_connections.yaml", "mixed.yaml",
    "test/many_tabs.yaml",  "test/sse_long_poll.yaml", "test/uploads.yaml", "test/short_connections.yaml",
    "test/idle_connections.yaml", "test/mixed.yaml", "test/bench.yaml", "test/tls_resume.yaml",
};
const char* const kSuites[] = {"nightly.yaml", "test/suite.yaml"};

std::string shipped(const std::string& name) { return std::string(H2SOAK_SOURCE_DIR) + "/scenarios/" + name; }

// The shipped files must load whatever the CI environment sets.
EnvLookup no_env() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

TEST(Shipped, EveryScenarioLoadsValidatesAndPlans) {
  for (const char* name : kScenarios) {
    SCOPED_TRACE(name);
    auto s = load_scenario(shipped(name), no_env());
    ASSERT_TRUE(s.ok()) << s.error().message();
    auto plan = make_plan(*s);
    ASSERT_TRUE(plan.ok()) << plan.error().message();
    EXPECT_TRUE(std::holds_alternative<SpawnReference>(s->target.process)) << "shipped scenarios default to the reference server";
    if (std::string(name).rfind("test/", 0) == 0) {
      EXPECT_LE(plan->total_duration, seconds(10)) << "test scenarios run in at most 10 s";
    }
  }
}

// The scenario of the Kubernetes example (ci/k8s/, put into a ConfigMap):
// loads, and loads the Service that target.yaml.in puts before the server.
TEST(Shipped, KubernetesExampleLoadsAndPointsAtItsService) {
  const std::string file = std::string(H2SOAK_SOURCE_DIR) + "/ci/k8s/scenario.yaml";
  auto s = load_scenario(file, no_env());
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(make_plan(*s).ok());
  EXPECT_EQ(s->target.url, "https://h2soak-target:8443");
  EXPECT_TRUE(s->target.insecure);
}

TEST(Shipped, MixedRunsEveryKindButBench) {
  auto s = load_scenario(shipped("mixed.yaml"), no_env());
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::set<WorkloadKind> kinds;
  for (const auto& w : s->workloads) kinds.insert(w.kind());
  EXPECT_EQ(kinds, (std::set<WorkloadKind>{WorkloadKind::kTabs, WorkloadKind::kSse, WorkloadKind::kUpload,
                                           WorkloadKind::kShortConnections, WorkloadKind::kIdle}));
}

TEST(Shipped, SuitesLoadAndNightlyFitsTenMinutes) {
  for (const char* name : kSuites) {
    SCOPED_TRACE(name);
    auto suite = load_suite(shipped(name), no_env());
    ASSERT_TRUE(suite.ok()) << suite.error().message();
    EXPECT_FALSE(suite->scenarios.empty());
    for (const auto& s : suite->scenarios) EXPECT_TRUE(make_plan(s).ok()) << s.name;
  }
  auto nightly = load_suite(shipped("nightly.yaml"), no_env());
  ASSERT_TRUE(nightly.ok());
  EXPECT_LE(nightly->total_duration(), minutes(10));
  auto test_suite = load_suite(shipped("test/suite.yaml"), no_env());
  ASSERT_TRUE(test_suite.ok());
  for (const auto& s : test_suite->scenarios) EXPECT_LE(s.total_duration(), seconds(10)) << s.name;
}

TEST(Shipped, TargetUrlCanBePointedElsewhere) {
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "H2SOAK_TARGET_URL") return "http://127.0.0.1:18080";
    if (name == "H2SOAK_TARGET_SPAWN") return "./other-server --port 18080";
    return std::nullopt;
  };
  auto s = load_scenario(shipped("many_tabs.yaml"), env);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->target.url, "http://127.0.0.1:18080");
  ASSERT_TRUE(std::holds_alternative<SpawnCommand>(s->target.process));
  EXPECT_EQ(std::get<SpawnCommand>(s->target.process).argv.front(), "./other-server");
}

// Every ```yaml example in scenarios/README.md loads: whole scenarios and
// suites as they are, fragments (a workload, a section) inside a minimal
// scenario. Keeps the documentation honest.
TEST(Shipped, EveryReadmeExampleLoads) {
  std::ifstream in(shipped("README.md"));
  ASSERT_TRUE(in) << "scenarios/README.md";
  std::vector<std::string> blocks;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  ASSERT_GE(blocks.size(), 10u);
  const std::string phases = "phases: {warmup: 1s, steady: 5s, cooldown: 1s}\n";
  const std::string workloads = "workloads: [{kind: tabs}]\n";
  for (const auto& b : blocks) {
    SCOPED_TRACE(b);
    std::string text;
    if (b.rfind("name:", 0) == 0 || b.rfind("suite:", 0) == 0) {
      text = b;
    } else if (b.rfind("- kind:", 0) == 0) {
      std::string indented;
      std::istringstream lines(b);
      while (std::getline(lines, line)) indented += "  " + line + "\n";
      text = phases + "workloads:\n" + indented;
    } else if (b.rfind("phases:", 0) == 0) {
      text = b + workloads;
    } else {
      text = phases + workloads + b;
    }
    auto r = load_text(text, "README.md", no_env(), std::string(H2SOAK_SOURCE_DIR) + "/scenarios");
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
}

}  // namespace
}  // namespace h2soak::scenario
