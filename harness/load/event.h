#pragma once
// Small RAII wrappers over libev watchers for code running on a worker's
// loop: a Timer with a callback, so that workloads and connections need not
// write libev boilerplate. Not thread-safe: use only on the owning loop.
//
// The callback is a std::function set once at construction (setup time); it
// is never reallocated on the hot path. Destroying a Timer stops it.

#include <ev.h>

#include <functional>

#include "harness/util/clock.h"

namespace h2soak::load {

class Timer {
 public:
  Timer(struct ev_loop* loop, std::function<void()> callback) : loop_(loop), callback_(std::move(callback)) {
    ev_init(&watcher_, &Timer::on_timer);
    watcher_.data = this;
  }
  ~Timer() { stop(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // One shot after `delay` (or repeating every `repeat` when > 0). Restarts if running.
  void start(Nanos delay, Nanos repeat = Nanos{0}) {
    ev_timer_stop(loop_, &watcher_);
    ev_timer_set(&watcher_, to_seconds(delay), to_seconds(repeat));
    ev_timer_start(loop_, &watcher_);
  }
  // libev's cheap re-arm for inactivity timers: restarts the repeat interval.
  void again(Nanos repeat) {
    watcher_.repeat = to_seconds(repeat);
    ev_timer_again(loop_, &watcher_);
  }
  void stop() { ev_timer_stop(loop_, &watcher_); }
  bool active() const { return ev_is_active(&watcher_); }

 private:
  static double to_seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }
  static void on_timer(struct ev_loop*, ev_timer* w, int) { static_cast<Timer*>(w->data)->callback_(); }

  struct ev_loop* loop_;
  std::function<void()> callback_;
  ev_timer watcher_;
};

}  // namespace h2soak::load
