#pragma once
// Test-only helpers for the workload end-to-end tests: spawn the reference
// server (h2soak-target) on a free port, scrape its /metrics, and build a
// small Plan around one workload. Each test starts its own server and stops
// it (by the PID it started) when the TargetServer goes away.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/scenario/plan.h"
#include "harness/launch/target_process.h"
#include "harness/workloads/plan_runner.h"

namespace h2soak::workloads::testing {

class TargetServer {
 public:
  // Starts h2soak-target --port 0 plus `args`; fails the test (gtest) on error.
  explicit TargetServer(const std::vector<std::string>& args = {});
  ~TargetServer();
  int port() const { return port_; }
  std::string https_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Value of each selector (sum over matching series; 0 when absent).
  std::map<std::string, double> scrape(const std::vector<std::string>& selectors) const;
  double scrape_one(const std::string& selector) const { return scrape({selector}).at(selector); }
  bool alive() { return process_ && process_->alive(); }

 private:
  std::unique_ptr<launch::TargetProcess> process_;
  std::string log_path_;
  int port_ = 0;
};

// A plan with phases warmup / steady / cooldown and one workload that is
// active through warmup + steady and closes its connections then (close_at
// given explicitly overrides that, e.g. idle holds until the end).
scenario::Plan one_workload_plan(const std::string& name, scenario::WorkloadParams params, Nanos warmup,
                                 Nanos steady, Nanos cooldown, Nanos close_at = Nanos{-1});

// Sum of a counter over the warmup and steady metrics of a workload outcome.
metrics::WorkloadMetrics both_phases(const WorkloadOutcome& o);

}  // namespace h2soak::workloads::testing
