#pragma once
// The HTTP/1.1 side of the client seam (load/connection.h): one connection
// through libcurl (an h1::CurlClient of one easy handle and a connection
// cache of one), one request at a time. The contract is load::Connection's;
// what is particular to h1 is stated there. How curl's view maps onto it:
//   connect()      arms: the next request opens a new connection
//                  (CURLOPT_FRESH_CONNECT); on_connected on the next loop turn
//   a transfer     its connection facts (new connection, connect / TLS time,
//                  bytes) are counted here before the record's observer runs
//   curl reconnects inside one connect() (the server closed the idle
//                  connection): counted as one closed and one opened
//   a failed transfer, shutdown() once idle, close(): curl's connection is
//                  closed (CurlClient::close_connections) and on_closed follows,
//                  from the loop when asked from inside a callback
// The URL of each request says where to connect (options.address is unused).

#include <memory>
#include <string>

#include "harness/h1/curl_client.h"
#include "harness/load/connection.h"
#include "harness/load/event.h"

namespace h2soak::load {

class H1Connection final : public Connection, public h1::CurlClient::Observer {
 public:
  H1Connection(Worker& worker, const ConnectionOptions& options, ConnectionObserver& observer,
               metrics::WorkloadMetrics* metrics);
  ~H1Connection() override;

  void connect() override;
  std::size_t capacity() const override;
  std::size_t in_flight() const override { return client_->in_flight(); }
  net::StreamRecord* acquire() override;
  void submit(net::StreamRecord& record) override;
  // Aborts the transfer; curl drops its connection, so the connection closes too.
  void cancel(net::StreamRecord& record, net::ErrorClass why) override;
  void shutdown() override;
  void close(net::ErrorClass why, std::string message = {}) override;

  // h1::CurlClient::Observer
  void on_transfer_done(h1::CurlClient&, net::StreamRecord& record, const h1::TransferFacts& facts) override;
  void on_slot_free(h1::CurlClient&) override;

 private:
  void on_turn();
  void finish_close();

  std::unique_ptr<h1::CurlClient> client_;
  Timer turn_timer_;            // the next loop turn: on_connected, or a deferred close
  int in_callbacks_ = 0;        // >0 inside the client's callbacks: closing is deferred
  bool fresh_ = false;          // the next request opens this connection
  bool opened_ = false;         // curl was asked for a connection since connect()
  std::uint64_t transfers_ = 0; // finished since connect()
};

}  // namespace h2soak::load
