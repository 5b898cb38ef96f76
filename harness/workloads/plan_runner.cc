#include "harness/workloads/plan_runner.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/load/worker.h"
#include "harness/net/tls.h"
#include "harness/net/url.h"
#include "harness/workloads/composite_workload.h"
#include "harness/workloads/factory.h"
#include "harness/workloads/params_text.h"

namespace h2soak::workloads {
namespace {
constexpr auto kWake = std::chrono::milliseconds(100);
constexpr auto kProgressEvery = std::chrono::seconds(1);

// Everything until the end of the "warmup" phase is warm-up (load::Phase::kWarmup).
Nanos warmup_end(const scenario::Plan& plan) {
  const auto* w = plan.phase(scenario::kWarmup);
  return w ? w->end() : Nanos{0};
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

  net::TlsOptions tls;
  tls.insecure = opts.insecure;
  tls.alpn = {"h2"};
  std::vector<std::unique_ptr<load::Worker>> workers;
  for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<load::Worker>(i, n, tls));
  std::vector<std::unique_ptr<CompositeWorkload>> composites(n);

  load::WorkerSchedule schedule;
  schedule.origin = out.origin;
  schedule.warmup = std::min(warmup_end(plan), plan.total_duration);
  schedule.duration = plan.total_duration - schedule.warmup;
  if (schedule.duration.count() <= 0) schedule.duration = std::chrono::milliseconds(1);
  schedule.drain = opts.drain;

  std::mutex mutex;
  std::condition_variable cv;
  int running = n;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      load::Worker& w = *workers[i];
      std::vector<std::unique_ptr<load::Workload>> parts;
      for (auto c : contexts) {
        c.part = i;
        parts.push_back(make_workload(w, c));
      }
      composites[i] = std::make_unique<CompositeWorkload>(w, std::move(parts));
      w.run(*composites[i], schedule);
      std::lock_guard<std::mutex> lock(mutex);
      --running;
      cv.notify_all();
    });
  }

  bool stop_sent = false;
  TimePoint next_progress = out.origin + kProgressEvery;
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (running > 0) {
      cv.wait_for(lock, kWake);
      if (running == 0) break;
      if (!stop_sent && opts.stop_flag && opts.stop_flag->load()) {
        stop_sent = true;
        out.interrupted = true;
        for (auto& w : workers) w->request_stop();
      }
      if (opts.on_progress && now() >= next_progress) {
        next_progress += kProgressEvery;
        lock.unlock();
        PlanProgress p;
        p.elapsed_seconds = seconds_between(out.origin, now());
        const auto* phase = plan.phase_at(std::chrono::duration_cast<Nanos>(now() - out.origin));
        p.phase = phase ? phase->name : "";
        for (auto& w : workers) {
          auto s = w->snapshot();
          p.counters.merge(s.counters);
          p.in_flight += s.in_flight;
        }
        opts.on_progress(p);
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();
  out.end = now();

  out.never_connected = !contexts.empty();
  for (std::size_t j = 0; j < contexts.size(); ++j) {
    WorkloadOutcome o;
    o.name = contexts[j].planned.name;
    o.kind = scenario::to_string(contexts[j].planned.kind);
    o.params = describe_params(contexts[j].planned.params);
    o.warmup.series.set_origin(out.origin);
    o.steady.series.set_origin(out.origin);
    for (auto& c : composites) {
      const load::Workload& part = c->part(j);
      o.warmup.merge(part.metrics(load::Phase::kWarmup));
      o.steady.merge(part.metrics(load::Phase::kSteady));
      if (!part.never_connected()) o.never_connected = false;
      if (auto e = part.last_error(); !e.empty()) o.last_error = e;
    }
    if (!o.never_connected) out.never_connected = false;
    out.workloads.push_back(std::move(o));
  }
  // Workloads (and their connections) go before the workers (their loops).
  composites.clear();
  workers.clear();
  return out;
}

}  // namespace h2soak::workloads
