#include "harness/workloads/workload_base.h"

#include <algorithm>
#include <functional>

#include "harness/load/worker.h"

namespace h2soak::workloads {

WorkloadBase::WorkloadBase(load::Worker& worker, WorkloadContext context)
    : worker_(worker),
      context_(std::move(context)),
      rng_(0x50a4ULL * 1000003ULL + std::hash<std::string>{}(context_.planned.name) +
           static_cast<unsigned>(context_.part) * 7919ULL) {
  for (auto& m : metrics_) m.series.set_origin(worker.origin());
  schedule_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { on_schedule_timer(); });
}

WorkloadBase::~WorkloadBase() = default;

Nanos WorkloadBase::random_in(Nanos min, Nanos max) {
  if (max <= min) return min;
  const double u = unit_(rng_);
  return min + std::chrono::duration_cast<Nanos>((max - min) * u);
}

void WorkloadBase::start() { on_schedule_timer(); }

void WorkloadBase::begin_steady() {
  phase_ = load::Phase::kSteady;
  on_phase(current());
}

void WorkloadBase::stop() {
  if (stopping_) return;
  stopping_ = true;
  window_open_ = false;
  schedule_timer_->stop();
  on_window_close();
}

void WorkloadBase::abort() {
  if (!stopping_) stop();
  if (closed_) return;
  closed_ = true;
  close_all();
}

void WorkloadBase::progress(metrics::Counters& counters, std::uint64_t& in_flight_out) const {
  counters = metrics_[static_cast<int>(phase_)].counters;
  in_flight_out = in_flight();
}

// Applies every boundary (window start/end, close_at) that is due, then arms
// the timer for the next one.
void WorkloadBase::on_schedule_timer() {
  if (stopping_ || closed_) return;
  const Nanos t = std::chrono::duration_cast<Nanos>(now() - worker_.origin());
  const auto& p = context_.planned;
  if (closing_ || t >= p.close_at) {
    if (!closing_) {
      closing_ = true;
      close_deadline_ = now() + kCloseGrace;
      window_open_ = false;
      on_window_close();
    }
    if (in_flight() == 0 || now() >= close_deadline_) {
      closed_ = true;
      close_all();
    } else {
      schedule_timer_->start(std::chrono::milliseconds(20));
    }
    return;
  }
  bool open = false;
  for (const auto& w : p.active)
    if (t >= w.start && t < w.end) {
      open = true;
      // A shard's open-model arrivals start arrival_offset into the window.
      window_start_ = worker_.origin() + w.start + p.arrival_offset;
      window_end_ = worker_.origin() + std::min(w.end, p.close_at);
    }
  if (open != window_open_) {
    window_open_ = open;
    if (open) on_window_open();
    else on_window_close();
  }
  arm_schedule();
}

void WorkloadBase::arm_schedule() {
  const Nanos t = std::chrono::duration_cast<Nanos>(now() - worker_.origin());
  const auto& p = context_.planned;
  Nanos next = p.close_at;
  for (const auto& w : p.active) {
    if (w.start > t) next = std::min(next, w.start);
    if (w.end > t) next = std::min(next, w.end);
  }
  Nanos delay = next - t;
  if (delay.count() < 0) delay = Nanos{0};
  schedule_timer_->start(delay + std::chrono::microseconds(100));
}

}  // namespace h2soak::workloads
