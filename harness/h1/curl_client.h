#pragma once
// HTTP/1.1 requests through libcurl's multi interface, driven by a worker's
// libev loop (curl_multi_socket_action with one ev_io per curl socket and one
// ev_timer for curl's timeout). curl owns the sockets and keeps a connection
// cache (up to `max_connections`, reused across requests unless
// `new_connection_per_request`); each in-flight request uses one easy handle
// from a fixed pool, so nothing is allocated per request beyond what curl does.
//
// Usage: capacity() / acquire() / submit(record); a finished record goes to
// the owner's Observer::on_transfer_done with its connection-level facts
// (connect / TLS time of a new connection, bytes), and the owner completes it
// (calls record.observer); then Observer::on_slot_free. Workloads do not use
// this class: load::H1Connection wraps it behind the protocol-neutral
// load::Connection. Timings: submitted = submit time, first_byte =
// submitted + CURLINFO_STARTTRANSFER_TIME, last_byte = completion time.
// Worker thread only.

#include <curl/curl.h>
#include <ev.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/net/request.h"
#include "harness/net/stream.h"
#include "harness/util/clock.h"

namespace h2soak::h1 {

struct CurlOptions {
  std::size_t max_parallel = 1;      // easy handles = requests in flight at most
  std::size_t max_connections = 1;   // curl's connection cache / total connection limit
  bool new_connection_per_request = false;  // CURLOPT_FRESH_CONNECT + FORBID_REUSE
  bool insecure = false;
  bool tls_resume = true;            // curl's TLS session-id cache
  std::string ca_file;
  Nanos connect_timeout{std::chrono::seconds(10)};
  Nanos request_timeout{0};          // 0: none
};

// Per finished transfer, for the owner's metrics.
struct TransferFacts {
  bool new_connection = false;
  std::uint64_t connect_us = 0;   // TCP connect (new connections)
  std::uint64_t tls_us = 0;       // TLS handshake (new TLS connections)
  std::uint64_t bytes_in = 0;     // status line + headers + body
  std::uint64_t bytes_out = 0;    // request line + headers + body
  // A new TLS connection that resumed a session (SSL_session_reused on curl's
  // SSL, read once the connection is up); only with CurlOptions::tls_resume.
  bool tls_resumed = false;
};

class CurlClient {
 public:
  class Observer {
   public:
    virtual ~Observer() = default;
    // A transfer finished (record.error says how). The owner calls the
    // record's observer; the slot is released when this returns.
    virtual void on_transfer_done(CurlClient&, net::StreamRecord&, const TransferFacts&) = 0;
    // A pool slot is free again (submit from here).
    virtual void on_slot_free(CurlClient&) = 0;
  };

  CurlClient(struct ev_loop* loop, const CurlOptions& options, Observer& observer);
  ~CurlClient();
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  std::size_t capacity() const { return free_.size(); }
  std::size_t in_flight() const { return slots_.size() - free_.size(); }
  net::StreamRecord* acquire();
  // Starts the transfer of an acquired record (request and observer set).
  void submit(net::StreamRecord& record);
  // The same, choosing the connection policy for this one transfer:
  // `fresh_connection` opens a new connection for it (CURLOPT_FRESH_CONNECT),
  // `forbid_reuse` closes its connection when it is done (CURLOPT_FORBID_REUSE).
  // submit(record) uses new_connection_per_request for both. A keep-alive
  // group of requests on one new connection: fresh on the first, forbid on the last.
  void submit(net::StreamRecord& record, bool fresh_connection, bool forbid_reuse);
  // Aborts every transfer; each completes with `why`.
  void cancel_all(net::ErrorClass why);
  // Closes every connection curl keeps (by replacing the multi handle; the
  // easy handles and their TLS session caches stay). No transfer may be in
  // flight, and it must not be called from inside this client's callbacks.
  void close_connections();
  void* user = nullptr;

 private:
  struct Slot;
  struct SocketWatch;
  static int on_socket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* userp);
  static void on_io(struct ev_loop*, ev_io* w, int revents);
  static void on_timeout(struct ev_loop*, ev_timer* w, int);
  static size_t on_data(char* ptr, size_t size, size_t nmemb, void* userdata);
  static int on_prereq(void* clientp, char*, char*, int, int);
  void init_multi();
  void drain_completed();
  void finish(Slot& slot, CURLcode code);
  curl_slist* headers_for(const net::Request& request);

  struct ev_loop* loop_;
  CurlOptions options_;
  Observer& observer_;
  CURLM* multi_ = nullptr;
  ev_timer timer_{};
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_;
  std::unordered_map<const net::Request*, curl_slist*> header_lists_;
  int in_callbacks_ = 0;
};

}  // namespace h2soak::h1
