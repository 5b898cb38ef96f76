#include "harness/workloads/plan_runner.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "harness/load/runner.h"
#include "harness/load/worker.h"
#include "harness/net/url.h"
#include "harness/util/fd_limit.h"
#include "harness/workloads/composite_workload.h"
#include "harness/workloads/factory.h"
#include "harness/workloads/params_text.h"

namespace h2soak::workloads {
namespace {
// Everything until the end of the "warmup" phase is warm-up (load::Phase::kWarmup).
Nanos warmup_end(const scenario::Plan& plan) {
  const auto* w = plan.phase(scenario::kWarmup);
  return w ? w->end() : Nanos{0};
}

// "the plan (up to 1000 connections at once; workload feeds: 990, workload
// idle: 10)": the subject of the descriptor check, naming the workloads that
// hold the connections, most first (three at most), so the error says which
// one to shrink.
std::string fd_demand(const scenario::Plan& plan, std::uint64_t connections) {
  std::vector<const scenario::PlannedWorkload*> holders;
  for (const auto& w : plan.workloads)
    if (w.max_connections > 0) holders.push_back(&w);
  std::stable_sort(holders.begin(), holders.end(),
                   [](const auto* a, const auto* b) { return a->max_connections > b->max_connections; });
  std::string what = "the plan (up to " + std::to_string(connections) + " connections at once";
  for (std::size_t i = 0; i < holders.size() && i < 3; ++i)
    what += (i == 0 ? "; workload " : ", workload ") + holders[i]->name + ": " +
            std::to_string(holders[i]->max_connections);
  if (holders.size() > 3) what += ", ...";
  return what + ")";
}
}  // namespace

PlanRunOutcome run_plan(const scenario::Plan& plan, const PlanRunOptions& opts) {
  PlanRunOutcome out;
  out.origin = now();
  out.end = out.origin;

  auto url = net::parse_url(opts.base_url);
  if (!url) {
    out.error = url.error().message();
    out.never_connected = true;
    return out;
  }
  auto address = net::resolve(url->host, url->port);
  if (!address) {
    out.error = address.error().message();
    out.never_connected = true;
    return out;
  }
  const int n = std::max(1, opts.threads);
  std::vector<WorkloadContext> contexts;
  for (const auto& w : plan.workloads) {
    WorkloadContext c;
    c.planned = w;
    c.base = *url;
    c.address = *address;
    c.parts = n;
    if (auto st = check_workload(c); !st) {
      out.error = "workload " + w.name + ": " + st.error().message();
      return out;
    }
    contexts.push_back(std::move(c));
  }
  std::uint64_t connections = 0;
  for (const auto& w : plan.workloads) connections += w.max_connections;
  if (auto st = check_fd_budget(connections + fd_overhead(n), fd_demand(plan, connections), raise_fd_limit()); !st) {
    out.error = st.error().message();
    return out;
  }

  load::RunnerOptions ro;
  ro.threads = n;
  ro.tls.insecure = opts.insecure;
  ro.tls.alpn = {"h2"};
  ro.warmup = std::min(warmup_end(plan), plan.total_duration);
  ro.duration = plan.total_duration - ro.warmup;
  if (ro.duration.count() <= 0) ro.duration = std::chrono::milliseconds(1);
  ro.drain = opts.drain;
  ro.stop_flag = opts.stop_flag;
  ro.on_progress = opts.on_progress;
  ro.phase_at = [&plan](Nanos t) {
    const auto* phase = plan.phase_at(t);
    return phase != nullptr ? phase->name : std::string();
  };

  // Each workload's figures: the merge of its part on every worker.
  std::vector<WorkloadOutcome> outcomes(contexts.size());
  for (std::size_t j = 0; j < contexts.size(); ++j) {
    outcomes[j].name = contexts[j].planned.name;
    outcomes[j].kind = scenario::to_string(contexts[j].planned.kind);
    outcomes[j].params = describe_params(contexts[j].planned.params);
  }
  ro.on_joined = [&outcomes](int, const load::Workload& workload) {
    const auto& composite = static_cast<const CompositeWorkload&>(workload);
    for (std::size_t j = 0; j < outcomes.size(); ++j) {
      const load::Workload& part = composite.part(j);
      outcomes[j].warmup.merge(part.metrics(load::Phase::kWarmup));
      outcomes[j].steady.merge(part.metrics(load::Phase::kSteady));
      if (!part.never_connected()) outcomes[j].never_connected = false;
      if (auto e = part.last_error(); !e.empty()) outcomes[j].last_error = e;
    }
  };

  const load::RunOutcome run = load::run_workers(ro, [&contexts](load::Worker& w) -> std::unique_ptr<load::Workload> {
    std::vector<std::unique_ptr<load::Workload>> parts;
    for (auto c : contexts) {
      c.part = w.index();
      parts.push_back(make_workload(w, c));
    }
    return std::make_unique<CompositeWorkload>(w, std::move(parts));
  });
  out.origin = run.origin;
  out.end = run.end;
  out.interrupted = run.interrupted;
  out.workers = run.workers;
  out.never_connected = !outcomes.empty();
  for (auto& o : outcomes) {
    o.warmup.series.set_origin(out.origin);
    o.steady.series.set_origin(out.origin);
    if (!o.never_connected) out.never_connected = false;
  }
  out.workloads = std::move(outcomes);
  return out;
}

}  // namespace h2soak::workloads
