#include "harness/net/transport.h"

#include <openssl/err.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace h2soak::net {
namespace {

using Status = IoResult::Status;

IoResult fail(Status status, std::string text) {
  IoResult r;
  r.status = status;
  r.error = std::move(text);
  return r;
}

IoResult done(std::size_t bytes) {
  IoResult r;
  r.bytes = bytes;
  return r;
}

int clamp_int(std::size_t n) { return n > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n); }

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}

  IoResult read(std::uint8_t* buf, std::size_t capacity) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buf, capacity);
      if (n > 0) return done(static_cast<std::size_t>(n));
      if (n == 0) return fail(Status::kClosed, "the peer closed the connection");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return fail(Status::kWantRead, {});
      return fail(Status::kError, std::string("read: ") + std::strerror(errno));
    }
  }

  IoResult write(const std::uint8_t* data, std::size_t length) override {
    for (;;) {
      const ssize_t n = ::write(fd_, data, length);
      if (n >= 0) return done(static_cast<std::size_t>(n));
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return fail(Status::kWantWrite, {});
      return fail(Status::kError, std::string("write: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
};

class TlsTransport final : public Transport {
 public:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  ~TlsTransport() override {
    // Connections end without a close_notify (GOAWAY, then close), and OpenSSL
    // marks the session of an SSL freed without one as not resumable — the
    // very session TlsContext keeps to offer next (--tls-resume, tls_resume).
    // Count the close as orderly: nothing goes on the wire, and a session that
    // saw a fatal TLS alert has been dropped by OpenSSL already.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
  }
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  IoResult handshake() override {
    ERR_clear_error();
    const int rv = SSL_do_handshake(ssl_);
    if (rv == 1) return done(0);
    const int err = SSL_get_error(ssl_, rv);
    if (err == SSL_ERROR_WANT_READ) return fail(Status::kWantRead, {});
    if (err == SSL_ERROR_WANT_WRITE) return fail(Status::kWantWrite, {});
    return fail(Status::kError, "TLS handshake: " + (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0
                                                         ? std::string("connection closed during TLS handshake")
                                                         : tls_error_text()));
  }

  IoResult read(std::uint8_t* buf, std::size_t capacity) override {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, clamp_int(capacity));
    if (n > 0) return done(static_cast<std::size_t>(n));
    const int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) return fail(Status::kWantRead, {});
    if (err == SSL_ERROR_WANT_WRITE) return fail(Status::kWantWrite, {});
    if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
      return fail(Status::kClosed, "the peer closed the connection");
    return fail(Status::kError, "TLS read: " + tls_error_text());
  }

  IoResult write(const std::uint8_t* data, std::size_t length) override {
    ERR_clear_error();
    const int n = SSL_write(ssl_, data, clamp_int(length));
    if (n > 0) return done(static_cast<std::size_t>(n));
    const int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_WRITE) return fail(Status::kWantWrite, {});
    if (err == SSL_ERROR_WANT_READ) return fail(Status::kWantRead, {});
    return fail(Status::kError, "TLS write: " + tls_error_text());
  }

  bool pending() const override { return SSL_has_pending(ssl_) == 1; }

  std::string_view alpn() const override {
    const unsigned char* p = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_, &p, &len);
    return {reinterpret_cast<const char*>(p), len};
  }

  bool resumed() const override { return SSL_session_reused(ssl_) == 1; }

 private:
  SSL* ssl_;
};

}  // namespace

std::unique_ptr<Transport> plain_transport(int fd) { return std::make_unique<PlainTransport>(fd); }

Result<std::unique_ptr<Transport>> tls_transport(TlsContext& context, int fd, const std::string& host) {
  auto ssl = context.new_client(fd, host);
  if (!ssl) return ssl.error();
  return std::unique_ptr<Transport>(std::make_unique<TlsTransport>(*ssl));
}

}  // namespace h2soak::net
