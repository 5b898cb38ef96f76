#include "harness/scenario/loader.h"
#include "harness/scenario/scenario_test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace h2soak::scenario {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using namespace test_support;  // NOLINT(build/namespaces): env_of, from_text, error_of, kPhases, with_workload

TEST(ScenarioLoader, MinimalScenarioGetsEveryDefault) {
  auto r = from_text(with_workload("  - kind: tabs\n"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Scenario& s = *r;
  EXPECT_EQ(s.name, "s");
  EXPECT_TRUE(std::holds_alternative<SpawnReference>(s.target.process));
  EXPECT_EQ(std::get<SpawnReference>(s.target.process).args, (std::vector<std::string>{"--port", "0"}));
  EXPECT_EQ(s.target.url, "https://127.0.0.1:{port}");
  EXPECT_TRUE(s.target.insecure);
  EXPECT_EQ(s.target.ready_timeout, seconds(10));
  EXPECT_EQ(s.sample.interval, milliseconds(100));
  ASSERT_EQ(s.phases.size(), 3u);
  EXPECT_EQ(s.phases[0].name, "warmup");
  EXPECT_TRUE(s.phases[0].load);
  EXPECT_EQ(s.phases[1].duration, seconds(5));
  EXPECT_FALSE(s.phases[2].load);
  ASSERT_EQ(s.workloads.size(), 1u);
  EXPECT_EQ(s.workloads[0].name, "tabs");
  EXPECT_EQ(s.workloads[0].kind(), WorkloadKind::kTabs);
  const auto& t = std::get<TabsWorkload>(s.workloads[0].params);
  EXPECT_EQ(t, TabsWorkload{});
  EXPECT_EQ(t.pages.size(), 20u);
  EXPECT_EQ(t.pages.front(), "/page/1");
  EXPECT_EQ(t.think.min, milliseconds(500));
  EXPECT_EQ(t.think.max, seconds(2));
  EXPECT_EQ(s.regression.rules, default_regression_rules());
  EXPECT_TRUE(s.thresholds.empty());
}

TEST(ScenarioLoader, EveryKindDecodesItsTypedFields) {
  auto r = from_text(kPhases + R"(name: all-kinds
target:
  url: "http://127.0.0.1:8080"
  spawn: "./my-server --listen 8080 'two words'"
  ready: {url: /healthz, timeout: 3s}
  stop_grace: 2s
sample:
  interval: 50ms
  pss_interval: 500ms
  metrics_url: /metrics
  gauges: [go_goroutines, go_memstats_heap_inuse_bytes]
workloads:
  - kind: tabs
    users: 3
    tabs_per_user: 4
    connections_per_user: 2
    pages: 2..4
    assets: [/static/a.css, /static/b.js]
    sse: true
    think: 100ms..1s
    lifetime: 5s..10s
    session: true
  - kind: tabs
    pages: [/, /page/7]
    assets: none
  - kind: sse
    streams: 50
    streams_per_connection: 25
    hold: 1s..3s
    leave: mixed
  - kind: upload
    rate: 20/s
    max_in_flight: 8
    size: 1KiB..2MiB
    distribution: lognormal
    method: PUT
    verify: false
  - kind: short_connections
    rate: 30/s
    protocol: h1
    requests_per_connection: 3
    path: /page/1
  - kind: idle
    connections: 40
    hold: 20s
    no_tls_handshake: 25%
    no_request: 0.25
  - kind: bench
    name: raw
    clients: 4
    max_streams: 10
    requests: 1000
    rate: 500/s
    paths: /static/x
    body_size: 2KiB
    headers: ["x-test: 1"]
    h1: true
)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Scenario& s = *r;
  EXPECT_EQ(s.name, "all-kinds");
  const auto& cmd = std::get<SpawnCommand>(s.target.process);
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{"./my-server", "--listen", "8080", "two words"}));
  EXPECT_FALSE(s.target.insecure);
  EXPECT_EQ(s.target.ready_url, "/healthz");
  EXPECT_EQ(s.target.ready_timeout, seconds(3));
  EXPECT_EQ(s.target.stop_grace, seconds(2));
  EXPECT_EQ(s.sample.interval, milliseconds(50));
  EXPECT_EQ(s.sample.gauges.size(), 2u);
  ASSERT_EQ(s.workloads.size(), 7u);
  EXPECT_EQ(s.workloads[1].name, "tabs2");

  const auto& t = std::get<TabsWorkload>(s.workloads[0].params);
  EXPECT_EQ(t.users, 3u);
  EXPECT_EQ(t.pages, (std::vector<std::string>{"/page/2", "/page/3", "/page/4"}));
  EXPECT_EQ(t.assets, AssetMode::kList);
  EXPECT_EQ(t.asset_paths.size(), 2u);
  EXPECT_TRUE(t.sse);
  ASSERT_TRUE(t.lifetime.has_value());
  EXPECT_EQ(t.lifetime->max, seconds(10));
  EXPECT_TRUE(t.session);
  const auto& t2 = std::get<TabsWorkload>(s.workloads[1].params);
  EXPECT_EQ(t2.pages, (std::vector<std::string>{"/", "/page/7"}));
  EXPECT_EQ(t2.assets, AssetMode::kNone);

  const auto& sse = std::get<SseWorkload>(s.workloads[2].params);
  EXPECT_EQ(sse.streams, 50u);
  EXPECT_EQ(sse.leave, SseLeave::kMixed);
  EXPECT_EQ(sse.hold.min, seconds(1));

  const auto& up = std::get<UploadWorkload>(s.workloads[3].params);
  ASSERT_TRUE(up.rate.has_value());
  EXPECT_DOUBLE_EQ(*up.rate, 20.0);
  EXPECT_FALSE(up.concurrency.has_value());
  EXPECT_EQ(up.size.min, 1024u);
  EXPECT_EQ(up.size.max, 2u * 1024 * 1024);
  EXPECT_EQ(up.distribution, SizeDistribution::kLogNormal);
  EXPECT_EQ(up.method, "PUT");
  EXPECT_FALSE(up.verify);

  const auto& sc = std::get<ShortConnectionsWorkload>(s.workloads[4].params);
  EXPECT_EQ(sc.protocol, Protocol::kH1);
  EXPECT_EQ(sc.requests_per_connection, 3u);

  const auto& idle = std::get<IdleWorkload>(s.workloads[5].params);
  EXPECT_EQ(idle.hold, Nanos(seconds(20)));
  EXPECT_DOUBLE_EQ(idle.no_tls_handshake, 0.25);
  EXPECT_DOUBLE_EQ(idle.no_request, 0.25);

  const auto& b = std::get<BenchWorkload>(s.workloads[6].params);
  EXPECT_EQ(s.workloads[6].name, "raw");
  EXPECT_EQ(b.requests, std::optional<std::uint64_t>(1000));
  EXPECT_EQ(b.paths, (std::vector<std::string>{"/static/x"}));
  EXPECT_EQ(b.body_size, 2048u);
  EXPECT_TRUE(b.h1);
}

TEST(ScenarioLoader, UploadDefaultsToConcurrencyFour) {
  auto r = from_text(with_workload("  - kind: upload\n"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& up = std::get<UploadWorkload>(r->workloads[0].params);
  EXPECT_EQ(up.concurrency, std::optional<std::uint32_t>(4));
  EXPECT_EQ(up.connections, 4u);
  auto r2 = from_text(with_workload("  - kind: upload\n    concurrency: 2\n"));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(std::get<UploadWorkload>(r2->workloads[0].params).connections, 2u);
}

TEST(ScenarioLoader, ReferenceSpawnWithArgsKeepsThemAndAddsPort) {
  auto r = from_text(kPhases + "target:\n  spawn: h2soak-target --threads 4 --fault fd-leak\nworkloads:\n  - kind: tabs\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(std::get<SpawnReference>(r->target.process).args,
            (std::vector<std::string>{"--threads", "4", "--fault", "fd-leak", "--port", "0"}));
  EXPECT_TRUE(r->target.insecure);
}

TEST(ScenarioLoader, RemoteTargetKeepsItsUrlAndVerifiesItsCertificate) {
  auto r = from_text(kPhases + "target:\n  url: https://svc.example:8443\n  remote: true\nworkloads:\n  - kind: tabs\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(std::holds_alternative<Remote>(r->target.process));
  EXPECT_EQ(r->target.url, "https://svc.example:8443");
  EXPECT_FALSE(r->target.insecure) << "only the reference server's self-signed certificate is skipped by default";
}

TEST(ScenarioLoader, ExtraPhasesKeepTheirOrderAndLoadFlag) {
  auto r = from_text(R"(phases:
  idle_before: {duration: 2s, load: false}
  warmup: 1s
  steady: {duration: 5s}
  spike: {duration: 3s, load: true}
  cooldown: 0s
workloads:
  - kind: bench
)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->phases.size(), 5u);
  EXPECT_EQ(r->phases[0].name, "idle_before");
  EXPECT_FALSE(r->phases[0].load);
  EXPECT_EQ(r->phases[3].name, "spike");
  EXPECT_TRUE(r->phases[3].load);
  EXPECT_EQ(r->phases[4].duration, Nanos(0));
  EXPECT_EQ(r->total_duration(), seconds(11));
}

TEST(ScenarioLoader, ThresholdsAndRegressionRules) {
  auto r = from_text(with_workload("  - kind: tabs\n") + R"(thresholds:
  - errors == 0
  - latency.p99 < 250ms
  - rss.slope < 10KiB/s
  - tabs.ttfb.p50 <= 20ms
regression:
  rules:
    latency.p99: {tolerance: 50%, floor: 10ms}
    gauge.go_goroutines.slope: {direction: lower, tolerance: 0.05, floor: 1/s}
)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->thresholds.size(), 4u);
  EXPECT_EQ(r->thresholds[1].metric, "latency.p99");
  EXPECT_EQ(r->thresholds[1].op, CompareOp::kLt);
  EXPECT_DOUBLE_EQ(r->thresholds[1].value.value, 0.25);
  EXPECT_EQ(r->thresholds[1].value.unit, Unit::kDuration);
  EXPECT_EQ(r->thresholds[1].pos.str(), "s.yaml:9:5");
  EXPECT_DOUBLE_EQ(r->thresholds[2].value.value, 10 * 1024.0);
  EXPECT_EQ(r->thresholds[2].value.unit, Unit::kSizeRate);
  EXPECT_EQ(r->thresholds[3].metric, "tabs.ttfb.p50");

  const auto& rules = r->regression.rules;
  EXPECT_EQ(rules.size(), default_regression_rules().size() + 1);
  auto find = [&](const std::string& m) {
    for (const auto& x : rules) {
      if (x.metric == m) return x;
    }
    return RegressionRule{};
  };
  auto p99 = find("latency.p99");
  EXPECT_DOUBLE_EQ(p99.tolerance, 0.5);
  EXPECT_DOUBLE_EQ(p99.floor.value, 0.010);
  EXPECT_EQ(p99.direction, Direction::kLowerIsBetter);  // kept from the built-in rule
  auto g = find("gauge.go_goroutines.slope");
  EXPECT_TRUE(g.leak);  // a slope
  EXPECT_DOUBLE_EQ(g.tolerance, 0.05);
  EXPECT_EQ(g.floor.unit, Unit::kRate);

  auto only = from_text(with_workload("  - kind: tabs\n") +
                   "regression:\n  builtin: false\n  rules:\n    rps: {direction: higher}\n");
  ASSERT_TRUE(only.ok()) << only.error().message();
  ASSERT_EQ(only->regression.rules.size(), 1u);
  EXPECT_EQ(only->regression.rules[0].direction, Direction::kHigherIsBetter);
}

// ---- environment substitution through the loader ----------------------------

TEST(ScenarioEnv, SubstitutesUrlAndKeepsPositions) {
  const std::string text = kPhases +
                           "target:\n"
                           "  url: \"${TARGET_URL:-https://127.0.0.1:8443}\"\n"
                           "  pid: ${TARGET_PID}\n"
                           "workloads:\n"
                           "  - {kind: tabs, users: ${USERS:-2}, thnk: 1s}\n";
  auto env = env_of({{"TARGET_URL", "http://127.0.0.1:9999"}, {"TARGET_PID", "1234"}});
  // The misspelt key after a substitution on the same line is reported at
  // its column in the file as written.
  EXPECT_EQ(error_of(text, env), "s.yaml:9:38: unknown key 'thnk'; did you mean 'think'?");

  const std::string ok_text = kPhases +
                              "target:\n"
                              "  url: \"${TARGET_URL:-https://127.0.0.1:8443}\"\n"
                              "  pid: ${TARGET_PID}\n"
                              "workloads:\n"
                              "  - {kind: tabs, users: ${USERS:-2}}\n";
  auto r = from_text(ok_text, env);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->target.url, "http://127.0.0.1:9999");
  EXPECT_EQ(std::get<AttachPid>(r->target.process).pid, 1234);
  EXPECT_EQ(std::get<TabsWorkload>(r->workloads[0].params).users, 2u);

  auto unset = env_of({});
  EXPECT_EQ(error_of(ok_text, unset),
            "s.yaml:7:8: environment variable TARGET_PID is not set (write ${TARGET_PID:-default} to give a default)");
  auto defaults_only = env_of({{"TARGET_PID", "7"}});
  auto d = from_text(ok_text, defaults_only);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->target.url, "https://127.0.0.1:8443");
}

TEST(ScenarioEnv, ValueErrorPointsAtTheVariable) {
  auto env = env_of({{"USERS", "lots"}});
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: ${USERS}\n"), env),
            "s.yaml:7:12: users: expected a whole number, got 'lots'");
}

// ---- suites ------------------------------------------------------------------

class SuiteFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("h2soak_suite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(SuiteFiles, LoadsScenariosRelativeToTheSuiteAndAppliesOverrides) {
  write("sub/a.yaml", with_workload("  - kind: tabs\n"));
  write("b.yaml", "name: bee\n" + with_workload("  - kind: sse\n"));
  auto suite_path = write("suite.yaml",
                          "suite: nightly\nbudget: 1m\nscenarios:\n"
                          "  - sub/a.yaml\n"
                          "  - file: b.yaml\n    phases: {steady: 20s, cooldown: 3s}\n");
  auto r = load(suite_path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(std::holds_alternative<Suite>(*r));
  const Suite& s = std::get<Suite>(*r);
  EXPECT_EQ(s.name, "nightly");
  ASSERT_EQ(s.scenarios.size(), 2u);
  EXPECT_EQ(s.scenarios[0].name, "a");
  EXPECT_EQ(s.scenarios[1].name, "bee");
  EXPECT_EQ(s.scenarios[1].phase("steady")->duration, seconds(20));
  EXPECT_EQ(s.scenarios[1].phase("cooldown")->duration, seconds(3));
  EXPECT_EQ(s.total_duration(), seconds(8 + 24));
  EXPECT_EQ(s.entries[0].path, (dir_ / "sub/a.yaml").string());

  auto direct = load_suite(suite_path);
  ASSERT_TRUE(direct.ok());
  EXPECT_FALSE(load_scenario(suite_path).ok());
  EXPECT_FALSE(load_suite((dir_ / "b.yaml").string()).ok());
}

TEST_F(SuiteFiles, OverrideErrorsPointIntoTheSuite) {
  write("a.yaml", with_workload("  - kind: tabs\n"));
  auto p1 = write("s1.yaml", "suite: x\nscenarios:\n  - file: a.yaml\n    phases: {stedy: 20s}\n");
  auto r1 = load_suite(p1);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().message(), p1 + ":4:14: scenario 'a' has no phase 'stedy'; did you mean 'steady'?");

  auto p2 = write("s2.yaml", "suite: x\nscenarios:\n  - file: a.yaml\n    phases: {steady: 500ms}\n");
  auto r2 = load_suite(p2);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().message(), p2 + ":4:22: steady (500ms) is shorter than 10 sample intervals (10 × 100ms = 1s); a slope needs more samples");

  auto p3 = write("s3.yaml", "suite: x\nbudget: 5s\nscenarios:\n  - a.yaml\n");
  auto r3 = load_suite(p3);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().message(), p3 + ":2:9: the scenarios take 8s, more than the suite's budget of 5s");

  auto p4 = write("s4.yaml", "suite: x\nscenarios:\n  - missing.yaml\n");
  auto r4 = load_suite(p4);
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.error().message().rfind(p4 + ":3:5: scenario missing.yaml: ", 0), 0u) << r4.error().message();

  write("bad.yaml", with_workload("  - kind: tabs\n    users: 0\n"));
  auto p5 = write("s5.yaml", "suite: x\nscenarios: [bad.yaml]\n");
  auto r5 = load_suite(p5);
  ASSERT_FALSE(r5.ok());
  EXPECT_EQ(r5.error().message(), (dir_ / "bad.yaml").string() + ":7:12: users: must be at least 1");

  auto p7 = write("s7.yaml", "suite: x\nscenarios:\n  - a.yaml\n  - file: a.yaml\n    phases: {steady: 9s}\n");
  auto r7 = load_suite(p7);
  ASSERT_FALSE(r7.ok());
  EXPECT_EQ(r7.error().message(), p7 + ":4:5: two scenarios of the suite are named 'a' (their results would collide; give one another 'name')");

  auto p8 = write("s8.yaml", "suite: x\nscenarios: []\n");
  EXPECT_EQ(load_suite(p8).error().message(), p8 + ":2:12: scenarios: the list is empty");
  write("inner.yaml", "suite: y\nscenarios: [a.yaml]\n");
  auto p9 = write("s9.yaml", "suite: x\nscenarios:\n  - inner.yaml\n");
  EXPECT_EQ(load_suite(p9).error().message(), p9 + ":3:5: inner.yaml is a suite; a suite lists scenario files only");

  auto p6 = write("s6.yaml", "suite: x\nscenarios:\n  - fil: a.yaml\n");
  auto r6 = load_suite(p6);
  ASSERT_FALSE(r6.ok());
  EXPECT_EQ(r6.error().message(), p6 + ":3:5: unknown key 'fil'; did you mean 'file'?");
}

TEST(ScenarioLoader, MissingFileIsAnError) {
  auto r = load_scenario("/nonexistent/dir/x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where(), "/nonexistent/dir/x.yaml");
}

TEST(ScenarioLoader, ValidateScenarioWorksOnBuiltValues) {
  auto r = from_text(with_workload("  - kind: tabs\n"));
  ASSERT_TRUE(r.ok());
  Scenario s = *r;
  EXPECT_TRUE(validate_scenario(s).ok());
  std::get<TabsWorkload>(s.workloads[0].params).users = 0;
  auto st = validate_scenario(s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "s.yaml:6:5: users: must be at least 1");  // the workload's item
}

}  // namespace
}  // namespace h2soak::scenario
