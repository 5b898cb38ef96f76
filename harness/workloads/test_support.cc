#include "harness/workloads/test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "harness/sampler/scraper.h"

namespace h2soak::workloads::testing {

TargetServer::TargetServer(const std::vector<std::string>& args) {
  launch::SpawnOptions o;
  o.argv = {std::string(H2SOAK_BINARY_DIR) + "/target_server/h2soak-target", "--port", "0"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  log_path_ = ::testing::TempDir() + "workloads-target-" + std::to_string(::getpid()) + "-" +
              std::to_string(reinterpret_cast<std::uintptr_t>(this) & 0xffff) + ".log";
  o.log_path = log_path_;
  auto p = launch::TargetProcess::spawn(o);
  if (!p) {
    ADD_FAILURE() << "spawn: " << p.error().message();
    return;
  }
  process_ = std::move(*p);
  auto port = process_->wait_port_line(std::chrono::seconds(5));
  if (!port) {
    ADD_FAILURE() << "port line: " << port.error().message();
    return;
  }
  port_ = *port;
}

TargetServer::~TargetServer() {
  if (process_) process_->stop(std::chrono::seconds(3));
}

std::map<std::string, double> TargetServer::scrape(const std::vector<std::string>& selectors) const {
  std::map<std::string, double> out;
  for (const auto& s : selectors) out[s] = 0;
  auto scraper = sampler::Scraper::create(http_url() + "/metrics", selectors, std::chrono::seconds(3), true);
  if (!scraper) {
    ADD_FAILURE() << scraper.error().message();
    return out;
  }
  auto values = (*scraper)->scrape();
  if (!values) {
    ADD_FAILURE() << "scrape: " << values.error().message();
    return out;
  }
  for (const auto& [k, v] : *values) out[k] = v;
  return out;
}

scenario::Plan one_workload_plan(const std::string& name, scenario::WorkloadParams params, Nanos warmup,
                                 Nanos steady, Nanos cooldown, Nanos close_at) {
  scenario::Plan plan;
  plan.scenario_name = "test-" + name;
  plan.phases = {{"warmup", Nanos{0}, warmup, true},
                 {"steady", warmup, steady, true},
                 {"cooldown", warmup + steady, cooldown, false}};
  plan.load_windows = {{Nanos{0}, warmup + steady}};
  plan.steady = {warmup, warmup + steady};
  plan.cooldown = {warmup + steady, warmup + steady + cooldown};
  plan.total_duration = warmup + steady + cooldown;
  scenario::PlannedWorkload w;
  w.name = name;
  w.params = std::move(params);
  w.kind = static_cast<scenario::WorkloadKind>(w.params.index());
  w.active = plan.load_windows;
  w.close_at = close_at.count() >= 0 ? close_at : warmup + steady;
  plan.workloads.push_back(w);
  return plan;
}

metrics::WorkloadMetrics both_phases(const WorkloadOutcome& o) {
  metrics::WorkloadMetrics m;
  m.series.set_origin(o.warmup.series.origin());
  m.merge(o.warmup);
  m.merge(o.steady);
  return m;
}

}  // namespace h2soak::workloads::testing
