#include "harness/tests/engine_test_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "harness/net/url.h"

namespace h2soak::tests {

BenchRun run_bench(const std::string& url_text,
                   const std::function<void(workloads::BenchPlan&, load::RunnerOptions&)>& tweak) {
  workloads::BenchPlan plan;
  auto url = net::parse_url(url_text);
  EXPECT_TRUE(url.ok()) << url_text;
  plan.urls.push_back(*url);
  auto address = net::resolve(url->host, url->port);
  EXPECT_TRUE(address.ok());
  plan.address = *address;
  load::RunnerOptions options;
  options.tls.insecure = true;
  tweak(plan, options);
  plan.settings.max_concurrent_streams = plan.max_streams;
  BenchRun run;
  const auto t0 = std::chrono::steady_clock::now();
  run.outcome = load::run_workers(options, [&plan](load::Worker& w) {
    return std::make_unique<workloads::BenchWorkload>(w, plan);
  });
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

void expect_exact_accounting(const BenchRun& run, std::uint64_t planned) {
  const auto& c = run.counters();
  EXPECT_EQ(c.requests_done, c.requests_succeeded + c.requests_failed + c.requests_errored + c.requests_timeout);
  EXPECT_EQ(c.requests_started, c.requests_done) << "requests still in flight at the end";
  if (planned > 0) {
    EXPECT_EQ(planned, c.requests_done + c.requests_dropped);
  }
  std::uint64_t request_error_events = 0;
  for (auto cls : {metrics::ErrorClass::kRstStream, metrics::ErrorClass::kGoaway, metrics::ErrorClass::kTimeout,
                   metrics::ErrorClass::kProtocol, metrics::ErrorClass::kPeerClosed, metrics::ErrorClass::kOther})
    request_error_events += c.error(cls);
  EXPECT_EQ(request_error_events, c.requests_errored + c.requests_timeout);
  std::uint64_t statuses = c.status_other;
  for (auto n : c.status_class) statuses += n;
  EXPECT_GE(statuses, c.requests_succeeded + c.requests_failed);
  EXPECT_EQ(run.outcome.steady().request_total.count(), c.requests_succeeded + c.requests_failed);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& stdout_path) {
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() { kill(); }

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool wait_for_port(std::uint16_t port, int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int run_command(const std::string& command_line) {
  int status = std::system(command_line.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string h2soak_binary() { return std::string(H2SOAK_BINARY_DIR) + "/harness/cli/h2soak"; }

std::string temp_dir() {
  static const std::string dir = [] {
    std::string templ = "/tmp/h2soak-engine-test-XXXXXX";
    char* d = ::mkdtemp(templ.data());
    return std::string(d ? d : "/tmp");
  }();
  return dir;
}

bool make_certificate(const std::string& dir) {
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir +
                          "/key.pem -out " + dir +
                          "/cert.pem -days 2 -subj /CN=localhost "
                          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1";
  return run_command(cmd) == 0;
}

long self_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

int self_fd_count() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n - 1;  // the directory stream's own fd
}

}  // namespace h2soak::tests
