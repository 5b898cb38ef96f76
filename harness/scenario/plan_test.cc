#include <gtest/gtest.h>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace {

using std::chrono::seconds;

Scenario must_load(const std::string& text) {
  auto r = load_scenario_text(text, "p.yaml", [](std::string_view) { return std::optional<std::string>(); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Scenario{};
}

const char* kMixed = R"(name: mixed
phases:
  baseline: {duration: 5s, load: false}
  warmup: 10s
  steady: 60s
  spike: {duration: 5s, load: true}
  pause: {duration: 5s, load: false}
  cooldown: 20s
sample:
  metrics_url: /metrics
  gauges: [active_streams]
workloads:
  - kind: tabs
    users: 5
    tabs_per_user: 3
    connections_per_user: 2
    sse: true
  - kind: sse
    streams: 95
    streams_per_connection: 10
  - kind: upload
    concurrency: 3
  - kind: short_connections
    rate: 20/s
    max_in_flight: 16
  - kind: idle
    connections: 40
    no_tls_handshake: 0.25
    no_request: 0.25
  - kind: idle
    connections: 10
    hold: 30s
  - kind: bench
    clients: 2
    max_streams: 8
    duration: 12s
)";

TEST(Plan, PhaseTimelineAndLoadWindows) {
  auto plan = make_plan(must_load(kMixed));
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  ASSERT_EQ(plan->phases.size(), 6u);
  const std::vector<std::pair<std::string, int>> starts{{"baseline", 0}, {"warmup", 5}, {"steady", 15},
                                                        {"spike", 75},   {"pause", 80}, {"cooldown", 85}};
  for (std::size_t i = 0; i < starts.size(); ++i) {
    EXPECT_EQ(plan->phases[i].name, starts[i].first);
    EXPECT_EQ(plan->phases[i].start, seconds(starts[i].second)) << starts[i].first;
  }
  EXPECT_EQ(plan->total_duration, seconds(105));
  // warmup + steady + spike are consecutive load phases: one window.
  ASSERT_EQ(plan->load_windows.size(), 1u);
  EXPECT_EQ(plan->load_windows[0], (Window{seconds(5), seconds(80)}));
  EXPECT_EQ(plan->steady, (Window{seconds(15), seconds(75)}));
  EXPECT_EQ(plan->cooldown, (Window{seconds(85), seconds(105)}));
  EXPECT_EQ(plan->phase_at(seconds(0))->name, "baseline");
  EXPECT_EQ(plan->phase_at(seconds(15))->name, "steady");
  EXPECT_EQ(plan->phase_at(seconds(104))->name, "cooldown");
  EXPECT_EQ(plan->phase_at(seconds(105)), nullptr);
}

TEST(Plan, SeparateLoadPhasesMakeSeparateWindows) {
  auto plan = make_plan(must_load(R"(phases:
  warmup: 2s
  steady: 10s
  rest: {duration: 3s, load: false}
  burst: {duration: 4s, load: true}
  cooldown: 5s
workloads:
  - kind: bench
    duration: 13s
)"));
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  ASSERT_EQ(plan->load_windows.size(), 2u);
  EXPECT_EQ(plan->load_windows[0], (Window{seconds(0), seconds(12)}));
  EXPECT_EQ(plan->load_windows[1], (Window{seconds(15), seconds(19)}));
  // bench duration 13s: all of the first window, 1s of the second.
  const auto& b = plan->workloads[0];
  ASSERT_EQ(b.active.size(), 2u);
  EXPECT_EQ(b.active[1], (Window{seconds(15), seconds(16)}));
  EXPECT_EQ(b.close_at, seconds(16));
}

TEST(Plan, ConnectionsStreamsAndTotals) {
  auto plan = make_plan(must_load(kMixed));
  ASSERT_TRUE(plan.ok());
  const auto& w = plan->workloads;
  ASSERT_EQ(w.size(), 7u);
  // tabs: 5 users × 2 connections; 15 tabs × (page + 10 assets + sse)
  EXPECT_EQ(w[0].max_connections, 10u);
  EXPECT_EQ(w[0].max_streams, 15u * (1 + kAssetsPerPageEstimate + 1));
  EXPECT_EQ(w[0].close_at, seconds(80));
  // sse: ceil(95 / 10)
  EXPECT_EQ(w[1].max_connections, 10u);
  EXPECT_EQ(w[1].max_streams, 95u);
  // upload concurrency 3 → 3 connections
  EXPECT_EQ(w[2].max_connections, 3u);
  EXPECT_EQ(w[2].max_streams, 3u);
  EXPECT_EQ(w[3].max_connections, 16u);
  // idle: half of them send a request; held through the cooldown to the end
  EXPECT_EQ(w[4].name, "idle");
  EXPECT_EQ(w[4].max_connections, 40u);
  EXPECT_EQ(w[4].max_streams, 20u);
  EXPECT_EQ(w[4].close_at, seconds(105));
  EXPECT_EQ(w[5].name, "idle2");
  EXPECT_EQ(w[5].close_at, seconds(5 + 30));
  EXPECT_EQ(w[6].max_connections, 2u);
  EXPECT_EQ(w[6].max_streams, 16u);
  EXPECT_EQ(w[6].close_at, seconds(17));
  std::uint32_t conns = 0, streams = 0;
  for (const auto& x : w) {
    conns += x.max_connections;
    streams += x.max_streams;
  }
  EXPECT_EQ(plan->max_connections, conns);
  EXPECT_EQ(plan->max_streams, streams);
  EXPECT_EQ(plan->max_connections, 10u + 10 + 3 + 16 + 40 + 10 + 2);
}

TEST(Plan, UrlsAndPortPlaceholder) {
  auto plan = make_plan(must_load(kMixed));
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->port_from_stdout);
  EXPECT_EQ(plan->ready_url, "https://127.0.0.1:{port}/");
  EXPECT_EQ(plan->metrics_url, "https://127.0.0.1:{port}/metrics");
  EXPECT_EQ(substitute_port(plan->metrics_url, 8443), "https://127.0.0.1:8443/metrics");
  auto fixed = make_plan(must_load(R"(target:
  url: http://127.0.0.1:8080/app
  pid: 77
  ready: {url: "http://127.0.0.1:8081/ready"}
phases: {warmup: 1s, steady: 5s, cooldown: 1s}
workloads: [{kind: bench}]
)"));
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_FALSE(fixed->port_from_stdout);
  EXPECT_EQ(fixed->ready_url, "http://127.0.0.1:8081/ready");
  EXPECT_EQ(fixed->metrics_url, "");
}

TEST(Plan, RefusesAnInvalidScenario) {
  Scenario s = must_load(kMixed);
  s.phases.pop_back();  // no cooldown
  auto plan = make_plan(s);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().what().find("cooldown"), std::string::npos);
}

TEST(ScenarioHash, StableAcrossFormattingAndTargetButNotMeasurement) {
  Scenario a = must_load(kMixed);
  std::string h = scenario_hash(a);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, scenario_hash(a));
  EXPECT_EQ(canonical_form(a).rfind("schema=h2soak.scenario/v1\n", 0), 0u);

  // Comments, key order inside a workload, flow style: same hash.
  Scenario b = must_load(std::string("# a comment\n") + kMixed);
  EXPECT_EQ(scenario_hash(b), h);
  // The target, thresholds and regression rules do not count.
  Scenario c = a;
  c.target.url = "http://127.0.0.1:1";
  c.target.process = AttachPid{5};
  c.thresholds.push_back(*parse_threshold("errors == 0"));
  c.regression.rules.clear();
  EXPECT_EQ(scenario_hash(c), h);
  // What is measured does.
  Scenario d = a;
  d.phases[2].duration = seconds(61);
  EXPECT_NE(scenario_hash(d), h);
  Scenario e = a;
  std::get<TabsWorkload>(e.workloads[0].params).users = 6;
  EXPECT_NE(scenario_hash(e), h);
  Scenario f = a;
  f.sample.interval = std::chrono::milliseconds(200);
  EXPECT_NE(scenario_hash(f), h);
  auto plan = make_plan(a);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->scenario_hash, h);
}

TEST(ScenarioHash, KnownValueDoesNotDriftSilently) {
  // If this changes, every stored baseline stops matching: change it only on
  // purpose (and say so in the commit).
  Scenario s = must_load("name: fixed\nphases: {warmup: 1s, steady: 5s, cooldown: 1s}\nworkloads: [{kind: bench}]\n");
  EXPECT_EQ(canonical_form(s),
            "schema=h2soak.scenario/v1\n"
            "name=fixed\n"
            "phase.warmup.duration=1000000000\nphase.warmup.load=1\n"
            "phase.steady.duration=5000000000\nphase.steady.load=1\n"
            "phase.cooldown.duration=1000000000\nphase.cooldown.load=0\n"
            "sample.interval=100000000\n"
            "workload.bench.kind=bench\n"
            "workload.bench.clients=1\nworkload.bench.max_streams=1\n"
            "workload.bench.requests=-\nworkload.bench.duration=-\nworkload.bench.rate=-\n"
            "workload.bench.paths.count=1\nworkload.bench.paths.0=/\n"
            "workload.bench.method=GET\nworkload.bench.body_size=0\n"
            "workload.bench.headers.count=0\nworkload.bench.h1=0\n");
}

TEST(ScenarioHash, ShortConnectionsTlsResumeCountsOnlyWhenOn) {
  // tls_resume: false is the behaviour from before the option existed, so a
  // scenario without it (or with it false) keeps its hash and its baselines.
  const std::string head = "name: fixed\nphases: {warmup: 1s, steady: 5s, cooldown: 1s}\n"
                           "workloads: [{kind: short_connections, name: churn";
  Scenario plain = must_load(head + "}]\n");
  Scenario off = must_load(head + ", tls_resume: false}]\n");
  Scenario on = must_load(head + ", tls_resume: true}]\n");
  EXPECT_FALSE(std::get<ShortConnectionsWorkload>(plain.workloads[0].params).tls_resume);
  EXPECT_TRUE(std::get<ShortConnectionsWorkload>(on.workloads[0].params).tls_resume);
  EXPECT_EQ(canonical_form(plain),
            "schema=h2soak.scenario/v1\n"
            "name=fixed\n"
            "phase.warmup.duration=1000000000\nphase.warmup.load=1\n"
            "phase.steady.duration=5000000000\nphase.steady.load=1\n"
            "phase.cooldown.duration=1000000000\nphase.cooldown.load=0\n"
            "sample.interval=100000000\n"
            "workload.churn.kind=short_connections\n"
            "workload.churn.rate=50\nworkload.churn.protocol=h2\n"
            "workload.churn.requests_per_connection=1\nworkload.churn.max_in_flight=64\n"
            "workload.churn.path=/\n");
  EXPECT_EQ(scenario_hash(off), scenario_hash(plain));
  EXPECT_NE(scenario_hash(on), scenario_hash(plain));
  EXPECT_NE(canonical_form(on).find("workload.churn.tls_resume=1\n"), std::string::npos);
}

}  // namespace
}  // namespace h2soak::scenario

namespace h2soak::scenario {
namespace {

TEST(Overrides, PointTheScenarioElsewhereWithoutChangingItsHash) {
  Scenario s = must_load(kMixed);
  const std::string hash = scenario_hash(s);
  TargetOverrides o;
  o.pid = 4242;
  EXPECT_EQ(apply_overrides(s, o).error().message(),
            "--target-url is needed: the scenario's url https://127.0.0.1:{port} names the port of a spawned "
            "reference server, which an attached target does not have");
  o.url = "http://127.0.0.1:8080";
  o.gauges = {"go_goroutines", "active_streams"};
  ASSERT_TRUE(apply_overrides(s, o).ok());
  EXPECT_EQ(std::get<AttachPid>(s.target.process).pid, 4242);
  EXPECT_EQ(s.target.url, "http://127.0.0.1:8080");
  EXPECT_EQ(s.sample.gauges, (std::vector<std::string>{"active_streams", "go_goroutines"}));
  EXPECT_EQ(scenario_hash(s), hash);
  auto plan = make_plan(s);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->port_from_stdout);
  EXPECT_EQ(plan->metrics_url, "http://127.0.0.1:8080/metrics");
}

TEST(Overrides, SpawnAndErrors) {
  Scenario s = must_load(kMixed);
  TargetOverrides ref;
  ref.spawn = "h2soak-target --fault fd-leak";
  ASSERT_TRUE(apply_overrides(s, ref).ok());
  EXPECT_EQ(std::get<SpawnReference>(s.target.process).args,
            (std::vector<std::string>{"--fault", "fd-leak", "--port", "0"}));
  TargetOverrides both;
  both.pid = 1;
  both.pidfile = "x.pid";
  EXPECT_EQ(apply_overrides(s, both).error().message(), "--spawn, --pid, --pidfile and --remote are exclusive");
  TargetOverrides bad_url;
  bad_url.url = "localhost:80";
  EXPECT_FALSE(apply_overrides(s, bad_url).ok());
  TargetOverrides bad_spawn;
  bad_spawn.spawn = "'";
  EXPECT_EQ(apply_overrides(s, bad_spawn).error().message(), "--spawn: unbalanced ' in command \"'\"");
}

TEST(Overrides, RemoteDrivesAUrlAndNothingElse) {
  Scenario s = must_load(kMixed);
  const std::string hash = scenario_hash(s);
  TargetOverrides o;
  o.remote = true;
  EXPECT_EQ(apply_overrides(s, o).error().message(),
            "--target-url is needed: the scenario's url https://127.0.0.1:{port} names the port of a spawned "
            "reference server, which an attached target does not have");
  o.url = "https://svc.example:8443";
  ASSERT_TRUE(apply_overrides(s, o).ok());
  EXPECT_TRUE(std::holds_alternative<Remote>(s.target.process));
  EXPECT_EQ(scenario_hash(s), hash) << "where the target runs is not part of the scenario's identity";

  Scenario t = must_load(kMixed);
  TargetOverrides scrape = o;
  scrape.metrics_url = "https://svc.example:8443/metrics";
  EXPECT_NE(apply_overrides(t, scrape).error().message().find("--metrics-url: a --remote run samples nothing"),
            std::string::npos);
  TargetOverrides args = o;
  args.extra_args = "--fault fd-leak";
  EXPECT_NE(apply_overrides(t, args).error().message().find("--target-args: the target is attached"),
            std::string::npos);
  TargetOverrides both = o;
  both.pid = 7;
  EXPECT_EQ(apply_overrides(t, both).error().message(), "--spawn, --pid, --pidfile and --remote are exclusive");
}

const char* kAttribution = R"(name: attr
phases: {warmup: 5s, steady: 40s, cooldown: 5s}
attribution: true
workloads:
  - kind: tabs
  - kind: upload
  - kind: short_connections
  - kind: idle
    connections: 5
)";

TEST(PlanAttribution, WalshWindowsCutFromSteady) {
  auto plan = make_plan(must_load(kAttribution));
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  // 3 modulated workloads: order 8 (rows 1, 2, 4), elements of 2 slots,
  // period 16; 40 s / 16 -> slots of 2 s, one round.
  const AttributionLayout& m = plan->modulation;
  EXPECT_EQ(m.modulated, 3u);
  EXPECT_EQ(m.order, 8u);
  EXPECT_EQ(m.slots, 16u);
  EXPECT_EQ(m.slot, seconds(2));
  ASSERT_EQ(plan->workloads.size(), 4u);
  EXPECT_EQ(plan->workloads[0].pattern, "++--++--++--++--");
  EXPECT_EQ(plan->workloads[1].pattern, "++++----++++----");
  EXPECT_EQ(plan->workloads[2].pattern, "++++++++--------");
  EXPECT_EQ(plan->workloads[3].pattern, "");  // idle is never switched off
  // Every two patterns are orthogonal (as +1/-1 vectors), each balanced.
  for (int a = 0; a < 3; ++a) {
    int balance = 0;
    for (char c : plan->workloads[a].pattern) balance += c == '+' ? 1 : -1;
    EXPECT_EQ(balance, 0);
    for (int b = a + 1; b < 3; ++b) {
      int dot = 0;
      for (std::size_t i = 0; i < 16; ++i) {
        dot += (plan->workloads[a].pattern[i] == plan->workloads[b].pattern[i]) ? 1 : -1;
      }
      EXPECT_EQ(dot, 0) << a << " " << b;
    }
  }
  // tabs: warm-up and the first two slots in one window, then on 2 slots in
  // 4; the rest of steady after the 16 slots (37..45 s) is on for everyone.
  const auto& active = plan->workloads[0].active;
  ASSERT_FALSE(active.empty());
  EXPECT_EQ(active.front(), (Window{seconds(0), seconds(9)}));
  EXPECT_EQ(active[1], (Window{seconds(13), seconds(17)}));
  EXPECT_EQ(active.back(), (Window{seconds(37), seconds(45)}));
  EXPECT_EQ(plan->workloads[2].active, (std::vector<Window>{{seconds(0), seconds(21)}, {seconds(37), seconds(45)}}));
  EXPECT_EQ(plan->workloads[3].active, plan->load_windows);
  EXPECT_EQ(plan->workloads[1].close_at, plan->workloads[0].close_at);
}

TEST(PlanAttribution, HashChangesOnlyWhenOn) {
  Scenario s = must_load(kAttribution);
  const std::string on = scenario_hash(s);
  s.attribution.enabled = false;
  const std::string off = scenario_hash(s);
  EXPECT_NE(on, off);
  EXPECT_EQ(canonical_form(s).find("attribution"), std::string::npos);
}

TEST(PlanAttribution, SteadyTooShortIsAClearError) {
  std::string text = kAttribution;
  text.replace(text.find("steady: 40s"), 11, "steady: 10s");
  auto r = load_scenario_text(text, "p.yaml", [](std::string_view) { return std::optional<std::string>(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("need 16 slots of 1s"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("p.yaml:3:"), std::string::npos) << r.error().message();
}

TEST(PlanAttribution, SlotMustBeWholeSeconds) {
  std::string text = kAttribution;
  text.replace(text.find("attribution: true"), 17, "attribution: {slot: 1500ms}");
  auto r = load_scenario_text(text, "p.yaml", [](std::string_view) { return std::optional<std::string>(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("whole number of seconds"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace h2soak::scenario
