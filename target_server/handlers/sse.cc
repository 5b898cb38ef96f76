#include "target_server/handlers/sse.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstring>

namespace h2soak::server {

std::string format_event(uint64_t id, std::string_view data) {
  return fmt::format("id: {}\ndata: {}\n\n", id, data);
}

std::string event_payload(uint64_t id, int64_t unix_ms) {
  return fmt::format("{{\"seq\":{},\"ts_ms\":{}}}", id, unix_ms);
}

std::optional<uint64_t> parse_last_event_id(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n == UINT64_MAX) return std::nullopt;
  return n;
}

SseBody::SseBody(struct ev_loop* loop, Millis interval, uint64_t first_id, WorkerStats& stats)
    : loop_(loop), next_id_(first_id), stats_(stats) {
  stats_.sse_active.add(1);
  double secs = static_cast<double>(interval.count()) / 1000.0;
  ev_timer_init(&timer_, &SseBody::on_timer, secs, secs);
  timer_.data = this;
  ev_timer_start(loop_, &timer_);
  add_event();
}

SseBody::~SseBody() {
  ev_timer_stop(loop_, &timer_);
  stats_.sse_active.add(-1);
}

void SseBody::on_timer(struct ev_loop*, ev_timer* w, int) {
  auto* self = static_cast<SseBody*>(w->data);
  self->add_event();
  self->wake();
}

void SseBody::add_event() {
  if (pending_.size() - pos_ >= kMaxPending) {  // slow reader: skip (counted), never grow
    stats_.sse_skipped.add();
    ++next_id_;
    return;
  }
  if (pos_ > 0 && pos_ == pending_.size()) {
    pending_.clear();
    pos_ = 0;
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  uint64_t id = next_id_++;
  pending_ += format_event(id, event_payload(id, now));
  stats_.sse_events.add();
}

Pull SseBody::proceed(uint8_t* buf, size_t max) {
  size_t n = std::min(max, pending_.size() - pos_);
  std::memcpy(buf, pending_.data() + pos_, n);
  pos_ += n;
  if (pos_ == pending_.size()) {
    pending_.clear();
    pos_ = 0;
    if (finished_) return {n, PullState::kEof};
    return {n, n > 0 ? PullState::kData : PullState::kDeferred};
  }
  return {n, PullState::kData};
}

void SseBody::finish() {
  finished_ = true;
  ev_timer_stop(loop_, &timer_);
  wake();
}

Response sse_response(const Request& req, Millis interval, const WorkerEnv& env) {
  uint64_t first = 1;
  if (auto last = parse_last_event_id(req.header("last-event-id"))) first = *last + 1;
  Response r;
  r.headers.push_back({"content-type", "text/event-stream"});
  r.headers.push_back({"cache-control", "no-cache"});
  r.body = std::make_unique<SseBody>(env.loop, interval, first, *env.stats);
  return r;
}

}  // namespace h2soak::server
