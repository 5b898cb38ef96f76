#include "target_server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace h2soak::server {

Server::Server(Config config, FaultSet faults)
    : config_(std::move(config)), faults_(std::move(faults)), sessions_(config_.session_ttl) {}

Server::~Server() {
  workers_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool Server::listen_socket(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(config_.port);
  int rc = getaddrinfo(config_.bind.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = fmt::format("--bind {}: {}", config_.bind, gai_strerror(rc));
    return false;
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 4096) == 0;
  if (!ok) *error = fmt::format("listen on {}:{}: {}", config_.bind, config_.port, std::strerror(errno));
  freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return false;
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  config_.port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  listen_fd_ = fd;
  return true;
}

int Server::run() {
  signal(SIGPIPE, SIG_IGN);
  std::string error;
  try {
    templates_ = std::make_unique<Templates>();
    pages_ = std::make_unique<PageModels>(config_.pages, assets_);
    templates_->pad_to_target_sizes(*pages_);
  } catch (const std::exception& e) {
    fmt::print(stderr, "h2soak-target: {}\n", e.what());
    return 1;
  }
  if (config_.tls_mode != TlsMode::kNoTls) {
    ssl_ctx_ = make_server_ssl_ctx(config_.cert_file, config_.key_file, &error);
    if (!ssl_ctx_) {
      fmt::print(stderr, "h2soak-target: TLS: {}\n", error);
      return 1;
    }
  }
  if (!listen_socket(&error)) {
    fmt::print(stderr, "h2soak-target: {}\n", error);
    return 1;
  }
  if (!config_.pidfile.empty()) {
    std::ofstream(config_.pidfile) << getpid() << "\n";
  }
  state_ = std::unique_ptr<ServerState>(new ServerState{config_, assets_, *pages_, sessions_, stats_,
                                                        std::chrono::steady_clock::now(),
                                                        faults_.empty() ? nullptr : &faults_});

  // Workers must not take SIGTERM/SIGINT: block them while the threads are created.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  const bool plain_allowed = config_.tls_mode != TlsMode::kTlsOnly;
  for (int i = 0; i < config_.threads; ++i) {
    workers_.push_back(
        std::make_unique<Worker>(*state_, *templates_, ssl_ctx_.get(), plain_allowed, open_connections_));
    stats_.workers.push_back(&workers_.back()->stats());
  }
  for (auto& w : workers_) w->start();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);

  loop_ = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOENV);
  ev_io_init(&accept_io_, on_accept, listen_fd_, EV_READ);
  accept_io_.data = this;
  ev_io_start(loop_, &accept_io_);
  ev_signal_init(&sigterm_, on_signal, SIGTERM);
  ev_signal_init(&sigint_, on_signal, SIGINT);
  sigterm_.data = sigint_.data = this;
  ev_signal_start(loop_, &sigterm_);
  ev_signal_start(loop_, &sigint_);
  ev_timer_init(&tick_, on_tick, 1.0, 1.0);
  tick_.data = this;
  ev_timer_start(loop_, &tick_);
  ev_init(&accept_pause_, [](struct ev_loop* loop, ev_timer* w, int) {
    auto* self = static_cast<Server*>(w->data);
    if (!self->stopping_) ev_io_start(loop, &self->accept_io_);
  });
  accept_pause_.data = this;

  std::printf("%d\n", config_.port);
  std::fflush(stdout);
  fmt::print(stderr, "h2soak-target: listening on {}:{} ({} worker threads, {})\n", config_.bind, config_.port,
             config_.threads,
             config_.tls_mode == TlsMode::kBoth    ? "h2+TLS, h2c, HTTP/1.1"
             : config_.tls_mode == TlsMode::kNoTls ? "h2c, HTTP/1.1"
                                                   : "TLS only");

  ev_run(loop_, 0);

  for (auto& w : workers_) w->join();
  ev_signal_stop(loop_, &sigterm_);
  ev_signal_stop(loop_, &sigint_);
  ev_timer_stop(loop_, &tick_);
  ev_timer_stop(loop_, &accept_pause_);
  if (!config_.pidfile.empty()) ::unlink(config_.pidfile.c_str());
  fmt::print(stderr, "h2soak-target: stopped\n");
  return 0;
}

void Server::on_accept(struct ev_loop*, ev_io* w, int) { static_cast<Server*>(w->data)->accept_all(); }

void Server::accept_all() {
  for (int i = 0; i < 128; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        fmt::print(stderr, "h2soak-target: accept: {}; pausing accepts for 100ms\n", std::strerror(errno));
        ev_io_stop(loop_, &accept_io_);
        ev_timer_set(&accept_pause_, 0.1, 0.);
        ev_timer_start(loop_, &accept_pause_);
      }
      return;  // EAGAIN, or a client that gave up (ECONNABORTED)
    }
    if (open_connections_.load(std::memory_order_relaxed) >= config_.max_connections) {
      ::close(fd);  // over --max-connections
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    open_connections_.fetch_add(1, std::memory_order_relaxed);
    workers_[next_worker_++ % workers_.size()]->post(fd);
  }
}

void Server::on_signal(struct ev_loop* loop, ev_signal* w, int) {
  auto* self = static_cast<Server*>(w->data);
  if (self->stopping_) return;
  self->stopping_ = true;
  fmt::print(stderr, "h2soak-target: signal {}: shutting down (grace {} ms)\n", w->signum,
             self->config_.grace.count());
  ev_io_stop(loop, &self->accept_io_);
  ::close(self->listen_fd_);
  self->listen_fd_ = -1;
  for (auto& worker : self->workers_) worker->request_shutdown(self->config_.grace);
  ev_break(loop, EVBREAK_ALL);  // run() joins the workers
}

void Server::on_tick(struct ev_loop*, ev_timer* w, int) { static_cast<Server*>(w->data)->tick(); }

void Server::tick() {
  sessions_.sweep(SessionStore::Clock::now());
  // Once all connections are gone, give freed memory of every malloc arena back to the
  // system, so an idle server's RSS returns to where it started.
  if (open_connections_.load(std::memory_order_relaxed) != 0) return;
  uint64_t total = 0;
  for (const WorkerStats* s : stats_.workers) total += s->connections_total.get();
  if (total != trimmed_at_connections_) {
    trimmed_at_connections_ = total;
    malloc_trim(0);
  }
}

}  // namespace h2soak::server
