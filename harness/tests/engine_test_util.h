#pragma once
// Helpers for the engine's end-to-end tests: run a bench plan in-process,
// check the accounting identity, spawn and stop child processes (nghttpd,
// h2soak-target, the h2soak binary), free ports.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "harness/workloads/bench_workload.h"
#include "harness/load/runner.h"

namespace h2soak::tests {

struct BenchRun {
  load::RunOutcome outcome;
  double wall_seconds = 0;
  const metrics::Counters& counters() const { return outcome.steady().counters; }
};

// Builds a plan for `url` (resolved), lets `tweak` adjust plan and runner
// options, runs it in-process.
BenchRun run_bench(const std::string& url, const std::function<void(workloads::BenchPlan&, load::RunnerOptions&)>& tweak);

// done == succeeded + failed + errored + timeout; started == done; the
// planned total (requests, when given) == done + dropped; error events of
// request classes add up to errored + timeout.
void expect_exact_accounting(const BenchRun& run, std::uint64_t planned);

// A child process (argv[0] is a path), stdout captured to a file. kill() sends
// SIGTERM then SIGKILL after 2 s, by PID only.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& stdout_path);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  void kill();

 private:
  pid_t pid_ = -1;
};

// Waits until 127.0.0.1:port accepts a TCP connection (true) or `timeout_ms` passes.
bool wait_for_port(std::uint16_t port, int timeout_ms);
// Runs a shell command line, returns its exit code (-1 when it did not exit normally).
int run_command(const std::string& command_line);
std::string h2soak_binary();
std::string temp_dir();  // a fresh folder under /tmp for this test process
// Self-signed key and certificate for 127.0.0.1/localhost in `dir` (openssl CLI).
bool make_certificate(const std::string& dir);
// RSS (kB) and open fd count of this process.
long self_rss_kb();
int self_fd_count();

}  // namespace h2soak::tests
