#include "harness/net/tls.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <memory>

namespace h2soak::net {
namespace {
int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}
}  // namespace

std::string tls_error_text() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "TLS error" : text;
}

Result<std::unique_ptr<TlsContext>> TlsContext::create(const TlsOptions& options) {
  std::unique_ptr<TlsContext> c(new TlsContext(options));
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  if (!c->ctx_) return Error("SSL_CTX_new: " + tls_error_text());
  SSL_CTX_set_min_proto_version(c->ctx_, TLS1_2_VERSION);
  SSL_CTX_set_mode(c->ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(c->ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Read the socket in chunks of the record buffer's size rather than two
  // read()s (header, then body) per TLS record: large responses arrive as
  // many 16 KiB records.
  SSL_CTX_set_read_ahead(c->ctx_, 1);
  if (!options.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c->ctx_, options.ciphersuites.c_str()) != 1)
    return Error("invalid TLS 1.3 ciphersuites \"" + options.ciphersuites + "\"");
  if (options.insecure) {
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_default_verify_paths(c->ctx_);
    if (!options.ca_file.empty() && SSL_CTX_load_verify_locations(c->ctx_, options.ca_file.c_str(), nullptr) != 1)
      return Error("cannot load CA file: " + tls_error_text(), options.ca_file);
  }
  for (const auto& p : options.alpn) {
    c->alpn_wire_.push_back(static_cast<unsigned char>(p.size()));
    c->alpn_wire_.insert(c->alpn_wire_.end(), p.begin(), p.end());
  }
  if (!c->alpn_wire_.empty())
    SSL_CTX_set_alpn_protos(c->ctx_, c->alpn_wire_.data(), static_cast<unsigned>(c->alpn_wire_.size()));
  if (options.resume) {
    SSL_CTX_set_session_cache_mode(c->ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c->ctx_, &TlsContext::on_new_session);
    SSL_CTX_set_ex_data(c->ctx_, context_index(), c.get());
  } else {
    SSL_CTX_set_session_cache_mode(c->ctx_, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(c->ctx_, 0);
  }
  return c;
}

TlsContext::~TlsContext() {
  for (SSL_SESSION* s : unused_) SSL_SESSION_free(s);
  if (last_offered_) SSL_SESSION_free(last_offered_);
  if (ctx_) SSL_CTX_free(ctx_);
}

int TlsContext::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
  if (!self) return 0;
  self->unused_.push_back(session);
  if (self->unused_.size() > kMaxUnused) {  // the oldest expires first: drop it
    SSL_SESSION_free(self->unused_.front());
    self->unused_.pop_front();
  }
  return 1;  // we keep the reference
}

Result<SSL*> TlsContext::new_client(int fd, const std::string& host) {
  SSL* ssl = SSL_new(ctx_);
  if (!ssl) return Error("SSL_new: " + tls_error_text());
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  // SNI only for names, never for IP literals (RFC 6066).
  const bool is_ip = host.find(':') != std::string::npos ||
                     host.find_first_not_of("0123456789.") == std::string::npos;
  if (!is_ip) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (!options_.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  if (options_.resume) {
    if (!unused_.empty()) {
      if (last_offered_) SSL_SESSION_free(last_offered_);
      last_offered_ = unused_.back();  // the newest lives longest
      unused_.pop_back();
    }
    if (last_offered_) SSL_set_session(ssl, last_offered_);
  }
  return ssl;
}

}  // namespace h2soak::net
