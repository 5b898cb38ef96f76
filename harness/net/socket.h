#pragma once
// Address resolution and non-blocking TCP sockets. Resolution is done once per
// run (before workers start); connects are non-blocking and complete on the
// worker's loop (the caller watches the fd for writability, then calls
// finish_connect()).

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "harness/util/result.h"

namespace h2soak::net {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string to_string() const;
};

// getaddrinfo(host, port); the first result.
Result<Address> resolve(const std::string& host, std::uint16_t port);

// socket(SOCK_NONBLOCK | SOCK_CLOEXEC) + TCP_NODELAY + connect(). Returns the
// fd; the connect may still be in progress (EINPROGRESS). The caller owns the fd.
Result<int> start_connect(const Address& address);

// After the fd became writable: SO_ERROR, as an Error naming errno's text.
Status finish_connect(int fd);

}  // namespace h2soak::net
