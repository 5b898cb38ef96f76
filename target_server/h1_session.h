#pragma once
// HTTP/1.1 server session: requests parsed by libhttp_parser (callbacks in h1_session.cc
// only cast and forward), one exchange at a time. Pipelined requests wait, unparsed, until
// the current response is complete; reading pauses while that backlog exceeds 64 KiB.
// Bodies of unknown length go out chunked (HTTP/1.0 clients: closed at the end).

#include <http_parser.h>

#include <memory>
#include <optional>
#include <string>

#include "target_server/protocol_session.h"

namespace h2soak::server {

class H1Session final : public ProtocolSession {
 public:
  explicit H1Session(const SessionEnv& env);
  ~H1Session() override;
  H1Session(const H1Session&) = delete;
  H1Session& operator=(const H1Session&) = delete;

  bool on_read(const uint8_t* data, size_t len) override;
  bool fill(std::string& out, size_t high_water) override;
  bool finished() const override { return done_; }
  bool busy() const override { return cur_ && cur_->complete; }
  bool answers_after_eof() const override { return true; }
  std::optional<double> request_started() const override;
  bool wants_read() const override { return backlog_.size() < kMaxBacklog && !done_; }
  void shutdown() override;

  // http_parser callback targets; return 0 to go on, non-zero to stop with an error.
  int on_message_begin();
  int on_url(const char* at, size_t len);
  int on_header_field(const char* at, size_t len);
  int on_header_value(const char* at, size_t len);
  int on_headers_complete();
  int on_body(const char* at, size_t len);
  int on_message_complete();

 private:
  static constexpr size_t kMaxBacklog = 64 * 1024;

  struct Exchange {
    Request req;
    std::unique_ptr<Handler> handler;
    bool complete = false;      // the whole request arrived
    bool discard_body = false;  // an early response was given; body bytes are ignored
    bool keep_alive = true;
    bool head = false;
    // Response side:
    bool responding = false;
    bool headers_sent = false;
    bool chunked = false;
    int status = 0;
    Response response;
  };

  bool parse(const char* data, size_t len);
  void start_response(Response r);
  void serialize_headers(std::string& out);
  void finish_exchange();
  void reject(int status);  // a bad request: answer and close
  bool header_over_limit(size_t add);

  SessionEnv env_;
  http_parser parser_;
  std::unique_ptr<Exchange> cur_;
  std::string backlog_;     // bytes received after a complete request, not parsed yet
  std::string pending_out_; // "100 Continue" or an error response
  std::string field_;
  bool in_value_ = false;
  size_t header_bytes_ = 0;
  std::optional<double> header_started_;
  int reject_status_ = 0;
  bool shutting_down_ = false;
  bool done_ = false;
};

}  // namespace h2soak::server
