#pragma once
// The server's TLS context: ALPN ("h2", falling back to "http/1.1"), TLS 1.2+, and either a
// certificate/key loaded from PEM files or a self-signed EC P-256 certificate for
// localhost / 127.0.0.1 / ::1 generated in memory at start.

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace h2soak::server {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

/// Empty cert_file and key_file: self-signed. Returns null and sets *error on failure.
SslCtxPtr make_server_ssl_ctx(const std::string& cert_file, const std::string& key_file, std::string* error);

/// True when the handshake of `ssl` selected "h2" by ALPN.
bool alpn_selected_h2(const SSL* ssl);

}  // namespace h2soak::server
