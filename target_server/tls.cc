#include "target_server/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace h2soak::server {
namespace {

constexpr unsigned char kAlpn[] = "\x02h2\x08http/1.1";

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  unsigned char* sel = nullptr;
  if (SSL_select_next_proto(&sel, outlen, kAlpn, sizeof(kAlpn) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // no common protocol: carry on without ALPN (HTTP/1.1)
  }
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

std::string openssl_error(const char* what) {
  char buf[256];
  unsigned long e = ERR_get_error();
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::string(what) + ": " + buf;
}

bool use_self_signed(SSL_CTX* ctx, std::string* error) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (!pkey) {
    *error = openssl_error("EVP_EC_gen");
    return false;
  }
  X509* x = X509_new();
  bool ok = x != nullptr;
  if (ok) {
    uint64_t serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
    X509_set_version(x, 2);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("h2soak"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name,
                                              const_cast<char*>("DNS:localhost,IP:127.0.0.1,IP:::1"));
    ok = san && X509_add_ext(x, san, -1) == 1;
    X509_EXTENSION_free(san);
    ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
    ok = ok && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, pkey) == 1;
    if (!ok) *error = openssl_error("self-signed certificate");
  } else {
    *error = openssl_error("X509_new");
  }
  X509_free(x);
  EVP_PKEY_free(pkey);
  return ok;
}

}  // namespace

SslCtxPtr make_server_ssl_ctx(const std::string& cert_file, const std::string& key_file, std::string* error) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    *error = openssl_error("SSL_CTX_new");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Partial writes let a connection send from its buffer without copying; releasing the
  // buffers keeps an idle TLS connection (idle tabs, SSE between events) small.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  // Read ahead: one recv() takes every record the socket holds, where OpenSSL would otherwise
  // read each record's 5-byte header and its body separately (two system calls per record).
  // Bytes read ahead are invisible to epoll; Connection::update_read_interest() handles them.
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  // No server-side session cache, but stateless TLS 1.3 session tickets (one per full
  // handshake; OpenSSL's default is two): a client that offers one back resumes without the
  // certificate signature (h2soak's --tls-resume / short_connections tls_resume, browsers).
  // The ticket key belongs to this one SSL_CTX, which all workers share, so a ticket issued
  // on one worker resumes on any other. SSL_OP_NO_TICKET is not set: TLS 1.2 clients get
  // RFC 5077 tickets from the same key.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, nullptr);
  if (cert_file.empty() != key_file.empty()) {
    *error = "--cert and --key must be given together";
    return nullptr;
  }
  if (cert_file.empty()) {
    if (!use_self_signed(ctx.get(), error)) return nullptr;
  } else {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
      *error = openssl_error(("loading certificate " + cert_file).c_str());
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      *error = openssl_error(("loading key " + key_file).c_str());
      return nullptr;
    }
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    *error = openssl_error("certificate and key do not match");
    return nullptr;
  }
  return ctx;
}

bool alpn_selected_h2(const SSL* ssl) {
  const unsigned char* p = nullptr;
  unsigned int n = 0;
  SSL_get0_alpn_selected(ssl, &p, &n);
  return n == 2 && std::memcmp(p, "h2", 2) == 0;
}

}  // namespace h2soak::server
