// TlsContext's session resumption, in-process: an OpenSSL server on one end
// of a socketpair (stateless TLS 1.3 tickets, like h2soak-target), the client
// context on the other. With `resume` the second connection offers the first
// one's ticket and the server accepts it (SSL_session_reused on both ends);
// without it, or when the server issues no tickets, every handshake is full.

#include "harness/net/tls.h"

#include "harness/net/transport.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace h2soak::net {
namespace {

// A server SSL_CTX with a throwaway self-signed P-256 certificate.
SSL_CTX* server_ctx(int tickets) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_sign(x, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx, x);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(x);
  EVP_PKEY_free(key);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // stateless tickets only
  SSL_CTX_set_num_tickets(ctx, static_cast<size_t>(tickets));
  static const unsigned char kAlpn[] = "\x02h2";
  SSL_CTX_set_alpn_select_cb(
      ctx,
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
        unsigned char* sel = nullptr;
        if (SSL_select_next_proto(&sel, outlen, kAlpn, 3, in, inlen) != OPENSSL_NPN_NEGOTIATED)
          return SSL_TLSEXT_ERR_NOACK;
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return ctx;
}

struct Outcome {
  bool ok = false;
  bool client_resumed = false;
  bool server_resumed = false;
};

// One connection through the engine's TlsTransport: handshake, one byte
// server -> client (the client reads the ticket that precedes it), then the
// transport is destroyed without a close_notify, as load::Connection does.
Outcome connect_once(TlsContext& client, SSL_CTX* server, const std::string& host = "127.0.0.1") {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) return {};
  auto t = tls_transport(client, fds[0], host);
  if (!t) return {};
  std::unique_ptr<Transport> ct = std::move(*t);
  SSL* ss = SSL_new(server);
  SSL_set_fd(ss, fds[1]);
  SSL_set_accept_state(ss);
  Outcome o;
  bool cdone = false, sdone = false;
  for (int i = 0; i < 1000 && !(cdone && sdone); ++i) {
    if (!cdone) {
      const IoResult r = ct->handshake();
      if (r.status == IoResult::Status::kOk) cdone = true;
      else if (r.status != IoResult::Status::kWantRead && r.status != IoResult::Status::kWantWrite) break;
    }
    if (!sdone) {
      const int r = SSL_do_handshake(ss);
      if (r == 1) sdone = true;
      else if (const int e = SSL_get_error(ss, r); e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
    }
  }
  if (cdone && sdone && SSL_write(ss, "x", 1) == 1) {
    std::uint8_t b = 0;
    for (int i = 0; i < 100 && !o.ok; ++i) {
      const IoResult r = ct->read(&b, 1);
      o.ok = r.status == IoResult::Status::kOk && r.bytes == 1 && b == 'x';
    }
  }
  o.client_resumed = ct->resumed();
  o.server_resumed = SSL_session_reused(ss) == 1;
  ct.reset();  // SSL_free without SSL_shutdown
  SSL_free(ss);
  ::close(fds[0]);
  ::close(fds[1]);
  return o;
}

std::unique_ptr<TlsContext> client_ctx(bool resume) {
  TlsOptions o;
  o.insecure = true;
  o.resume = resume;
  auto c = TlsContext::create(o);
  EXPECT_TRUE(c.ok());
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(TlsResume, SecondConnectionResumesWithTheLastTicket) {
  SSL_CTX* server = server_ctx(1);
  auto client = client_ctx(true);
  ASSERT_TRUE(client);
  const Outcome first = connect_once(*client, server);
  ASSERT_TRUE(first.ok);
  EXPECT_FALSE(first.client_resumed);
  EXPECT_FALSE(first.server_resumed);
  for (int i = 0; i < 5; ++i) {
    const Outcome next = connect_once(*client, server);
    ASSERT_TRUE(next.ok);
    EXPECT_TRUE(next.client_resumed) << i;
    EXPECT_TRUE(next.server_resumed) << i;
  }
  // With SNI (a host name) as well as without (an IP literal above).
  EXPECT_TRUE(connect_once(*client, server, "localhost").ok);
  const Outcome named = connect_once(*client, server, "localhost");
  EXPECT_TRUE(named.client_resumed);
  EXPECT_TRUE(named.server_resumed);
  SSL_CTX_free(server);
}

TEST(TlsResume, OffMeansAFullHandshakeEachTime) {
  SSL_CTX* server = server_ctx(1);
  auto client = client_ctx(false);
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    const Outcome o = connect_once(*client, server);
    ASSERT_TRUE(o.ok);
    EXPECT_FALSE(o.client_resumed);
    EXPECT_FALSE(o.server_resumed);
  }
  SSL_CTX_free(server);
}

// A server whose tickets resume once each and that issues two tickets after a
// full handshake and none after a resumed one — the way some servers (h2o
// among them) behave. Each ticket carries a serial number (ticket app data);
// the server refuses a serial it has seen. Offering the last ticket again
// would fail every other connection; offering each unused ticket once resumes
// two connections out of three: F R R F R R ...
struct SingleUseTickets {
  std::uint32_t next = 0;
  std::vector<std::uint32_t> used;
};

SSL_CTX* single_use_server_ctx(SingleUseTickets& state) {
  SSL_CTX* ctx = server_ctx(2);
  SSL_CTX_set_session_ticket_cb(
      ctx,
      [](SSL* ssl, void* arg) {
        auto* st = static_cast<SingleUseTickets*>(arg);
        const std::uint32_t serial = st->next++;
        return SSL_SESSION_set1_ticket_appdata(SSL_get_session(ssl), &serial, sizeof serial);
      },
      [](SSL* ssl, SSL_SESSION* session, const unsigned char*, size_t, SSL_TICKET_STATUS status, void* arg) {
        auto* st = static_cast<SingleUseTickets*>(arg);
        if (status != SSL_TICKET_SUCCESS && status != SSL_TICKET_SUCCESS_RENEW) return SSL_TICKET_RETURN_IGNORE_RENEW;
        void* data = nullptr;
        size_t len = 0;
        std::uint32_t serial = 0;
        if (SSL_SESSION_get0_ticket_appdata(session, &data, &len) != 1 || len != sizeof serial)
          return SSL_TICKET_RETURN_IGNORE_RENEW;
        std::memcpy(&serial, data, sizeof serial);
        if (std::find(st->used.begin(), st->used.end(), serial) != st->used.end()) return SSL_TICKET_RETURN_IGNORE_RENEW;
        st->used.push_back(serial);
        SSL_set_num_tickets(ssl, 0);  // resumed: no new ticket
        return SSL_TICKET_RETURN_USE;
      },
      &state);
  return ctx;
}

TEST(TlsResume, EachUnusedTicketIsOfferedOnce) {
  SingleUseTickets state;
  SSL_CTX* server = single_use_server_ctx(state);
  auto client = client_ctx(true);
  ASSERT_TRUE(client);
  std::string pattern;
  for (int i = 0; i < 9; ++i) {
    const Outcome o = connect_once(*client, server);
    ASSERT_TRUE(o.ok) << i;
    EXPECT_EQ(o.client_resumed, o.server_resumed) << i;
    pattern += o.server_resumed ? 'R' : 'F';
  }
  EXPECT_EQ(pattern, "FRRFRRFRR");
  SSL_CTX_free(server);
}

// h2soak-target's old setting (num_tickets 0): nothing to resume with.
TEST(TlsResume, NoTicketsFromTheServerNoResumption) {
  SSL_CTX* server = server_ctx(0);
  auto client = client_ctx(true);
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    const Outcome o = connect_once(*client, server);
    ASSERT_TRUE(o.ok);
    EXPECT_FALSE(o.client_resumed);
  }
  SSL_CTX_free(server);
}

}  // namespace
}  // namespace h2soak::net
