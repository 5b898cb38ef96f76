#include "harness/load/worker.h"

#include <time.h>

#include <algorithm>

#include "harness/load/h2_connection.h"

namespace h2soak::load {
namespace {
constexpr Nanos kSweepInterval = std::chrono::milliseconds(100);
constexpr Nanos kPublishInterval = std::chrono::seconds(1);

// CPU seconds the calling thread has used.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

Worker::Worker(int index, int count, net::TlsOptions tls_options, WorkerSchedule schedule)
    : index_(index),
      count_(count),
      tls_options_(std::move(tls_options)),
      loop_(ev_loop_new(EVFLAG_AUTO)),
      schedule_(schedule) {
  read_buffer_.reset(new std::uint8_t[kReadBufferSize]);
  ev_prepare_init(&prepare_, &Worker::on_prepare);
  prepare_.data = this;
  ev_async_init(&async_, &Worker::on_async);
  async_.data = this;
  // Started here, on the thread that creates the worker, before any other
  // thread can call request_stop(): libev creates the loop's wake-up eventfd
  // now, and a stop requested before run() stays pending instead of being
  // reset by a later ev_async_start (ThreadSanitizer found the race).
  ev_async_start(loop_, &async_);
  dirty_.reserve(256);
}

Worker::~Worker() {
  warmup_timer_.reset();
  deadline_timer_.reset();
  drain_timer_.reset();
  publish_timer_.reset();
  sweep_timer_.reset();
  ev_prepare_stop(loop_, &prepare_);
  ev_async_stop(loop_, &async_);
  tls_resume_.reset();
  tls_.reset();
  ev_loop_destroy(loop_);
}

net::TlsContext* Worker::tls(std::string* error, bool resume) {
  // A workload that resumes on a run whose TLS options do not: a second context, so the
  // others keep a full handshake per connection.
  const bool separate = resume && !tls_options_.resume;
  std::unique_ptr<net::TlsContext>& slot = separate ? tls_resume_ : tls_;
  if (!slot) {
    net::TlsOptions options = tls_options_;
    if (separate) options.resume = true;
    auto created = net::TlsContext::create(options);
    if (!created) {
      if (error) *error = created.error().message();
      return nullptr;
    }
    slot = std::move(*created);
  }
  return slot.get();
}

void Worker::run(Workload& workload) {
  workload_ = &workload;
  ev_prepare_start(loop_, &prepare_);
  ev_unref(loop_);  // the prepare watcher alone must not keep the loop alive

  // libev's cached time may be as old as the loop (the workload was built
  // since): refresh it, so the sweep timer's cadence is the one on_sweep expects.
  ev_now_update(loop_);
  interval_start_ = now();
  interval_cpu_ = thread_cpu_seconds();
  publish_timer_ = std::make_unique<Timer>(loop_, [this] {
    publish();
    measure_interval();
  });
  publish_timer_->start(kPublishInterval, kPublishInterval);
  sweep_timer_ = std::make_unique<Timer>(loop_, [this] { on_sweep(); });
  next_sweep_ = now() + kSweepInterval;
  sweep_timer_->start(kSweepInterval, kSweepInterval);

  // Phases are relative to the common origin, so that workers started a few
  // microseconds apart still switch phase at the same moment.
  const TimePoint t0 = now();
  auto until = [&](Nanos offset) {
    auto d = schedule_.origin + offset - t0;
    return d.count() > 0 ? std::chrono::duration_cast<Nanos>(d) : Nanos{0};
  };
  if (schedule_.warmup.count() == 0) {
    steady_start_ = now();
    workload.begin_steady();
  }
  workload.start();
  if (schedule_.warmup.count() > 0) {
    warmup_timer_ = std::make_unique<Timer>(loop_, [this] {
      steady_start_ = now();
      workload_->begin_steady();
    });
    warmup_timer_->start(until(schedule_.warmup));
  }
  if (schedule_.duration.count() > 0) {
    deadline_timer_ = std::make_unique<Timer>(loop_, [this] { begin_stop(); });
    deadline_timer_->start(until(schedule_.warmup + schedule_.duration));
  }
  if (stop_requested_.load()) begin_stop();
  // The publish and sweep timers keep the loop alive until finish() breaks it
  // (ev_run forgets a break issued before it started, hence the check).
  if (!finished_) ev_run(loop_, 0);
  publish();
  measure_interval();
  publish_timer_->stop();
  sweep_timer_->stop();
  if (warmup_timer_) warmup_timer_->stop();
  if (deadline_timer_) deadline_timer_->stop();
  if (drain_timer_) drain_timer_->stop();
}

void Worker::begin_stop() {
  if (stopping_ || finished_) return;
  stopping_ = true;
  if (steady_start_ == TimePoint{}) steady_start_ = now();
  drain_timer_ = std::make_unique<Timer>(loop_, [this] {
    if (!finished_) workload_->abort();
    if (!finished_) finish();  // the workload's connections are released when it is destroyed
  });
  drain_timer_->start(schedule_.drain);
  workload_->stop();
}

void Worker::on_sweep() {
  const TimePoint t = now();
  // Lateness against the timer's own cadence; after a stall longer than a
  // tick the cadence restarts (libev does not fire the missed ticks).
  const std::uint64_t lag = micros_between(next_sweep_, t);
  next_sweep_ += kSweepInterval;
  if (next_sweep_ < t) next_sweep_ = t + kSweepInterval;
  if (steady_start_ != TimePoint{} && !stopping_) {
    load_.loop_lag.record(lag);
    interval_lag_max_ = std::max(interval_lag_max_, static_cast<double>(lag));
  }
  for (std::size_t i = 0; i < connections_.size(); ++i) connections_[i]->sweep_timeouts(t);
}

void Worker::measure_interval() {
  const TimePoint t = now();
  const double cpu = thread_cpu_seconds();
  const double wall = seconds_between(interval_start_, t);
  if (wall < 0.05) return;  // the final call right after a tick: nothing to add
  load_.t.push_back(seconds_between(schedule_.origin, t));
  load_.busy.push_back((cpu - interval_cpu_) / wall);
  load_.lag_max.push_back(interval_lag_max_);
  interval_start_ = t;
  interval_cpu_ = cpu;
  interval_lag_max_ = 0;
}

void Worker::finish() {
  if (finish_filter_ && !finish_filter_()) return;
  finished_ = true;
  ev_break(loop_, EVBREAK_ALL);
}

void Worker::request_stop() {
  stop_requested_.store(true);
  ev_async_send(loop_, &async_);
}

void Worker::on_async(struct ev_loop*, ev_async* w, int) {
  auto* self = static_cast<Worker*>(w->data);
  if (self->stop_requested_.load() && self->workload_) self->begin_stop();
}

void Worker::on_prepare(struct ev_loop*, ev_prepare* w, int) { static_cast<Worker*>(w->data)->flush_dirty(); }

void Worker::flush_dirty() {
  // Connections may be appended while flushing (a close can trigger new
  // submits elsewhere); index-based iteration sees them too.
  for (std::size_t i = 0; i < dirty_.size(); ++i)
    if (H2Connection* c = dirty_[i]) c->flush();
  dirty_.clear();
}

void Worker::publish() {
  if (!workload_) return;
  Snapshot s;
  workload_->progress(s.counters, s.in_flight);
  s.steady = steady_start_ != TimePoint{};
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  snapshot_ = s;
}

Worker::Snapshot Worker::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return snapshot_;
}

void Worker::add_connection(H2Connection* c) { connections_.push_back(c); }

void Worker::remove_connection(H2Connection* c) {
  auto it = std::find(connections_.begin(), connections_.end(), c);
  if (it != connections_.end()) {
    *it = connections_.back();
    connections_.pop_back();
  }
  std::replace(dirty_.begin(), dirty_.end(), c, static_cast<H2Connection*>(nullptr));
}

}  // namespace h2soak::load
