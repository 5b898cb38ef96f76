#include "target_server/worker.h"

#include <unistd.h>

#include "target_server/connection.h"

namespace h2soak::server {

Worker::Worker(const ServerState& state, const Templates& templates, SSL_CTX* ssl_ctx, bool plain_allowed,
               std::atomic<int>& open_connections)
    : state_(state),
      templates_(templates),
      router_(state),
      ssl_ctx_(ssl_ctx),
      plain_allowed_(plain_allowed),
      open_connections_(open_connections),
      loop_(ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV)),
      read_buf_(64 * 1024) {
  env_.loop = loop_;
  env_.stats = &stats_;
  env_.templates = &templates_;
  env_.faults = state.faults;
  ev_async_init(&async_, on_async);
  async_.data = this;
  ev_async_start(loop_, &async_);
  ev_init(&grace_timer_, on_grace);
  grace_timer_.data = this;
}

Worker::~Worker() {
  join();
  connections_.clear();
  ev_async_stop(loop_, &async_);
  ev_timer_stop(loop_, &grace_timer_);
  ev_loop_destroy(loop_);
  std::lock_guard lock(mu_);
  for (int fd : posted_fds_) {
    ::close(fd);
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void Worker::start() {
  thread_ = std::thread([this] {
    ev_run(loop_, 0);
    // Whatever is left after the grace period goes now, on this thread.
    connections_.clear();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::post(int fd) {
  {
    std::lock_guard lock(mu_);
    posted_fds_.push_back(fd);
  }
  ev_async_send(loop_, &async_);
}

void Worker::request_shutdown(Millis grace) {
  {
    std::lock_guard lock(mu_);
    shutdown_requested_ = true;
    grace_ = grace;
  }
  ev_async_send(loop_, &async_);
}

void Worker::on_async(struct ev_loop*, ev_async* w, int) {
  auto* self = static_cast<Worker*>(w->data);
  self->take_posted();
}

void Worker::take_posted() {
  std::vector<int> fds;
  bool shutdown = false;
  {
    std::lock_guard lock(mu_);
    fds.swap(posted_fds_);
    shutdown = shutdown_requested_;
  }
  for (int fd : fds) {
    if (shutting_down_) {
      ::close(fd);
      open_connections_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    auto c = std::make_unique<Connection>(*this, fd, ssl_ctx_, plain_allowed_);
    Connection* raw = c.get();
    connections_.emplace(raw, std::move(c));
    raw->start();
  }
  if (shutdown && !shutting_down_) begin_shutdown();
}

void Worker::begin_shutdown() {
  shutting_down_ = true;
  double grace_s;
  {
    std::lock_guard lock(mu_);
    grace_s = static_cast<double>(grace_.count()) / 1000.0;
  }
  for (auto& [raw, c] : connections_) c->begin_shutdown();
  ev_timer_set(&grace_timer_, grace_s, 0.);
  ev_timer_start(loop_, &grace_timer_);
  stop_if_done();
}

void Worker::on_grace(struct ev_loop*, ev_timer* w, int) {
  auto* self = static_cast<Worker*>(w->data);
  // Grace is over: whatever is still open is cut now.
  for (auto& [raw, c] : self->connections_) c->close();
  self->connections_.clear();
  self->stop_if_done();
}

void Worker::reap(Connection* c) {
  connections_.erase(c);
  stop_if_done();
}

void Worker::on_connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

void Worker::stop_if_done() {
  if (!shutting_down_ || !connections_.empty()) return;
  ev_timer_stop(loop_, &grace_timer_);
  ev_async_stop(loop_, &async_);
  ev_break(loop_, EVBREAK_ALL);
}

}  // namespace h2soak::server
