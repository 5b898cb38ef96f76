// The engine end to end against independent servers: Debian's nghttpd over
// h2c and TLS, and the reference server h2soak-target, whose own /metrics
// counters must agree exactly with what the generator counted.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness/result/result_json.h"
#include "harness/tests/engine_test_util.h"
#include "harness/tests/hostile_server.h"

namespace h2soak::tests {
namespace {

using namespace std::chrono_literals;
constexpr const char* kNghttpd = "/usr/sbin/nghttpd";
constexpr std::size_t kFileSize = 2048;

bool exists(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// nghttpd serving a 2,048-byte file at /index.html (h2c, or TLS with a fresh certificate).
class Nghttpd {
 public:
  explicit Nghttpd(bool tls) : port_(unused_port()) {
    dir_ = temp_dir() + (tls ? "/www-tls" : "/www");
    run_command("mkdir -p " + dir_);
    std::ofstream(dir_ + "/index.html") << std::string(kFileSize, 'a');
    std::vector<std::string> argv{kNghttpd, "-d", dir_};
    if (!tls) argv.push_back("--no-tls");
    argv.push_back(std::to_string(port_));
    if (tls) {
      ok_ = make_certificate(temp_dir());
      argv.push_back(temp_dir() + "/key.pem");
      argv.push_back(temp_dir() + "/cert.pem");
    }
    child_ = std::make_unique<ChildProcess>(argv, dir_ + ".log");
    ok_ = ok_ && wait_for_port(port_, 5000);
  }
  bool ok() const { return ok_; }
  std::string url(bool tls) const {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/index.html";
  }
  pid_t pid() const { return child_->pid(); }

 private:
  std::uint16_t port_;
  std::string dir_;
  bool ok_ = true;
  std::unique_ptr<ChildProcess> child_;
};

void expect_all_ok(const BenchRun& run, std::uint64_t n) {
  expect_exact_accounting(run, n);
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_succeeded, n);
  EXPECT_EQ(c.status_class[1], n);
  EXPECT_EQ(c.bytes_in_data, n * kFileSize);
  EXPECT_EQ(c.errors_total(), 0u);
  EXPECT_EQ(run.outcome.steady().ttfb.count(), n);
  EXPECT_GT(c.bytes_out, 0u);
  EXPECT_GT(c.bytes_in_total, c.bytes_in_data + c.bytes_in_headers);
}

TEST(EngineE2E, NghttpdH2c) {
  if (!exists(kNghttpd)) GTEST_FAIL() << "nghttpd not installed (ci/deps.sh installs nghttp2-server)";
  Nghttpd server(false);
  ASSERT_TRUE(server.ok());
  auto run = run_bench(server.url(false), [](workloads::BenchPlan& p, load::RunnerOptions& o) {
    p.requests = 3000;
    p.clients = 4;
    p.max_streams = 8;
    o.threads = 2;
  });
  expect_all_ok(run, 3000);
  EXPECT_EQ(run.counters().connections_opened, 4u);
  EXPECT_EQ(run.outcome.steady().tls_handshake.count(), 0u);
}

TEST(EngineE2E, NghttpdTls) {
  if (!exists(kNghttpd)) GTEST_FAIL() << "nghttpd not installed (ci/deps.sh installs nghttp2-server)";
  Nghttpd server(true);
  ASSERT_TRUE(server.ok());
  auto run = run_bench(server.url(true), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 2000;
    p.clients = 4;
    p.max_streams = 8;
  });
  expect_all_ok(run, 2000);
  EXPECT_EQ(run.outcome.steady().tls_handshake.count(), 4u);
}

TEST(EngineE2E, NghttpdOpenModeKeepsTheRate) {
  if (!exists(kNghttpd)) GTEST_FAIL() << "nghttpd not installed (ci/deps.sh installs nghttp2-server)";
  Nghttpd server(false);
  ASSERT_TRUE(server.ok());
  auto run = run_bench(server.url(false), [](workloads::BenchPlan& p, load::RunnerOptions&) {
    p.requests = 1000;
    p.clients = 2;
    p.max_streams = 16;
    p.rate = 1000;
  });
  expect_exact_accounting(run, 1000);
  EXPECT_EQ(run.counters().requests_dropped, 0u);
  EXPECT_NEAR(run.wall_seconds, 1.0, 0.5);
}

TEST(EngineE2E, CliWritesLogFileAndJson) {
  if (!exists(kNghttpd)) GTEST_FAIL() << "nghttpd not installed (ci/deps.sh installs nghttp2-server)";
  Nghttpd server(false);
  ASSERT_TRUE(server.ok());
  const std::string log = temp_dir() + "/requests.log", json = temp_dir() + "/result.json";
  const int rc = run_command("timeout 30 " + h2soak_binary() + " bench -n 300 -c 3 -m 4 --log-file " + log +
                             " --json " + json + " " + server.url(false) + " > " + temp_dir() + "/summary.txt");
  ASSERT_EQ(rc, 0);
  std::ifstream in(log);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++lines;
    std::istringstream fields(line);
    std::string start, status, connect, tls, ttfb, total, bytes_in, bytes_out, error;
    fields >> start >> status >> connect >> tls >> ttfb >> total >> bytes_in >> bytes_out >> error;
    EXPECT_EQ(status, "200") << line;
    EXPECT_EQ(error, "-") << line;
    EXPECT_LE(std::stoll(ttfb), std::stoll(total)) << line;
    EXPECT_GT(std::stoll(bytes_in), static_cast<long long>(kFileSize)) << line;
  }
  EXPECT_EQ(lines, 300);
  auto result = result::read_result(json);
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_EQ(result->workloads.size(), 1u);
  EXPECT_EQ(result->workloads[0].kind, "bench");
  const auto* steady = result->workloads[0].find_phase("steady");
  ASSERT_NE(steady, nullptr);
  EXPECT_EQ(steady->counters.requests_succeeded, 300u);
  EXPECT_EQ(steady->request_total.count(), 300u);
  std::ifstream summary(temp_dir() + "/summary.txt");
  std::stringstream text;
  text << summary.rdbuf();
  EXPECT_NE(text.str().find("requests: 300 total, 300 started, 300 done, 300 succeeded"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("time to 1st byte:"), std::string::npos);
}

// ---- h2soak-target: the server's own counters must agree ----

// $H2SOAK_TARGET overrides the binary of this build tree.
std::string target_binary() {
  if (const char* env = std::getenv("H2SOAK_TARGET")) return env;
  return std::string(H2SOAK_BINARY_DIR) + "/target_server/h2soak-target";
}

struct Scrape {
  std::uint64_t static_requests = 0;
  std::uint64_t bytes_sent = 0;
  std::size_t response_bytes = 0;  // the scrape's own HTTP/1.1 response, as read
};

Scrape scrape(std::uint16_t port) {
  Scrape s;
  const std::string file = temp_dir() + "/metrics.txt";
  run_command("curl -s -i --http1.1 http://127.0.0.1:" + std::to_string(port) + "/metrics -o " + file);
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  s.response_bytes = text.size();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("h2soak_target_requests_total{route=\"static\"", 0) == 0)
      s.static_requests += std::stoull(line.substr(line.rfind(' ') + 1));
    else if (line.rfind("h2soak_target_bytes_sent_total ", 0) == 0)
      s.bytes_sent = std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return s;
}

class TargetMetrics : public ::testing::TestWithParam<bool> {};  // param: --h1

TEST_P(TargetMetrics, AgreeWithTheGenerator) {
  const bool h1 = GetParam();
  if (!exists(target_binary())) GTEST_FAIL() << "h2soak-target not built";
  const std::string out = temp_dir() + (h1 ? "/target-h1.out" : "/target.out");
  ChildProcess target({target_binary(), "--port", "0", "--threads", "1", "--no-tls"}, out);
  std::uint16_t port = 0;
  for (int i = 0; i < 250 && port == 0; ++i) {
    std::ifstream in(out);
    std::string first;
    if (std::getline(in, first) && !first.empty() && std::isdigit(static_cast<unsigned char>(first[0])))
      port = static_cast<std::uint16_t>(std::stoi(first));
    else
      std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(port, 0) << "no port line from h2soak-target";
  ASSERT_TRUE(wait_for_port(port, 5000));
  const Scrape before = scrape(port);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/static/bench-2k.html";
  const std::uint64_t n = h1 ? 2000 : 5000;
  auto run = run_bench(url, [&](workloads::BenchPlan& p, load::RunnerOptions& o) {
    p.requests = n;
    p.clients = 4;
    p.max_streams = 16;
    p.h1 = h1;
    o.threads = 2;
  });
  const Scrape after = scrape(port);
  expect_exact_accounting(run, n);
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_succeeded, n);
  EXPECT_EQ(after.static_requests - before.static_requests, c.requests_succeeded);
  EXPECT_EQ(c.bytes_in_data, n * 2048u);
  // Between the scrapes the server wrote our bytes plus the first scrape's own response.
  EXPECT_EQ(after.bytes_sent - before.bytes_sent, c.bytes_in_total + before.response_bytes);
  if (h1) {
    EXPECT_EQ(c.connections_opened, 4u) << "curl keeps one connection per client alive";
  }
}

INSTANTIATE_TEST_SUITE_P(EngineE2E, TargetMetrics, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "h1" : "h2c"; });

}  // namespace
}  // namespace h2soak::tests
