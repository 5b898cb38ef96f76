#include "harness/workloads/silent_socket.h"

#include <unistd.h>

#include <cerrno>

namespace h2soak::workloads {

SilentSocket::SilentSocket(struct ev_loop* loop, std::function<void(bool)> on_connected,
                           std::function<void(bool)> on_peer_closed)
    : loop_(loop), on_connected_(std::move(on_connected)), on_peer_closed_(std::move(on_peer_closed)) {
  ev_io_init(&watcher_, &SilentSocket::on_io, -1, EV_WRITE);
  watcher_.data = this;
}

SilentSocket::~SilentSocket() { close(); }

bool SilentSocket::connect(const net::Address& address) {
  close();
  auto fd = net::start_connect(address);
  if (!fd) return false;
  fd_ = *fd;
  state_ = State::kConnecting;
  ev_io_set(&watcher_, fd_, EV_WRITE);
  ev_io_start(loop_, &watcher_);
  return true;
}

void SilentSocket::close() {
  ev_io_stop(loop_, &watcher_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  state_ = State::kIdle;
}

void SilentSocket::on_io(struct ev_loop*, ev_io* w, int) { static_cast<SilentSocket*>(w->data)->handle_io(); }

void SilentSocket::handle_io() {
  if (state_ == State::kConnecting) {
    ev_io_stop(loop_, &watcher_);
    if (!net::finish_connect(fd_)) {
      close();
      on_connected_(false);
      return;
    }
    state_ = State::kOpen;
    ev_io_set(&watcher_, fd_, EV_READ);
    ev_io_start(loop_, &watcher_);
    on_connected_(true);
    return;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) continue;  // whatever the server says is dropped
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    const bool reset = n < 0;  // ECONNRESET (or another error) rather than EOF
    close();
    on_peer_closed_(reset);
    return;
  }
}

}  // namespace h2soak::workloads
