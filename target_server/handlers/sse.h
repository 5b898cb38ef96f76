#pragma once
// "/events": Server-Sent Events. One event every interval, ids counting up from 1 (or from
// Last-Event-ID + 1), each with a small JSON payload. The stream's only resources are one
// ev_timer and a small pending buffer, both owned by SseBody: destroying it (client gone,
// RST_STREAM, connection closed) releases everything at once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <ev.h>

#include "target_server/config.h"
#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

/// "id: {id}\ndata: {data}\n\n" (data must not contain a newline).
std::string format_event(uint64_t id, std::string_view data);
/// The JSON payload of event `id`: {"seq":id,"ts_ms":unix_ms}.
std::string event_payload(uint64_t id, int64_t unix_ms);
/// A valid decimal Last-Event-ID, or nullopt (absent, garbage, overflow).
std::optional<uint64_t> parse_last_event_id(std::string_view value);

class SseBody final : public Generator {
 public:
  /// Pending bytes beyond which events are skipped for a client that does not read.
  static constexpr size_t kMaxPending = 64 * 1024;

  /// Starts the timer on `loop` (the worker's); the first event is pending at once.
  SseBody(struct ev_loop* loop, Millis interval, uint64_t first_id, WorkerStats& stats);
  ~SseBody() override;
  SseBody(const SseBody&) = delete;
  SseBody& operator=(const SseBody&) = delete;

  Pull proceed(uint8_t* buf, size_t max) override;
  void finish() override;

 private:
  static void on_timer(struct ev_loop* loop, ev_timer* w, int revents);
  void add_event();

  struct ev_loop* loop_;
  ev_timer timer_;
  uint64_t next_id_;
  WorkerStats& stats_;
  std::string pending_;
  size_t pos_ = 0;
  bool finished_ = false;
};

Response sse_response(const Request& req, Millis interval, const WorkerEnv& env);

}  // namespace h2soak::server
