#include "harness/workloads/sse_workload.h"

#include <algorithm>

#include "harness/load/worker.h"
#include "harness/load/request_accounting.h"
#include "harness/workloads/sse_events.h"

namespace h2soak::workloads {
namespace {
constexpr Nanos kMinBackoff = std::chrono::milliseconds(200);
constexpr Nanos kMaxBackoff = std::chrono::seconds(2);
}  // namespace

SseWorkload::SseWorkload(load::Worker& worker, const WorkloadContext& context)
    : WorkloadBase(worker, context), params_(std::get<scenario::SseWorkload>(context_.planned.params)) {
  request_.url = context_.url(params_.path);
  request_.headers = {{"accept", "text/event-stream"}, {"cache-control", "no-cache"}};
  request_.finalize();
  for (int p = 0; p < load::kPhaseCount; ++p) {
    auto& m = metrics_of(static_cast<std::uint64_t>(p));
    extras_[p] = {&m.extra_counter("sse.streams_opened"),       &m.extra_counter("sse.events"),
                  &m.extra_counter("sse.ended_early"),          &m.extra_counter("sse.left_rst"),
                  &m.extra_counter("sse.left_close"),           &m.extra_counter("sse.abandoned"),
                  &m.extra_histogram("sse.time_to_first_event_us"), &m.extra_histogram("sse.event_gap_us")};
  }
  const std::size_t streams = context_.share(params_.streams);
  const std::size_t per = std::max<std::uint32_t>(1, params_.streams_per_connection);
  const std::size_t links = (streams + per - 1) / per;
  const auto options = context_.connection_options(static_cast<std::uint32_t>(per));
  slots_.resize(streams);
  links_.resize(links);
  for (std::size_t i = 0; i < links; ++i) {
    Link& l = links_[i];
    l.connection = load::make_connection(worker, options, *this, &current());
    l.connection->user = &l;
    l.reconnect_timer = std::make_unique<load::Timer>(worker.loop(), [this, &l] {
      if (!closed() && active() && l.connection->state() == load::Connection::State::kIdle) l.connection->connect();
    });
  }
  for (std::size_t s = 0; s < streams; ++s) {
    Slot& slot = slots_[s];
    slot.link = s / per;
    links_[slot.link].slots.push_back(s);
    slot.hold_timer = std::make_unique<load::Timer>(worker.loop(), [this, &slot] { leave(slot); });
  }
  if (options.tls) worker.tls();
}

SseWorkload::~SseWorkload() {
  for (auto& s : slots_) s.hold_timer.reset();
  for (auto& l : links_) l.reconnect_timer.reset();
  links_.clear();  // connections before the records' observer (this) goes away
}

void SseWorkload::on_window_open() {
  for (auto& l : links_) {
    if (l.connection->state() == load::Connection::State::kIdle) l.connection->connect();
    else open_streams(l);
  }
}

void SseWorkload::on_window_close() {
  for (auto& l : links_) l.reconnect_timer->stop();
  // Load is over: leave every stream now (RST_STREAM), as at the end of its hold.
  for (auto& s : slots_) {
    s.hold_timer->stop();
    if (!s.record || s.leaving) continue;
    s.leaving = true;
    links_[s.link].connection->cancel(*s.record, net::ErrorClass::kCancelled);
  }
}

void SseWorkload::close_all() {
  on_window_close();
  for (auto& s : slots_) s.leaving = true;
  for (auto& l : links_) l.connection->close(net::ErrorClass::kCancelled, "workload closed");
}

void SseWorkload::on_phase(metrics::WorkloadMetrics& m) {
  for (auto& l : links_) l.connection->set_metrics(&m);
}

void SseWorkload::open_streams(Link& link) {
  load::Connection& c = *link.connection;
  for (std::size_t s : link.slots) {
    if (!active() || c.capacity() == 0) return;
    Slot& slot = slots_[s];
    if (slot.record) continue;
    net::StreamRecord* r = c.acquire();
    r->request = &request_;
    r->observer = this;
    r->user = &slot;
    r->user_tag = phase_tag();
    r->deliver_data = true;
    slot.record = r;
    slot.leaving = false;
    slot.events = 0;
    slot.newline = false;
    const Nanos hold = random_in(params_.hold.min, params_.hold.max);
    slot.deadline = now() + hold;
    slot.hold_timer->start(hold);
    ++in_flight_;
    ++current().counters.requests_started;
    ++*extras_[phase_tag()].opened;
    c.submit(*r);
  }
}

void SseWorkload::leave(Slot& slot) {
  if (!slot.record || slot.leaving) return;
  Link& link = links_[slot.link];
  bool close = params_.leave == scenario::SseLeave::kClose;
  if (params_.leave == scenario::SseLeave::kMixed) close = random_unit() < 0.5;
  if (close) {
    ++*extras_[phase_tag()].left_close;
    for (std::size_t s : link.slots) slots_[s].leaving = true;
    link.connection->close(net::ErrorClass::kCancelled, "client left (close)");
  } else {
    ++*extras_[phase_tag()].left_rst;
    slot.leaving = true;
    link.connection->cancel(*slot.record, net::ErrorClass::kCancelled);
  }
}

void SseWorkload::on_response_data(net::StreamRecord& r, const std::uint8_t* data, std::size_t length) {
  Slot& slot = *static_cast<Slot*>(r.user);
  const Extras& x = extras_[r.user_tag & 1];
  const std::uint64_t ended = count_sse_event_ends(data, length, slot.newline);
  if (ended == 0) return;
  const TimePoint t = now();
  if (slot.events == 0) x.first_event->record(micros_between(load::sent_time(r), t));
  else x.gap->record(micros_between(slot.last_event, t));
  // Several events in one read: their gaps were not observable apart; count them.
  slot.events += ended;
  slot.last_event = t;
  *x.events += ended;
}

void SseWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  Slot& slot = *static_cast<Slot*>(r.user);
  const std::uint64_t phase = r.user_tag & 1;
  auto& m = metrics_of(phase);
  const bool left = slot.leaving && r.error == net::ErrorClass::kCancelled;
  if (!(left && load::unstart_if_abandoned(m, r, *extras_[phase].abandoned)))
    load::record_request(m, r, load::sent_time(r), /*count_cancel_as_error=*/!left);
  if (!left && r.last_byte < slot.deadline) ++*extras_[phase].ended_early;
  slot.hold_timer->stop();
  slot.record = nullptr;
  // The slot is reopened when the connection frees the stream (on_stream_slot_free).
}

void SseWorkload::on_connected(load::Connection& c) {
  note_connected();
  Link& link = *static_cast<Link*>(c.user);
  link.backoff = Nanos{0};
  open_streams(link);
}

void SseWorkload::on_stream_slot_free(load::Connection& c) { open_streams(*static_cast<Link*>(c.user)); }

void SseWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  if (info.cause != net::ErrorClass::kCancelled) note_error(info.message);
  Link& link = *static_cast<Link*>(c.user);
  if (closed() || !active()) return;
  if (info.was_connected) link.backoff = Nanos{0};
  else link.backoff = link.backoff.count() == 0 ? kMinBackoff : std::min(link.backoff * 2, kMaxBackoff);
  schedule_reconnect(link, link.backoff);
}

void SseWorkload::schedule_reconnect(Link& link, Nanos delay) { link.reconnect_timer->start(delay); }

}  // namespace h2soak::workloads
