// Every way a scenario file can be wrong, each with the exact file:line:col
// and message the user sees.
#include <gtest/gtest.h>

#include "harness/scenario/loader.h"
#include "harness/scenario/scenario_test_support.h"

namespace h2soak::scenario {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): the test helpers

// ---- error paths, each with its exact line:col ------------------------------

TEST(ScenarioErrors, MisspeltKeySuggestsTheClosest) {
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    thnk: 1s\n")),
            "s.yaml:7:5: unknown key 'thnk'; did you mean 'think'?");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    tabs_pre_user: 2\n")),
            "s.yaml:7:5: unknown key 'tabs_pre_user'; did you mean 'tabs_per_user'?");
  EXPECT_EQ(error_of("phases: {warmup: 1s, steady: 5s, cooldown: 1s}\nworkload:\n  - kind: tabs\n"),
            "s.yaml:2:1: unknown key 'workload'; did you mean 'workloads'?");
  EXPECT_EQ(error_of(kPhases + "sample:\n  intreval: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:3: unknown key 'intreval'; did you mean 'interval'?");
}

TEST(ScenarioErrors, UnknownKeyFarFromAnyListsTheValidOnes) {
  EXPECT_EQ(error_of(with_workload("  - kind: sse\n    colour: red\n")),
            "s.yaml:7:5: unknown key 'colour' in workload 'sse' (valid keys: kind, name, streams, "
            "streams_per_connection, hold, leave, path)");
}

TEST(ScenarioErrors, UnknownKindSuggests) {
  EXPECT_EQ(error_of(with_workload("  - kind: tab\n")), "s.yaml:6:11: unknown workload kind 'tab'; did you mean 'tabs'?");
  EXPECT_EQ(error_of(with_workload("  - users: 3\n")),
            "s.yaml:6:5: missing required key 'kind' in workload (one of tabs, sse, upload, short_connections, idle, bench)");
}

TEST(ScenarioErrors, DuplicateKey) {
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: 1\n    users: 2\n")),
            "s.yaml:8:5: duplicate key 'users' (first at line 7)");
}

TEST(ScenarioErrors, WrongTypes) {
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: many\n")),
            "s.yaml:7:12: users: expected a whole number, got 'many'");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: [1, 2]\n")),
            "s.yaml:7:12: users: expected a whole number, got a list");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    session: yes please\n")),
            "s.yaml:7:14: session: expected true or false, got 'yes please'");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    think: fast\n")),
            "s.yaml:7:12: think: expected a duration such as \"30s\", got \"fast\"");
  EXPECT_EQ(error_of(with_workload("  - kind: upload\n    size: 4 parsecs\n")),
            "s.yaml:7:11: size: unknown size unit \"parsecs\" (use B, KiB, MiB, GiB, kB, MB or GB)");
  EXPECT_EQ(error_of(kPhases + "workloads: {kind: tabs}\n"),
            "s.yaml:5:12: workloads: expected a list of workloads, got a mapping");
  EXPECT_EQ(error_of(with_workload("  - kind: sse\n    leave: rts\n")),
            "s.yaml:7:12: leave: unknown value 'rts'; did you mean 'rst'?");
  EXPECT_EQ(error_of(with_workload("  - kind: short_connections\n    protocol: h3\n")),
            "s.yaml:7:15: protocol: unknown value 'h3'; did you mean 'h2'?");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    think:\n")),
            "s.yaml:7:5: think: expected a value, got nothing");
}

TEST(ScenarioErrors, MissingRequired) {
  EXPECT_EQ(error_of("name: x\nworkloads:\n  - kind: tabs\n"), "s.yaml:1:1: missing required key 'phases' in scenario");
  EXPECT_EQ(error_of(kPhases), "s.yaml:1:1: missing required key 'workloads' in scenario");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:2:3: phases: missing required phase 'steady' (warmup, steady and cooldown are required)");
  EXPECT_EQ(error_of(kPhases + "target:\n  pid: 42\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:3: missing required key 'url' in target (only the reference server's url has a default)");
  EXPECT_EQ(error_of(kPhases + "workloads: []\n"), "s.yaml:5:12: workloads: at least one workload is needed");
}

TEST(ScenarioErrors, ImpossibleValues) {
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: 0\n")), "s.yaml:7:12: users: must be at least 1");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    users: -3\n")), "s.yaml:7:12: users: must not be negative, got -3");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    think: -1s\n")), "s.yaml:7:12: think: must not be negative, got -1s");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    think: 2s..1s\n")),
            "s.yaml:7:12: think: range \"2s..1s\" has its upper bound below its lower bound");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    tabs_per_user: 2\n    connections_per_user: 3\n")),
            "s.yaml:8:27: connections_per_user (3) exceeds tabs_per_user (2)");
  EXPECT_EQ(error_of(with_workload("  - kind: sse\n    hold: 0s\n")), "s.yaml:7:11: hold: must be greater than 0");
  EXPECT_EQ(error_of(with_workload("  - kind: upload\n    rate: 0/s\n")), "s.yaml:7:11: rate: must be greater than 0");
  EXPECT_EQ(error_of(with_workload("  - kind: upload\n    size: 0..1KiB\n    distribution: lognormal\n")),
            "s.yaml:7:11: size: a lognormal distribution needs a lower bound above 0");
  EXPECT_EQ(error_of(with_workload("  - kind: idle\n    no_tls_handshake: 60%\n    no_request: 0.5\n")),
            "s.yaml:8:17: no_tls_handshake + no_request exceeds 1");
  EXPECT_EQ(error_of(with_workload("  - kind: idle\n    no_request: 1.5\n")),
            "s.yaml:7:17: no_request: a fraction between 0 and 1");
  EXPECT_EQ(error_of(with_workload("  - kind: bench\n    clients: 10\n    requests: 5\n")),
            "s.yaml:8:15: requests (5) is fewer than clients (10)");
  EXPECT_EQ(error_of(with_workload("  - kind: short_connections\n    path: page/1\n")),
            "s.yaml:7:11: path: a path starts with '/', got 'page/1'");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    pages: 5..2\n")),
            "s.yaml:7:12: pages: range '5..2' has its upper bound below its lower bound");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    pages: 0\n")), "s.yaml:7:12: pages: must be at least 1");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n  - kind: tabs\n    name: tabs\n")),
            "s.yaml:8:11: two workloads are named 'tabs' (give each a distinct 'name')");
}

TEST(ScenarioErrors, SteadyMustHoldTenSampleIntervals) {
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 1s\n  cooldown: 1s\nsample:\n  interval: 200ms\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:3:11: steady (1s) is shorter than 10 sample intervals (10 × 200ms = 2s); a slope needs more samples");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 0s\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:3:11: steady: must be greater than 0");
}

TEST(ScenarioErrors, PhaseShapeAndOrder) {
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  stedy: 5s\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:3:3: unknown phase 'stedy'; did you mean 'steady'?");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 5s\n  spike: 3s\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:4:10: phase 'spike': an extra phase needs {duration: ..., load: true|false}");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 5s\n  spike: {duration: 3s}\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:4:10: missing required key 'load' in phase 'spike' (true or false)");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 5s\n  cooldown: {duration: 1s, load: true}\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:4:28: the load of phase 'cooldown' is fixed (false); remove 'load'");
  EXPECT_EQ(error_of("phases:\n  steady: 5s\n  warmup: 1s\n  cooldown: 1s\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:2:3: phase 'steady' must come after 'warmup'");
  EXPECT_EQ(error_of("phases:\n  warmup: 1s\n  steady: 5s\n  cooldown: 1s\n  after: {duration: 1s, load: false}\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:5:3: phase 'after' comes after 'cooldown'; cooldown must be the last phase (residuals are read at its end)");
}

TEST(ScenarioErrors, TargetProblems) {
  EXPECT_EQ(error_of(kPhases + "target:\n  url: http://127.0.0.1:1\n  pid: 3\n  pidfile: x.pid\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:8:3: 'pidfile' and 'pid' are exclusive: a target is spawned, attached by pid or by pidfile, or remote");
  EXPECT_EQ(error_of(kPhases + "target:\n  url: http://127.0.0.1:1\n  remote: false\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:7:11: remote: only 'true' is meaningful (leave the key out for a local target)");
  EXPECT_EQ(error_of(kPhases + "target:\n  remote: true\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:3: missing required key 'url' in target (only the reference server's url has a default)");
  EXPECT_EQ(error_of(kPhases + "target:\n  url: 127.0.0.1:8080\n  pid: 3\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:8: url: expected http://HOST:PORT or https://HOST:PORT, got '127.0.0.1:8080'");
  EXPECT_EQ(error_of(kPhases + "target:\n  url: https://127.0.0.1:{port}\n  pid: 3\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:8: url: {port} is learnt from a spawned target's stdout; an attached target needs its port written out");
  EXPECT_EQ(error_of(kPhases + "target:\n  spawn: \"./srv 'oops\"\n  url: http://127.0.0.1:1\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:10: spawn: unbalanced ' in command \"./srv 'oops\"");
  EXPECT_EQ(error_of(kPhases + "target:\n  ready: {timeout: 0s}\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:20: ready.timeout: must be greater than 0");
}

TEST(ScenarioErrors, SampleProblems) {
  EXPECT_EQ(error_of(kPhases + "sample:\n  gauges: [go_goroutines]\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:6:11: gauges: needs metrics_url (the Prometheus endpoint to scrape, e.g. /metrics)");
  EXPECT_EQ(error_of(kPhases + "sample:\n  interval: 100ms\n  pss_interval: 10ms\nworkloads:\n  - kind: tabs\n"),
            "s.yaml:7:17: pss_interval (10ms) must not be shorter than interval (100ms)");
}

TEST(ScenarioErrors, ExclusiveWorkloadKeys) {
  EXPECT_EQ(error_of(with_workload("  - kind: upload\n    rate: 5/s\n    concurrency: 2\n")),
            "s.yaml:8:5: 'rate' and 'concurrency' are exclusive: an upload workload is open (rate) or closed (concurrency)");
  EXPECT_EQ(error_of(with_workload("  - kind: bench\n    requests: 100\n    duration: 5s\n")),
            "s.yaml:8:5: 'requests' and 'duration' are exclusive (h2load's -n and -D)");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n    assets: list\n")),
            "s.yaml:7:13: assets: 'list' means the paths themselves: write assets: [/static/app.css, ...]");
}

TEST(ScenarioErrors, ThresholdProblems) {
  const std::string base = with_workload("  - kind: tabs\n") + "thresholds:\n";
  EXPECT_EQ(error_of(base + "  - latncy.p99 < 250ms\n"), "s.yaml:8:5: unknown metric 'latncy.p99'; did you mean 'latency'?");
  EXPECT_EQ(error_of(base + "  - latency.p99 250ms\n"),
            "s.yaml:8:5: threshold \"latency.p99 250ms\" has no comparison (<, <=, >, >=, ==, !=) "
            "(write METRIC OP VALUE, e.g. \"latency.p99 < 250ms\")");
  EXPECT_EQ(error_of(base + "  - latency.p99 < 250\n"),
            "s.yaml:8:5: threshold \"latency.p99 < 250\": latency is a time: write a duration such as 250ms");
  EXPECT_EQ(error_of(base + "  - rss.slope < 10KiB\n"),
            "s.yaml:8:5: threshold \"rss.slope < 10KiB\": rss.slope is a size per second: write e.g. 10KiB/s");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n") + "regression:\n  rules:\n    rss.slope: {tolernce: 5%}\n"),
            "s.yaml:9:17: unknown key 'tolernce'; did you mean 'tolerance'?");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n") + "regression:\n  rules:\n    thread.residual: {tolerance: 5%}\n"),
            "s.yaml:9:5: unknown metric 'thread.residual'; did you mean 'threads'?");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n") + "regression:\n  rules:\n    rps: {direction: up}\n"),
            "s.yaml:9:22: direction: unknown value 'up' (expected one of lower, higher)");
}

TEST(ScenarioErrors, YamlSyntaxErrorKeepsItsPosition) {
  auto msg = error_of("phases:\n  warmup: 1s\n  steady: [5s\n");
  EXPECT_EQ(msg.rfind("s.yaml:", 0), 0u) << msg;
  EXPECT_NE(msg.find(':'), std::string::npos);
  EXPECT_EQ(error_of(""), "s.yaml:1:1: the file is empty");
  EXPECT_EQ(error_of("# only a comment\n"), "s.yaml:1:1: the file is empty");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n") + "---\nname: second\n"),
            "s.yaml:8:1: a scenario or suite file holds one YAML document; this one has 2");
  EXPECT_EQ(error_of("- a\n- b\n"), "s.yaml:1:1: expected a mapping at the top (a scenario or a suite), got a list");
}

// yaml-cpp 0.7 yields an empty document at a stray top-level ',' without
// consuming it; the loader used to wait for the next document for ever
// (found by fuzz/scenario_loader_fuzz, fuzz/regressions/).
TEST(ScenarioErrors, StrayTopLevelCommaIsAnErrorNotAHang) {
  EXPECT_EQ(error_of(",'eS'"), "s.yaml:1:1: unexpected ',' (not the start of a YAML value)");
  EXPECT_EQ(error_of("- a\n- b\n,"), "s.yaml:3:1: unexpected ',' (not the start of a YAML value)");
  EXPECT_EQ(error_of(with_workload("  - kind: tabs\n") + "...\n,\n"),
            "s.yaml:8:1: unexpected ',' (not the start of a YAML value)");
}

// ---- more error paths, table-driven -------------------------------------------
// kind: T = target/sample section between the phases and a tabs workload,
// W = the workloads list, R = after a valid scenario (thresholds, regression),
// P = the phases (a tabs workload follows), X = before a valid scenario.
struct ErrorCase {
  char where;
  const char* yaml;
  const char* error;
};

const ErrorCase kErrorCases[] = {
    {'T', "target:\n  url: http://127.0.0.1:1\n  pid: 0\n",
     "s.yaml:7:8: pid: must be at least 1"},
    {'T', "target:\n  url: http://127.0.0.1:1\n  pidfile: \"\"\n",
     "s.yaml:7:12: pidfile: must not be empty"},
    {'T', "target:\n  spawn: \"\"\n",
     "s.yaml:6:10: spawn: must not be empty"},
    {'T', "target:\n  spawn: ./srv\n",
     "s.yaml:6:3: missing required key 'url' in target (only the reference server's url has a default)"},
    {'T', "target:\n  url: https://127.0.0.1:{port}\n  spawn: ./srv\n  ready: {url: healthz}\n",
     "s.yaml:8:16: ready.url: expected a path starting with '/' or an http(s) URL, got 'healthz'"},
    {'T', "target:\n  insecure: maybe\n",
     "s.yaml:6:13: insecure: expected true or false, got 'maybe'"},
    {'T', "target: [a]\n",
     "s.yaml:5:9: target: expected a mapping, got a list"},
    {'T', "sample:\n  interval: 500us\n",
     "s.yaml:6:13: interval: must be at least 1ms"},
    {'T', "sample:\n  metrics_url: metrics\n",
     "s.yaml:6:16: metrics_url: expected a path starting with '/' or an http(s) URL, got 'metrics'"},
    {'T', "sample:\n  metrics_url: /metrics\n  gauges: [ok, \"bad name\"]\n",
     "s.yaml:7:11: gauges: 'bad name' is not a Prometheus metric name"},
    {'T', "sample:\n  gauges: go_goroutines\n",
     "s.yaml:6:11: gauges: expected a list, got a scalar"},
    {'T', "sample: 100ms\n",
     "s.yaml:5:9: sample: expected a mapping, got a scalar"},
    {'W', "  - kind: bench\n    method: get\n",
     "s.yaml:7:13: method: expected an upper-case HTTP method such as GET, got 'get'"},
    {'W', "  - kind: bench\n    headers: [\"no colon\"]\n",
     "s.yaml:7:15: headers: expected \"name: value\", got 'no colon'"},
    {'W', "  - kind: bench\n    duration: 0s\n",
     "s.yaml:7:15: duration: must be greater than 0"},
    {'W', "  - kind: bench\n    paths: []\n",
     "s.yaml:7:12: paths: the list is empty"},
    {'W', "  - kind: bench\n    rate: -5/s\n",
     "s.yaml:7:11: rate: must not be negative, got -5/s"},
    {'W', "  - kind: tabs\n    pages: []\n",
     "s.yaml:7:12: pages: the list is empty"},
    {'W', "  - kind: tabs\n    assets: []\n",
     "s.yaml:7:13: assets: the list is empty (write assets: none)"},
    {'W', "  - kind: tabs\n    assets: [static/a.css]\n",
     "s.yaml:7:13: assets: a path starts with '/', got 'static/a.css'"},
    {'W', "  - kind: tabs\n    pages: [/, page2]\n",
     "s.yaml:7:12: pages: a path starts with '/', got 'page2'"},
    {'W', "  - kind: tabs\n    lifetime: 0s\n",
     "s.yaml:7:15: lifetime: must be greater than 0"},
    {'W', "  - kind: tabs\n    pages: 1..x\n",
     "s.yaml:7:12: pages: expected a count, a range \"1..20\" or a list of paths, got '1..x'"},
    {'W', "  - kind: idle\n    hold: 0s\n",
     "s.yaml:7:11: hold: must be greater than 0"},
    {'W', "  - kind: idle\n    no_request: lots\n",
     "s.yaml:7:17: no_request: expected a fraction such as 0.25 or \"25%\", got 'lots'"},
    {'W', "  - kind: upload\n    max_in_flight: 3\n",
     "s.yaml:7:5: max_in_flight: only for the open model (with 'rate')"},
    {'W', "  - kind: upload\n    size: 0\n",
     "s.yaml:7:11: size: must be greater than 0"},
    {'W', "  - kind: upload\n    method: GET\n",
     "s.yaml:7:13: method: an upload is a POST or a PUT, got 'GET'"},
    {'W', "  - kind: upload\n    concurrency: 0\n",
     "s.yaml:7:18: concurrency: must be at least 1"},
    {'W', "  - kind: short_connections\n    rate: fast\n",
     "s.yaml:7:11: rate: expected a rate such as \"500/s\", got \"fast\""},
    {'W', "  - kind: short_connections\n    requests_per_connection: 0\n",
     "s.yaml:7:30: requests_per_connection: must be at least 1"},
    {'W', "  - kind: sse\n    streams_per_connection: 0\n",
     "s.yaml:7:29: streams_per_connection: must be at least 1"},
    {'W', "  - kind: tabs\n    name: Tabs!\n",
     "s.yaml:7:11: name: lowercase letters, digits, '_' and '-' only, got 'Tabs!'"},
    {'W', "  - kind: [tabs]\n",
     "s.yaml:6:11: kind: expected one of tabs, sse, upload, short_connections, idle, bench, got a list"},
    {'W', "  - tabs\n",
     "s.yaml:6:5: workloads: each workload is a mapping with a 'kind', got a scalar"},
    {'W', "  - kind: tabs\n    users: 20000000\n",
     "s.yaml:7:12: users: 20000000 is too large (at most 10000000)"},
    {'W', "  - kind: tabs\n    users: 1.5\n",
     "s.yaml:7:12: users: expected a whole number, got '1.5'"},
    {'R', "regression:\n  rules:\n    rss.slope: {tolerance: -5%}\n",
     "s.yaml:9:28: tolerance: must not be negative"},
    {'R', "regression:\n  rules:\n    rss.slope: {floor: -1KiB/s}\n",
     "s.yaml:9:24: floor: must not be negative"},
    {'R', "regression:\n  rules:\n    rss.slope: {floor: lots}\n",
     "s.yaml:9:24: floor: invalid value \"lots\" (expected a number, a duration such as 250ms, a size such as 64MiB, a rate such as 500/s or 10KiB/s, or a percentage)"},
    {'R', "regression:\n  rules:\n    rss.slope: 10%\n",
     "s.yaml:9:16: rule 'rss.slope': expected a mapping, got a scalar"},
    {'R', "regression:\n  rulez: {}\n",
     "s.yaml:8:3: unknown key 'rulez'; did you mean 'rules'?"},
    {'R', "regression:\n  builtin: no\n",
     "s.yaml:8:12: builtin: expected true or false, got 'no'"},
    {'R', "thresholds:\n  - {errors: 0}\n",
     "s.yaml:8:5: thresholds: expected a string, got a mapping"},
    {'R', "thresholds: \"errors == 0\"\n",
     "s.yaml:7:13: thresholds: expected a list such as [\"errors == 0\", \"latency.p99 < 250ms\"], got a scalar"},
    {'R', "thresholds:\n  - \"errors == 0 extra\"\n",
     "s.yaml:8:5: threshold \"errors == 0 extra\": invalid value \"0 extra\" (expected a number, a duration such as 250ms, a size such as 64MiB, a rate such as 500/s or 10KiB/s, or a percentage)"},
    {'P', "phases:\n  warmup: {duration: 1s, load: false}\n  steady: 5s\n  cooldown: 1s\n",
     "s.yaml:2:26: the load of phase 'warmup' is fixed (true); remove 'load'"},
    {'P', "phases:\n  Warmup: 1s\n  steady: 5s\n  cooldown: 1s\n",
     "s.yaml:2:3: phase name 'Warmup' must be lowercase letters, digits and '_'"},
    {'P', "phases:\n  warmup: 1s\n  steady: 5s\n  burst: {duration: 0s, load: true}\n  cooldown: 1s\n",
     "s.yaml:4:21: burst: must be greater than 0"},
    {'P', "phases:\n  warmup: 1s\n  steady: 5s\n  burst: {duration: 1s, load: true, extra: 1}\n  cooldown: 1s\n",
     "s.yaml:4:37: unknown key 'extra' in phase 'burst' (valid keys: duration, load)"},
    {'P', "phases:\n  warmup: 1s\n  steady: 5s\n  burst: {load: true}\n  cooldown: 1s\n",
     "s.yaml:4:10: missing required key 'duration' in phase 'burst'"},
    {'P', "phases:\n  warmup: 1s\n  cooldown: 1s\n  steady: 5s\n",
     "s.yaml:3:3: phase 'cooldown' must come after 'steady'"},
    {'P', "phases: [warmup, steady]\n",
     "s.yaml:1:9: phases: expected a mapping, got a list"},
    {'P', "phases:\n  warmup: -1s\n  steady: 5s\n  cooldown: 1s\n",
     "s.yaml:2:11: warmup: must not be negative, got -1s"},
    {'X', "name: \"bad name\"\n",
     "s.yaml:1:7: name: letters, digits, '_', '-' and '.' only, got 'bad name'"},
    {'X', "{a: 1}: 2\n",
     "s.yaml:1:1: scenario: keys must be plain names"},
    {'X', "key: [unclosed\n",
     "s.yaml:2:7: end of sequence flow not found"},
    {'X', "a: b\n  c: d\n",
     "s.yaml:2:4: illegal map value"},
};

TEST(ScenarioErrors, Table) {
  const std::string wl = "workloads:\n  - kind: tabs\n";
  for (const auto& c : kErrorCases) {
    std::string body = c.yaml;
    std::string text;
    switch (c.where) {
      case 'T': text = kPhases + body + wl; break;
      case 'W': text = kPhases + "workloads:\n" + body; break;
      case 'R': text = kPhases + wl + body; break;
      case 'P': text = body + wl; break;
      default: text = body + kPhases + wl; break;
    }
    EXPECT_EQ(error_of(text), c.error) << text;
  }
}

}  // namespace
}  // namespace h2soak::scenario
