#pragma once
// Client-side TLS: one TlsContext (an SSL_CTX) per worker thread, so that no
// OpenSSL state is shared on the hot path. ALPN offers h2 (and http/1.1 when
// asked), SNI carries the URL's host, verification can be switched off
// (--insecure), and with `resume` the context keeps the session tickets the
// server sends and offers one on each new connection (as browsers do; h2load
// never resumes). A ticket is offered once while unused ones are left (RFC 8446
// C.4: servers may accept a TLS 1.3 ticket only once, and some issue none on a
// resumed connection, so reusing the last one would fail every other time);
// when none is left, the last one offered is offered again (TLS 1.2 sessions
// and servers that accept a ticket repeatedly resume that way).

#include <openssl/ssl.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "harness/util/result.h"

namespace h2soak::net {

struct TlsOptions {
  bool insecure = false;             // skip certificate and host-name verification
  bool resume = false;               // offer session tickets (--tls-resume)
  std::vector<std::string> alpn{"h2"};  // in order of preference
  std::string ca_file;               // extra trust anchor (PEM); empty: system defaults
  std::string ciphersuites;          // TLS 1.3 ciphersuites, empty: OpenSSL default
};

class TlsContext {
 public:
  // Builds the SSL_CTX. Call once per worker, before its loop runs.
  static Result<std::unique_ptr<TlsContext>> create(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new SSL in connect state on `fd`, with SNI and host check set to `host`
  // and a kept ticket offered when resuming. The caller owns the SSL.
  Result<SSL*> new_client(int fd, const std::string& host);

  // Counts handshakes that resumed a session (SSL_session_reused), for reports.
  const TlsOptions& options() const { return options_; }

 private:
  explicit TlsContext(const TlsOptions& options) : options_(options) {}
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  TlsOptions options_;
  SSL_CTX* ctx_ = nullptr;
  static constexpr std::size_t kMaxUnused = 8;
  std::deque<SSL_SESSION*> unused_;       // owned; tickets not offered yet, newest at the back
  SSL_SESSION* last_offered_ = nullptr;   // owned; offered again when no unused ticket is left
  std::vector<unsigned char> alpn_wire_;
};

// The last OpenSSL error queue entry as text (empties the queue).
std::string tls_error_text();

}  // namespace h2soak::net
