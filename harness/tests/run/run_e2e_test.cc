// End-to-end tests of `h2soak run`, `h2soak baseline record` and `h2soak ab`:
// the real h2soak binary drives the real reference server (spawned by h2soak
// itself on a free loopback port) through the short scenarios of
// scenarios/test/. Each test checks an exit code of the documented contract
// (0 pass, 1 regression, 2 invalid input, 3 run not completed) and the files
// the run leaves behind. Every scenario runs ≤ 10 s; the tests are RUN_SERIAL
// because their CPU figures are what they compare.

#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string kSource = H2SOAK_SOURCE_DIR;
const std::string kBinary = H2SOAK_BINARY_DIR;
const std::string kH2soak = kBinary + "/harness/cli/h2soak";
const std::string kTarget = kBinary + "/target_server/h2soak-target";

std::string scenario(const std::string& name) { return kSource + "/scenarios/test/" + name; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Ran {
  int code = -1;
  std::string output;  // stdout + stderr
};

// Runs `h2soak ARGS` with a shell, quiet (no live progress), output captured.
Ran h2soak(const std::string& args, const fs::path& dir) {
  const std::string log = (dir / "h2soak.out").string();
  const std::string cmd = "H2SOAK_TARGET_BIN=" + kTarget + " " + kH2soak + " " + args + " >" + log + " 2>&1";
  int status = std::system(cmd.c_str());
  Ran r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = slurp(log);
  return r;
}

class RunE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("h2soak-run-e2e-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(fs::exists(kH2soak)) << kH2soak;
    ASSERT_TRUE(fs::exists(kTarget)) << kTarget;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A one-run baseline of `scenario_file`, recorded with `baseline record`.
  void record(const std::string& scenario_file, const std::string& out, int runs = 1) {
    Ran r = h2soak("baseline record " + scenario_file + " --runs " + std::to_string(runs) + " --out " + out +
                       " --results " + path("record") + " -q",
                   dir_);
    ASSERT_EQ(r.code, 0) << r.output;
    ASSERT_TRUE(fs::exists(out)) << r.output;
  }

  fs::path dir_;
};

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A clean run: result JSON with the sample series, analysis and client
// metrics; the target's log beside it; a summary on stdout.
TEST_F(RunE2e, RunWritesResultAndSummary) {
  Ran r = h2soak("run " + scenario("many_tabs.yaml") + " --out " + path("out") + " --report " + path("report") + " -q",
                 dir_);
  ASSERT_EQ(r.code, 0) << r.output;
  // --report: the verdict JSON and the self-contained page, verdict first.
  EXPECT_NE(r.output.find("report: " + path("report/report.html")), std::string::npos) << r.output;
  EXPECT_EQ(nlohmann::json::parse(slurp(path("report/verdict.json")))["schema"], "h2soak.verdict/v1");
  const std::string page = slurp(path("report/report.html"));
  EXPECT_LT(page.find("<h2>Verdict</h2>"), page.find("<h2>Plots</h2>"));
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(page.find("test_many_tabs"), std::string::npos);
  EXPECT_NE(r.output.find("RSS slope"), std::string::npos) << r.output;
  const std::string file = path("out/test_many_tabs.json");
  ASSERT_TRUE(fs::exists(file)) << r.output;
  EXPECT_TRUE(fs::exists(path("out/test_many_tabs.target.log")));
  auto j = nlohmann::json::parse(slurp(file));
  EXPECT_EQ(j["schema"], "h2soak.result/v1");
  EXPECT_EQ(j["status"]["state"], "completed");
  EXPECT_EQ(j["metadata"]["scenario_name"], "test_many_tabs");
  EXPECT_FALSE(j["metadata"]["scenario_hash"].get<std::string>().empty());
  EXPECT_GT(j["target"]["samples"]["count"].get<int>(), 50);
  for (const char* m : {"rss.slope", "rss.residual", "threads.residual", "fds.residual", "cpu.us_per_request",
                        "rps", "errors", "latency.p99"}) {
    EXPECT_TRUE(j["analysis"].contains(m)) << m;
  }
  EXPECT_GT(j["analysis"]["requests"]["value"].get<double>(), 100);
  EXPECT_EQ(j["analysis"]["errors"]["value"].get<double>(), 0);
  EXPECT_EQ(j["target"]["exit_code"], 0);  // stopped cleanly by SIGTERM
}

// baseline record → run against it on the same clean server → exit 0, with
// the verdict in Markdown and JUnit; then a worse candidate (a server that
// never closes idle connections: the idle workload's connections outlive the
// cooldown) → exit 1 naming the metric; the baseline file never changes.
TEST_F(RunE2e, BaselineRecordThenCleanPassesAndWorseFails) {
  // scenarios/test/idle_connections.yaml with the cost rules loosened: a few
  // hundred requests in 4 s make CPU per request and the tail latency too
  // noisy for a 10 % gate on a shared 2-core machine; the leak figures keep
  // their strict built-in rules (fds/threads residual: tolerance 0, floor 0).
  const std::string file = path("idle_connections.yaml");
  {
    std::ofstream out(file);
    out << slurp(scenario("idle_connections.yaml"))
        << "\nregression:\n  rules:\n"
           "    cpu.per_request: {tolerance: 100%}\n"
           "    latency.p99: {tolerance: 200%, floor: 20ms}\n"
           "    rps: {tolerance: 50%}\n"
           "    rss.slope: {tolerance: 100%, floor: 256KiB/s}\n"
           "    rss.retained_per_1k_requests: {tolerance: 100%, floor: 4MiB}\n";
  }
  const std::string baseline = path("base.json");
  record(file, baseline, 2);
  const std::string before = slurp(baseline);
  EXPECT_EQ(nlohmann::json::parse(before)["schema"], "h2soak.baseline/v1");

  // Refuses to overwrite without --force (checked before any load).
  Ran again = h2soak("baseline record " + file + " --out " + baseline + " -q", dir_);
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;

  Ran clean = h2soak("run " + file + " --baseline " + baseline + " --out " +
                         path("clean") + " --summary-md " + path("clean.md") + " --junit " + path("clean.xml") + " -q",
                     dir_);
  EXPECT_EQ(clean.code, 0) << clean.output;
  EXPECT_NE(slurp(path("clean.md")).find("PASS"), std::string::npos);
  EXPECT_NE(slurp(path("clean.xml")).find("<testsuites"), std::string::npos);

  Ran worse = h2soak("run " + file + " --baseline " + baseline + " --out " +
                         path("worse") + " --junit " + path("worse.xml") +
                         " --spawn 'h2soak-target --threads 2 --idle-timeout 60s --read-timeout 60s' -q",
                     dir_);
  EXPECT_EQ(worse.code, 1) << worse.output;
  EXPECT_NE(worse.output.find("fds.residual"), std::string::npos) << worse.output;
  EXPECT_NE(worse.output.find("REGRESSION"), std::string::npos) << worse.output;
  EXPECT_NE(slurp(path("worse.xml")).find("<failure"), std::string::npos);
  EXPECT_EQ(slurp(baseline), before);
}

// A corrupt baseline is exit 2 before any load runs, and is left as it was.
TEST_F(RunE2e, CorruptBaselineIsExit2AndUntouched) {
  const std::string baseline = path("corrupt.json");
  const std::string text = "{\"schema\": \"h2soak.baseline/v1\", \"scenarios\": {\"x\": [1, 2";
  { std::ofstream(baseline) << text; }
  Ran r = h2soak("run " + scenario("many_tabs.yaml") + " --baseline " + baseline + " --out " + path("out") + " -q",
                 dir_);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("corrupt.json"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(baseline), text);
  EXPECT_FALSE(fs::exists(path("out/test_many_tabs.json")));  // nothing ran
}

// The target dies mid-run (killed by `timeout` 4 s after it started, i.e.
// in the steady phase): exit 3 and a partial result saying why.
TEST_F(RunE2e, TargetKilledMidRunIsExit3WithPartialResult) {
  const int port = free_port();
  Ran r = h2soak("run " + scenario("many_tabs.yaml") + " --out " + path("out") + " --target-url https://127.0.0.1:" +
                     std::to_string(port) + " --spawn 'timeout -s KILL 4 " + kTarget + " --threads 2 --port " +
                     std::to_string(port) + "' -q",
                 dir_);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("mid-run"), std::string::npos) << r.output;
  const std::string file = path("out/test_many_tabs.json");
  ASSERT_TRUE(fs::exists(file)) << r.output;
  auto j = nlohmann::json::parse(slurp(file));
  EXPECT_EQ(j["status"]["state"], "target_died");
  EXPECT_NE(j["status"]["reason"].get<std::string>().find("mid-run"), std::string::npos);
  EXPECT_GT(j["target"]["samples"]["count"].get<int>(), 5);
}

// `h2soak ARGS` started in the background (output to DIR/h2soak.out); the
// caller signals and reaps it.
pid_t start_h2soak(const std::string& args, const fs::path& dir) {
  const std::string cmd = "H2SOAK_TARGET_BIN=" + kTarget + " exec " + kH2soak + " " + args + " >" +
                          (dir / "h2soak.out").string() + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = -1;
  if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return -1;
  return pid;
}

// The target's PID, once the spawn command has written it (≤ 20 s).
pid_t wait_pidfile(const std::string& file) {
  for (int i = 0; i < 400; ++i) {
    std::string text = slurp(file);
    if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::stoi(text));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

// Alive and not a zombie (an orphan's zombie may wait for an init that never reaps).
bool running(pid_t pid) {
  std::string text = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

// `h2soak run many_tabs.yaml` in the background with a spawn command that
// records the server's PID (the shell execs into it; quoted for the shell
// that starts h2soak and then for --spawn's splitter). Returns h2soak's PID
// and the target's, once written (-1 on failure).
struct Started {
  pid_t h2soak = -1;
  pid_t target = -1;
};
Started start_run_recording_target_pid(const fs::path& dir) {
  const int port = free_port();
  const std::string pidfile = (dir / "target.pid").string();
  const std::string spawn = "'sh -c \"echo \\$\\$ > " + pidfile + "; exec " + kTarget + " --threads 2 --port " +
                            std::to_string(port) + "\"'";
  Started s;
  s.h2soak = start_h2soak("run " + scenario("many_tabs.yaml") + " --out " + (dir / "out").string() +
                              " --target-url https://127.0.0.1:" + std::to_string(port) + " --spawn " + spawn + " -q",
                          dir);
  if (s.h2soak > 0) s.target = wait_pidfile(pidfile);
  return s;
}

// SIGTERM (as from a CI job's timeout) mid-run: the run stops, the target is
// stopped cleanly, and the partial result is written with its reason; exit 3.
TEST_F(RunE2e, SigtermMidRunWritesPartialResultAndStopsTarget) {
  auto [h, target] = start_run_recording_target_pid(dir_);
  ASSERT_GT(h, 0);
  ASSERT_GT(target, 0) << slurp(path("h2soak.out"));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // into the load
  ASSERT_EQ(::kill(h, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(h, &status, 0), h);
  const std::string out = slurp(path("h2soak.out"));
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 3) << out;
  EXPECT_FALSE(running(target)) << "the spawned target outlived h2soak";
  const std::string file = path("out/test_many_tabs.json");
  ASSERT_TRUE(fs::exists(file)) << out;
  auto j = nlohmann::json::parse(slurp(file));
  EXPECT_EQ(j["status"]["state"], "aborted");
  EXPECT_NE(j["status"]["reason"].get<std::string>().find("interrupted"), std::string::npos) << j["status"];
  EXPECT_GT(j["target"]["samples"]["count"].get<int>(), 5);
  EXPECT_EQ(j["target"]["exit_code"], 0);  // stopped by the harness's SIGTERM
}

// SIGKILL of h2soak itself (nothing of it can run any more): its guard still
// takes the spawned target down, so no server is left holding the port.
TEST_F(RunE2e, SigkillOfH2soakStillStopsTheSpawnedTarget) {
  auto [h, target] = start_run_recording_target_pid(dir_);
  ASSERT_GT(h, 0);
  ASSERT_GT(target, 0) << slurp(path("h2soak.out"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(::kill(h, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(h, &status, 0), h);
  for (int i = 0; i < 200 && running(target); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(running(target)) << "the spawned target outlived a killed h2soak";
  if (running(target)) ::kill(target, SIGKILL);
}

// `h2soak bench` under SIGTERM (a CI timeout) stops early like under Ctrl-C: it
// still prints its summary and exits 0, long before its -D.
TEST_F(RunE2e, SigtermEndsBenchEarlyWithItsSummary) {
  const int port = free_port();
  const std::string serve = "exec " + kTarget + " --no-tls --threads 2 --port " + std::to_string(port) + " >" +
                            path("target.out") + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", serve.c_str(), nullptr};
  pid_t target = -1;
  ASSERT_EQ(::posix_spawn(&target, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    up = slurp(path("target.out")).find("listen") != std::string::npos;
  }
  ASSERT_TRUE(up) << slurp(path("target.out"));
  const auto started = std::chrono::steady_clock::now();
  const pid_t h = start_h2soak("bench -D 60 -c 2 -m 4 " + url, dir_);
  ASSERT_GT(h, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(::kill(h, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(h, &status, 0), h);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ::kill(target, SIGTERM);
  ::waitpid(target, nullptr, 0);
  const std::string out = slurp(path("h2soak.out"));
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("finished in"), std::string::npos) << out;
  EXPECT_LT(took, 30.0) << out;
}

// An invalid scenario is exit 2 with file:line:col and a "did you mean".
TEST_F(RunE2e, InvalidScenarioIsExit2WithPosition) {
  const std::string file = path("bad.yaml");
  {
    std::ofstream out(file);
    out << "name: bad\n"
           "phases: {warmup: 1s, steady: 5s, cooldown: 1s}\n"
           "workloads:\n"
           "  - kind: tabs\n"
           "    users: 2\n"
           "    thnk: 100ms..200ms\n";
  }
  Ran r = h2soak("run " + file + " --out " + path("out") + " -q", dir_);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:6:5:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("think"), std::string::npos) << r.output;
}

// ---- TLS session resumption under churn (scenarios/test/tls_resume.yaml) ----

// One short_connections workload's connections and resumed handshakes over
// all phases, as the client counted them (SSL_session_reused).
struct ClientTls {
  std::uint64_t opened = 0;
  std::uint64_t resumed = 0;
};

ClientTls client_tls(const nlohmann::json& result, const std::string& workload) {
  ClientTls c;
  for (const auto& w : result["workloads"]) {
    if (w["name"] != workload) continue;
    for (const auto& p : w["phases"]) {
      c.opened += p["counters"]["connections"]["opened"].get<std::uint64_t>();
      if (p["extra_counters"].contains("tls_resumed")) c.resumed += p["extra_counters"]["tls_resumed"].get<std::uint64_t>();
    }
  }
  return c;
}

// The last value the sampler scraped of one of the server's counters (the
// server starts with the run, so it counts this run only).
double last_gauge(const nlohmann::json& result, const std::string& name) {
  double v = -1;
  for (const auto& x : result["target"]["samples"]["gauges"][name])
    if (!x.is_null()) v = x.get<double>();
  return v;
}

// Connection churn with tls_resume: after each worker's (h2) or pool slot's
// (h1) first connection, every connection offers a ticket and the server
// accepts it. Proven from both ends: the client's SSL_session_reused count and
// the server's own h2soak_target_tls_resumed_total, which must agree.
TEST_F(RunE2e, TlsResumeUnderChurnIsCountedByClientAndServer) {
  Ran r = h2soak("run " + scenario("tls_resume.yaml") + " --out " + path("out") + " -q", dir_);
  ASSERT_EQ(r.code, 0) << r.output;
  auto j = nlohmann::json::parse(slurp(path("out/test_tls_resume.json")));
  const ClientTls h2 = client_tls(j, "h2_resume"), h1 = client_tls(j, "h1_resume");
  const double server_handshakes = last_gauge(j, "h2soak_target_tls_handshakes_total");
  const double server_resumed = last_gauge(j, "h2soak_target_tls_resumed_total");
  const std::string figures = "h2 " + std::to_string(h2.resumed) + "/" + std::to_string(h2.opened) + ", h1 " +
                              std::to_string(h1.resumed) + "/" + std::to_string(h1.opened) + ", server " +
                              std::to_string(server_resumed) + "/" + std::to_string(server_handshakes);
  std::cout << "[ tls resume ] resumed/connections: " << figures << "\n";
  // ~20/s and ~10/s over 4 s of load.
  ASSERT_GE(h2.opened, 60u) << figures;
  ASSERT_GE(h1.opened, 30u) << figures;
  EXPECT_GE(static_cast<double>(h2.resumed), 0.8 * static_cast<double>(h2.opened - 1)) << figures;
  EXPECT_GE(static_cast<double>(h1.resumed), 0.8 * static_cast<double>(h1.opened - 1)) << figures;
  EXPECT_GE(server_handshakes, static_cast<double>(h2.opened + h1.opened)) << figures;  // + the sampler's own
  // The server's count agrees with the client's (the sampler's scrape connection may add one or two).
  EXPECT_NEAR(server_resumed, static_cast<double>(h2.resumed + h1.resumed), 3) << figures;
  EXPECT_GE(server_resumed, static_cast<double>(h2.resumed + h1.resumed)) << figures;
  ASSERT_TRUE(j["analysis"].contains("h2_resume.tls.resumed_share")) << figures;
  EXPECT_GE(j["analysis"]["h2_resume.tls.resumed_share"]["value"].get<double>(), 0.8);
  EXPECT_GE(j["analysis"]["h1_resume.tls.resumed_share"]["value"].get<double>(), 0.8);
}

// The same churn with tls_resume: false (the default): a full handshake per
// connection on both ends, and no resumption metric.
TEST_F(RunE2e, TlsResumeOffMeansFullHandshakes) {
  ::setenv("H2SOAK_TLS_RESUME", "false", 1);
  Ran r = h2soak("run " + scenario("tls_resume.yaml") + " --out " + path("out") + " -q", dir_);
  ::unsetenv("H2SOAK_TLS_RESUME");
  ASSERT_EQ(r.code, 0) << r.output;
  auto j = nlohmann::json::parse(slurp(path("out/test_tls_resume.json")));
  const ClientTls h2 = client_tls(j, "h2_resume"), h1 = client_tls(j, "h1_resume");
  ASSERT_GE(h2.opened, 60u);
  ASSERT_GE(h1.opened, 30u);
  EXPECT_EQ(h2.resumed, 0u);
  EXPECT_EQ(h1.resumed, 0u);
  EXPECT_GE(last_gauge(j, "h2soak_target_tls_handshakes_total"), static_cast<double>(h2.opened + h1.opened));
  EXPECT_EQ(last_gauge(j, "h2soak_target_tls_resumed_total"), 0);
  EXPECT_FALSE(j["analysis"].contains("h2_resume.tls.resumed_share"));
}

// ---- Scale-out: two shards of one run, merged (h2soak merge) ----

// Requests the server answered on its /page/N route, from its own /metrics.
std::uint64_t server_page_requests(const std::string& url, const fs::path& dir) {
  const std::string file = (dir / "metrics.txt").string();
  const std::string cmd = "curl -sk --max-time 5 " + url + "/metrics -o " + file;
  if (std::system(cmd.c_str()) != 0) return 0;
  std::uint64_t n = 0;
  std::istringstream lines(slurp(file));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("h2soak_target_requests_total{route=\"page\"", 0) == 0) n += std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return n;
}

// requests.done of a result file, over every workload and phase.
std::uint64_t requests_done(const nlohmann::json& result) {
  std::uint64_t n = 0;
  for (const auto& w : result["workloads"]) {
    for (const auto& p : w["phases"]) n += p["counters"]["requests"]["done"].get<std::uint64_t>();
  }
  return n;
}

// `bench --shard 1/2` and `--shard 2/2`, started together by one
// `--start-at`, against one reference server started here; `merge` needs no
// scenario: the requests of the merged result are the shards' sum and the
// whole -n, its latency histogram holds every one of them, its params are
// the whole bench's, and the exit code is a bench run's (0).
TEST_F(RunE2e, TwoBenchShardsMergeIntoTheWholeBench) {
  const std::string serve = "exec " + kTarget + " --no-tls --threads 2 --port 0 >" + path("target.out") + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", serve.c_str(), nullptr};
  pid_t target = -1;
  ASSERT_EQ(::posix_spawn(&target, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  std::string port;
  for (int i = 0; i < 100 && port.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string out = slurp(path("target.out"));
    if (out.find('\n') != std::string::npos) port = out.substr(0, out.find('\n'));  // the bound port, alone
  }
  ASSERT_FALSE(port.empty()) << slurp(path("target.out"));
  const std::string url = "http://127.0.0.1:" + port + "/";
  const double t = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() + 2;
  const std::string bench = "bench -n 600 -c 4 -m 2 --start-at " + std::to_string(t) + " --no-progress " + url;
  pid_t shards[2];
  for (int i = 0; i < 2; ++i) {
    const fs::path sub = dir_ / ("s" + std::to_string(i + 1));
    fs::create_directories(sub);
    shards[i] = start_h2soak(bench + " --shard " + std::to_string(i + 1) + "/2 --json " + (sub / "r.json").string(),
                             sub);
    ASSERT_GT(shards[i], 0);
  }
  for (int i = 0; i < 2; ++i) {
    int status = 0;
    ASSERT_EQ(::waitpid(shards[i], &status, 0), shards[i]);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << slurp((dir_ / ("s" + std::to_string(i + 1)) / "h2soak.out").string());
  }
  ::kill(target, SIGTERM);
  ::waitpid(target, nullptr, 0);

  const std::string s1 = path("s1/r.json"), s2 = path("s2/r.json");
  Ran r = h2soak("merge " + s2 + " " + s1 + " --out " + path("merged.json"), dir_);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("merged 2 shards"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("finished in"), std::string::npos) << r.output;  // bench's summary
  const auto j1 = nlohmann::json::parse(slurp(s1)), j2 = nlohmann::json::parse(slurp(s2));
  const auto m = nlohmann::json::parse(slurp(path("merged.json")));
  const std::uint64_t d1 = requests_done(j1), d2 = requests_done(j2), merged = requests_done(m);
  std::cout << "[ bench merge ] shards " << d1 << " + " << d2 << ", merged " << merged << ", start lag "
            << j1["metadata"]["extra"]["start_lag_ms"] << " / " << j2["metadata"]["extra"]["start_lag_ms"] << " ms\n";
  EXPECT_EQ(d1, 300u);
  EXPECT_EQ(d2, 300u);
  EXPECT_EQ(merged, 600u);
  std::uint64_t in_histograms = 0;
  for (const auto& p : m["workloads"][0]["phases"]) {
    in_histograms += p["histograms"]["request_total"]["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(in_histograms, merged);
  EXPECT_EQ(j1["workloads"][0]["params"]["requests"], "300");
  EXPECT_EQ(m["workloads"][0]["params"]["requests"], "600");
  EXPECT_EQ(m["workloads"][0]["params"]["clients"], "4");
  EXPECT_EQ(m["metadata"]["scenario_hash"], j1["metadata"]["scenario_hash"]);
  EXPECT_EQ(m["status"]["state"], "completed");

  // A bench has no verdict: the outputs that judge are refused, nothing written.
  Ran judged = h2soak("merge " + s1 + " " + s2 + " --out " + path("judged.json") + " --junit " + path("j.xml"), dir_);
  EXPECT_EQ(judged.code, 2) << judged.output;
  EXPECT_NE(judged.output.find("--junit: "), std::string::npos) << judged.output;
  EXPECT_FALSE(fs::exists(path("judged.json")));
}

// `run --shard 1/2` and `--shard 2/2` at once against one server started
// here, attached by --pid; `merge` adds them up: its requests are the sum of
// the shards' and exactly what the server itself counted. The load asks only
// /page/N, so the readiness probes ("/") are not in the server's figure.
TEST_F(RunE2e, TwoShardsMergeIntoTheServersOwnCount) {
  const std::string file = path("sharded.yaml");
  {
    std::ofstream out(file);
    out << "name: test_sharded\n"
           "phases: {warmup: 1s, steady: 3s, cooldown: 1s}\n"
           "workloads:\n"
           "  - {kind: bench, clients: 2, max_streams: 4, rate: 200/s, paths: [/page/1, /page/2]}\n"
           "thresholds: [\"errors == 0\"]\n";
  }
  const int port = free_port();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  const std::string serve = "exec " + kTarget + " --threads 2 --port " + std::to_string(port) + " >" +
                            path("target.out") + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", serve.c_str(), nullptr};
  pid_t target = -1;
  ASSERT_EQ(::posix_spawn(&target, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  struct Stop {
    pid_t pid;
    ~Stop() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } stop{target};
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    up = slurp(path("target.out")).find("listen") != std::string::npos;
  }
  ASSERT_TRUE(up) << slurp(path("target.out"));
  const std::uint64_t before = server_page_requests(url, dir_);

  pid_t shards[2];
  for (int i = 0; i < 2; ++i) {
    const fs::path sub = dir_ / ("s" + std::to_string(i + 1));
    fs::create_directories(sub);
    shards[i] = start_h2soak("run " + file + " --shard " + std::to_string(i + 1) + "/2 --out " + sub.string() +
                                 " --target-url " + url + " --pid " + std::to_string(target) + " --threads 1 -q",
                             sub);
    ASSERT_GT(shards[i], 0);
  }
  for (int i = 0; i < 2; ++i) {
    int status = 0;
    ASSERT_EQ(::waitpid(shards[i], &status, 0), shards[i]);
    const std::string out = slurp(path("s" + std::to_string(i + 1) + "/h2soak.out"));
    ASSERT_TRUE(WIFEXITED(status)) << out;
    ASSERT_EQ(WEXITSTATUS(status), 0) << out;
  }
  const std::uint64_t served = server_page_requests(url, dir_) - before;

  const std::string s1 = path("s1/test_sharded.json"), s2 = path("s2/test_sharded.json");
  Ran r = h2soak("merge " + s2 + " " + s1 + " --out " + path("merged.json"), dir_);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("merged 2 shards"), std::string::npos) << r.output;
  const auto j1 = nlohmann::json::parse(slurp(s1)), j2 = nlohmann::json::parse(slurp(s2));
  const auto m = nlohmann::json::parse(slurp(path("merged.json")));
  EXPECT_EQ(j1["metadata"]["extra"]["shard"], "1/2");
  const std::uint64_t d1 = requests_done(j1), d2 = requests_done(j2), merged = requests_done(m);
  std::cout << "[ merge ] shards " << d1 << " + " << d2 << ", merged " << merged << ", server " << served << "\n";
  EXPECT_GT(d1, 100u);
  EXPECT_GT(d2, 100u);
  EXPECT_EQ(merged, d1 + d2);
  EXPECT_EQ(merged, served);
  EXPECT_EQ(m["metadata"]["extra"]["merged_from"], "2 shards");
  EXPECT_FALSE(m["metadata"]["extra"].contains("shard"));
  EXPECT_EQ(m["metadata"]["scenario_hash"], j1["metadata"]["scenario_hash"]);
  EXPECT_EQ(m["thresholds"], nlohmann::json::array({"errors == 0"}));
  EXPECT_EQ(m["analysis"]["requests"]["value"].get<double>(),
            j1["analysis"]["requests"]["value"].get<double>() + j2["analysis"]["requests"]["value"].get<double>());
  EXPECT_EQ(m["target"]["samples"]["pid"], target);

  // Judged with a baseline like a run: one recorded from the merged result
  // itself passes, with the JUnit verdict and the HTML report written.
  Ran rec = h2soak("baseline record-from " + path("merged.json") + " --out " + path("base.json"), dir_);
  ASSERT_EQ(rec.code, 0) << rec.output;
  Ran judged = h2soak("merge " + s1 + " " + s2 + " --out " + path("merged2.json") + " --baseline " +
                          path("base.json") + " --junit " + path("merged.xml") + " --report " + path("report"),
                      dir_);
  EXPECT_EQ(judged.code, 0) << judged.output;
  EXPECT_NE(slurp(path("merged.xml")).find("<testsuites"), std::string::npos);
  // --report: the verdict JSON and the page of the merged result (not of a
  // shard), verdict first, saying what it was merged from.
  EXPECT_NE(judged.output.find("report: " + path("report/report.html")), std::string::npos) << judged.output;
  const auto verdict = nlohmann::json::parse(slurp(path("report/verdict.json")));
  EXPECT_EQ(verdict["schema"], "h2soak.verdict/v1");
  EXPECT_EQ(verdict["passed"], true) << verdict.dump();
  const std::string page = slurp(path("report/report.html"));
  EXPECT_LT(page.find("<h2>Verdict</h2>"), page.find("<h2>Plots</h2>"));
  EXPECT_NE(page.find("<h2>merged2</h2>"), std::string::npos);
  EXPECT_NE(page.find("Merged from 2 shards"), std::string::npos);
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);

  // The same shard twice is refused, naming the file; nothing is written.
  Ran twice = h2soak("merge " + s1 + " " + s1 + " --out " + path("twice.json"), dir_);
  EXPECT_EQ(twice.code, 2) << twice.output;
  EXPECT_NE(twice.output.find("shard 1/2 given twice"), std::string::npos) << twice.output;
  EXPECT_FALSE(fs::exists(path("twice.json")));
}

// The deployment without a generator beside the target: `h2soak sample`
// samples the server (attached by --pid) while two shards load it as a
// remote target (`--remote`: its url only, nothing sampled by them), all
// three started together by the same `--start-at T`; `merge --samples` takes
// the target's series from the agent. The shards' time zeros (start_unix) are
// T, within the barrier's lag, so their arrivals interleave as planned.
TEST_F(RunE2e, SamplerAgentAndTwoShardsStartTogetherAndMerge) {
  const std::string file = path("sharded.yaml");
  {
    std::ofstream out(file);
    out << "name: test_sharded_sampled\n"
           "phases: {warmup: 1s, steady: 3s, cooldown: 1s}\n"
           "workloads:\n"
           "  - {kind: bench, clients: 2, max_streams: 4, rate: 200/s, paths: [/page/1, /page/2]}\n"
           "thresholds: [\"errors == 0\"]\n";
  }
  const int port = free_port();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  const std::string serve = "exec " + kTarget + " --threads 2 --port " + std::to_string(port) + " >" +
                            path("target.out") + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", serve.c_str(), nullptr};
  pid_t target = -1;
  ASSERT_EQ(::posix_spawn(&target, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  struct Stop {
    pid_t pid;
    ~Stop() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } stop{target};
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    up = slurp(path("target.out")).find("listen") != std::string::npos;
  }
  ASSERT_TRUE(up) << slurp(path("target.out"));
  const std::string attach = " --target-url " + url + " --pid " + std::to_string(target);

  // A remote run scrapes nothing: --metrics-url with --remote is a usage error.
  Ran scrape = h2soak("run " + file + " --out " + path("scrape") + " --target-url " + url +
                          " --remote --metrics-url " + url + "/metrics -q",
                      dir_);
  EXPECT_EQ(scrape.code, 2) << scrape.output;
  EXPECT_NE(scrape.output.find("--metrics-url: a --remote run samples nothing"), std::string::npos) << scrape.output;

  // A barrier in the past (by more than 1 s) is a usage error before anything starts.
  Ran past = h2soak("run " + file + " --shard 1/2 --out " + path("past") + attach + " --start-at 1000000000 -q", dir_);
  EXPECT_EQ(past.code, 2) << past.output;
  EXPECT_NE(past.output.find("--start-at: 1000000000.000 is"), std::string::npos) << past.output;
  EXPECT_FALSE(fs::exists(path("past/test_sharded_sampled.json")));

  const double t_start =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() + 2.0;
  std::ostringstream at;
  at.precision(3);
  at << std::fixed << t_start;
  const std::string barrier = " --start-at " + at.str();

  const fs::path agent_dir = dir_ / "agent";
  fs::create_directories(agent_dir);
  const std::string samples = path("agent/s.json");
  pid_t procs[3];
  const std::string clock_port = std::to_string(free_port());
  procs[0] = start_h2soak("sample " + file + " --out " + samples + attach + barrier + " --clock-port " + clock_port +
                              " -q",
                          agent_dir);
  for (int i = 1; i <= 2; ++i) {
    const fs::path sub = dir_ / ("s" + std::to_string(i));
    fs::create_directories(sub);
    procs[i] = start_h2soak("run " + file + " --shard " + std::to_string(i) + "/2 --out " + sub.string() +
                                " --target-url " + url + " --remote -k" + barrier + " --threads 1 -q" +
                                " --clock-from 127.0.0.1:" + clock_port,
                            sub);
  }
  const char* names[] = {"agent", "s1", "s2"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_GT(procs[i], 0);
    int status = 0;
    ASSERT_EQ(::waitpid(procs[i], &status, 0), procs[i]);
    const std::string out = slurp(path(std::string(names[i]) + "/h2soak.out"));
    ASSERT_TRUE(WIFEXITED(status)) << out;
    ASSERT_EQ(WEXITSTATUS(status), 0) << names[i] << ": " << out;
  }

  const auto s = nlohmann::json::parse(slurp(samples));
  EXPECT_EQ(s["metadata"]["extra"]["role"], "sampler");
  EXPECT_EQ(s["workloads"].size(), 0u);
  EXPECT_EQ(s["target"]["samples"]["pid"], target);
  const std::size_t sample_count = s["target"]["samples"]["count"].get<std::size_t>();
  EXPECT_GT(sample_count, 40u);  // 5 s at 100 ms, plus the lead and the tail
  ASSERT_EQ(s["phases"].size(), 3u);
  EXPECT_EQ(s["phases"][1]["name"], "steady");
  EXPECT_NEAR(s["phases"][2]["end"].get<double>(), 5.0, 0.2);

  const std::string s1 = path("s1/test_sharded_sampled.json"), s2 = path("s2/test_sharded_sampled.json");
  const auto j1 = nlohmann::json::parse(slurp(s1)), j2 = nlohmann::json::parse(slurp(s2));
  const double u0 = s["metadata"]["start_unix"].get<double>(), u1 = j1["metadata"]["start_unix"].get<double>(),
               u2 = j2["metadata"]["start_unix"].get<double>();
  std::cout << "[ barrier ] T " << at.str() << ", sampler " << std::fixed << u0 - t_start << " s, shard 1 "
            << u1 - t_start << " s, shard 2 " << u2 - t_start << " s\n";
  EXPECT_NEAR(u0, t_start, 0.2);
  EXPECT_NEAR(u1, t_start, 0.2);
  EXPECT_NEAR(u2, t_start, 0.2);
  EXPECT_NEAR(u1, u2, 0.2);
  EXPECT_EQ(j1["metadata"]["extra"]["start_at"], at.str());
  for (const auto* j : {&j1, &j2}) {
    EXPECT_EQ((*j)["target"]["mode"], "remote");
    EXPECT_EQ((*j)["target"]["pid"], 0);
    EXPECT_EQ((*j)["target"]["samples"]["count"], 0) << "a remote shard samples nothing";
    EXPECT_EQ((*j)["phases"].size(), 3u) << "but it marks its phases";
    // One machine, one clock: the measured offset is within its uncertainty of 0.
    const auto& extra = (*j)["metadata"]["extra"];
    ASSERT_TRUE(extra.contains("clock_offset_ms")) << extra.dump();
    EXPECT_LE(std::fabs(std::stod(extra["clock_offset_ms"].get<std::string>())),
              std::stod(extra["clock_uncertainty_ms"].get<std::string>()) + 0.01)
        << extra.dump();
  }
  EXPECT_GE(std::stoi(s["metadata"]["extra"]["clock_probes_answered"].get<std::string>()), 2);
  EXPECT_LT(std::fabs(std::stod(j2["metadata"]["extra"]["start_lag_ms"].get<std::string>())), 200.0);

  Ran r = h2soak("merge " + s1 + " " + s2 + " --samples " + samples + " --out " + path("merged.json"), dir_);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto m = nlohmann::json::parse(slurp(path("merged.json")));
  EXPECT_EQ(m["target"]["samples"]["count"].get<std::size_t>(), sample_count);
  EXPECT_EQ(m["target"]["samples"]["pid"], target);
  EXPECT_NE(m["metadata"]["extra"]["merged_sources"].get<std::string>().find("; samples: " + samples),
            std::string::npos)
      << m["metadata"]["extra"]["merged_sources"];
  EXPECT_NEAR(m["metadata"]["start_unix"].get<double>(), u0, 1e-6);
  EXPECT_TRUE(m["metadata"]["extra"].contains("merged_clock_offsets_ms")) << m["metadata"]["extra"].dump();
  const std::uint64_t d1 = requests_done(j1), d2 = requests_done(j2);
  EXPECT_GT(d1, 100u);
  EXPECT_GT(d2, 100u);
  EXPECT_EQ(requests_done(m), d1 + d2);
  EXPECT_TRUE(m["analysis"].contains("rss.slope")) << m["analysis"].dump();

  // The agent's result given as a shard is refused with a hint.
  Ran wrong = h2soak("merge " + s1 + " " + s2 + " " + samples + " --out " + path("wrong.json"), dir_);
  EXPECT_EQ(wrong.code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("pass it with --samples"), std::string::npos) << wrong.output;
}

// A B A B with the same clean server on both sides: no regression; with a
// worse B (idle connections never closed) → exit 1 naming the metric.
TEST_F(RunE2e, AbFlagsWorseB) {
  Ran r = h2soak("ab " + scenario("idle_connections.yaml") + " --pairs 1 --out " + path("ab") +
                     " --a 'h2soak-target --threads 2 --idle-timeout 2s --read-timeout 2s'"
                     " --b 'h2soak-target --threads 2 --idle-timeout 60s --read-timeout 60s' -q --report " +
                     path("ab-report"),
                 dir_);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("fds.residual"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(path("ab/a.test_idle_connections.run1.json"))) << r.output;
  EXPECT_TRUE(fs::exists(path("ab/b.test_idle_connections.run1.json")));
  // --report: an A/B page, the pairwise verdict first, A and B labelled.
  const std::string page = slurp(path("ab-report/report.html"));
  EXPECT_NE(page.find("h2soak A/B report: test_idle_connections"), std::string::npos) << r.output;
  EXPECT_NE(page.find("A 1 (a.test_idle_connections.run1)"), std::string::npos);
  EXPECT_NE(page.find("B 1 (b.test_idle_connections.run1)"), std::string::npos);
  EXPECT_LT(page.find("fds.residual"), page.find("<h2>Plots</h2>"));
}

}  // namespace

namespace {

// True when some line of `output` names a metric starting with `prefix` as a regression.
bool flags_metric(const std::string& output, const std::string& prefix) {
  size_t pos = 0;
  while (pos < output.size()) {
    size_t end = output.find('\n', pos);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(pos, end - pos);
    if (line.find(prefix) != std::string::npos && line.find("REGRESSION") != std::string::npos) return true;
    pos = end + 1;
  }
  return false;
}

// The seeded leaks of the reference server, as a user would A/B them: the same
// server on both sides, B with one --fault.
TEST_F(RunE2e, AbFlagsSeededFaults) {
  struct Case {
    const char* scenario;
    const char* fault;
    const char* metric;
  };
  for (const Case& c : {Case{"many_tabs.yaml", "fd-leak", "fds."}, Case{"sse_long_poll.yaml", "sse-thread-leak", "threads."}}) {
    Ran r = h2soak("ab " + scenario(c.scenario) + " --pairs 1 --out " + path(std::string("ab-") + c.fault) +
                       " --b-args '--fault " + c.fault + "' -q",
                   dir_);
    EXPECT_EQ(r.code, 1) << c.fault << "\n" << r.output;
    EXPECT_TRUE(flags_metric(r.output, c.metric)) << c.fault << ": no " << c.metric << " regression\n" << r.output;
  }
}

}  // namespace
