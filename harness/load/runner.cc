#include "harness/load/runner.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/load/worker.h"

namespace h2soak::load {
namespace {
constexpr auto kWake = std::chrono::milliseconds(100);
constexpr auto kProgressEvery = std::chrono::seconds(1);
}  // namespace

RunOutcome run_workers(const RunnerOptions& options, const WorkloadFactory& factory) {
  const int n = std::max(1, options.threads);
  RunOutcome out;
  out.origin = now();
  for (auto& p : out.phases) p.series.set_origin(out.origin);

  WorkerSchedule schedule;
  schedule.origin = out.origin;
  schedule.warmup = options.warmup;
  schedule.duration = options.duration;
  schedule.drain = options.drain;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>(i, n, options.tls, schedule));
  std::vector<std::unique_ptr<Workload>> workloads(n);
  std::vector<TimePoint> ends(n);

  std::mutex mutex;
  std::condition_variable cv;
  int running = n;

  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      Worker& w = *workers[i];
      workloads[i] = factory(w);
      w.run(*workloads[i]);
      ends[i] = now();
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
      if (!stop_sent && options.stop_flag && options.stop_flag->load()) {
        stop_sent = true;
        out.interrupted = true;
        for (auto& w : workers) w->request_stop();
      }
      if (options.on_progress && now() >= next_progress) {
        next_progress += kProgressEvery;
        lock.unlock();
        Progress p;
        const TimePoint t = now();
        p.elapsed_seconds = seconds_between(out.origin, t);
        if (options.phase_at) p.phase = options.phase_at(std::chrono::duration_cast<Nanos>(t - out.origin));
        p.steady = true;
        for (auto& w : workers) {
          auto s = w->snapshot();
          p.counters.merge(s.counters);
          p.in_flight += s.in_flight;
          p.steady = p.steady && s.steady;
        }
        options.on_progress(p);
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();

  out.end = out.origin;
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < kPhaseCount; ++p) out.phases[p].merge(workloads[i]->metrics(static_cast<Phase>(p)));
    if (!workloads[i]->never_connected()) out.never_connected = false;
    if (auto e = workloads[i]->last_error(); !e.empty()) out.last_error = e;
    const TimePoint s = workers[i]->steady_start();
    if (s != TimePoint{} && (out.steady_start == TimePoint{} || s < out.steady_start)) out.steady_start = s;
    if (ends[i] > out.end) out.end = ends[i];
    if (options.on_joined) options.on_joined(i, *workloads[i]);
    out.workers.push_back(workers[i]->load());
  }
  if (out.steady_start == TimePoint{}) out.steady_start = out.end;
  out.steady_seconds = seconds_between(out.steady_start, out.end);
  if (options.duration.count() > 0 && !out.interrupted) {
    out.steady_seconds = std::min(out.steady_seconds, std::chrono::duration<double>(options.duration).count());
  }
  // Workloads (and their connections) are destroyed on this thread after
  // their loops stopped; workers (loops) after them.
  workloads.clear();
  workers.clear();
  return out;
}

}  // namespace h2soak::load
