#include "harness/run/clock_probe.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "harness/net/socket.h"

namespace h2soak::run {
namespace {

constexpr std::size_t kQuery = 8;
constexpr std::size_t kAnswer = 16;

void put_u64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double ns_to_s(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

// A dual-stack socket where the kernel allows one, else IPv4 only.
Result<int> bind_udp(std::uint16_t port) {
  int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    int off = 0;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_any;
    a.sin6_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
  }
  fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd);
    return Error(fmt::format("cannot bind UDP port {}: {}", port, std::strerror(e)));
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage s{};
  socklen_t len = sizeof s;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len) != 0) return 0;
  if (s.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&s)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&s)->sin_port);
}

// One query and its answer (or nothing within `timeout`).
std::optional<ClockExchange> exchange(int fd, std::uint64_t nonce, Nanos timeout) {
  unsigned char q[kQuery];
  put_u64(q, nonce);
  const std::int64_t sent = realtime_ns();
  if (::send(fd, q, sizeof q, 0) != static_cast<ssize_t>(sizeof q)) return std::nullopt;
  const TimePoint deadline = now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    unsigned char a[kAnswer + 1];
    const ssize_t n = ::recv(fd, a, sizeof a, 0);
    const std::int64_t received = realtime_ns();
    if (n != static_cast<ssize_t>(kAnswer) || get_u64(a) != nonce) continue;  // a stray or late answer
    return ClockExchange{ns_to_s(sent), ns_to_s(static_cast<std::int64_t>(get_u64(a + 8))), ns_to_s(received)};
  }
}

}  // namespace

std::optional<ClockOffset> best_offset(const std::vector<ClockExchange>& exchanges) {
  const ClockExchange* best = nullptr;
  for (const auto& e : exchanges) {
    if (e.received < e.sent) continue;
    if (best == nullptr || e.received - e.sent < best->received - best->sent) best = &e;
  }
  if (best == nullptr) return std::nullopt;
  ClockOffset o;
  o.offset = best->server - (best->sent + best->received) / 2;
  o.uncertainty = (best->received - best->sent) / 2;
  o.exchanges = static_cast<int>(exchanges.size());
  return o;
}

Result<std::pair<std::string, std::uint16_t>> parse_clock_address(std::string_view text) {
  const auto bad = [&] {
    return Error(fmt::format("--clock-from: expected HOST:PORT (the sampler's --clock-port), got \"{}\"", text));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad();
    port = port * 10 + static_cast<unsigned>(c - '0');
    if (port > 65535) return bad();
  }
  if (port == 0) return bad();
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

Result<ClockOffset> measure_clock_offset(const std::string& host, std::uint16_t port, int probes, Nanos timeout,
                                         Nanos patience) {
  auto address = net::resolve(host, port);
  if (!address) return address.error();
  const int fd = ::socket(address->storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length) != 0) {
    return Error(fmt::format("cannot reach {}: {}", address->to_string(), std::strerror(errno)));
  }
  std::mt19937_64 random(std::random_device{}());
  std::vector<ClockExchange> got;
  const TimePoint give_up = now() + patience;
  while (got.empty() && now() < give_up) {
    for (int i = 0; i < probes; ++i) {
      if (auto e = exchange(fd, random(), timeout)) got.push_back(*e);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  auto best = best_offset(got);
  if (!best) {
    return Error(fmt::format("no answer from the clock service at {} within {:.0f} s (is `h2soak sample "
                             "--clock-port {}` running there?)",
                             address->to_string(), std::chrono::duration<double>(patience).count(), port));
  }
  return *best;
}

Result<std::unique_ptr<ClockServer>> ClockServer::start(std::uint16_t port) {
  auto fd = bind_udp(port);
  if (!fd) return fd.error();
  std::unique_ptr<ClockServer> s(new ClockServer(*fd, bound_port(*fd)));
  s->thread_ = std::thread([raw = s.get()] { raw->serve(); });
  return s;
}

ClockServer::ClockServer(int fd, std::uint16_t port) : fd_(fd), port_(port) {}

ClockServer::~ClockServer() { stop(); }

void ClockServer::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void ClockServer::serve() {
  while (!stopping_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    unsigned char q[kQuery + 1];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n != static_cast<ssize_t>(kQuery)) continue;
    unsigned char a[kAnswer];
    std::memcpy(a, q, kQuery);
    put_u64(a + 8, static_cast<std::uint64_t>(realtime_ns()));
    if (::sendto(fd_, a, sizeof a, 0, reinterpret_cast<sockaddr*>(&from), len) == static_cast<ssize_t>(sizeof a)) {
      answered_.fetch_add(1);
    }
  }
}

void record_clock(const std::string& from, const Result<ClockOffset>& measured,
                  std::map<std::string, std::string>& extra) {
  extra["clock_from"] = from;
  if (!measured) {
    extra["clock_error"] = measured.error().message();
    return;
  }
  extra["clock_offset_ms"] = fmt::format("{:+.3f}", measured->offset * 1000.0);
  extra["clock_uncertainty_ms"] = fmt::format("{:.3f}", measured->uncertainty * 1000.0);
}

std::optional<double> recorded_clock_offset(const std::map<std::string, std::string>& extra) {
  const auto it = extra.find("clock_offset_ms");
  if (it == extra.end()) return std::nullopt;
  try {
    return std::stod(it->second) / 1000.0;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace h2soak::run
