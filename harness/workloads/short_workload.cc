#include "harness/workloads/short_workload.h"

#include <algorithm>

#include "harness/load/worker.h"
#include "harness/load/request_accounting.h"

namespace h2soak::workloads {

ShortConnectionsWorkload::ShortConnectionsWorkload(load::Worker& worker, const WorkloadContext& context)
    : WorkloadBase(worker, context),
      params_(std::get<scenario::ShortConnectionsWorkload>(context_.planned.params)) {
  request_.url = context_.url(params_.path);
  request_.finalize();
  rate_ = context_.share_rate(params_.rate);
  for (int p = 0; p < load::kPhaseCount; ++p) {
    auto& m = metrics_of(static_cast<std::uint64_t>(p));
    extras_[p] = {&m.extra_counter("short.connections_done"), &m.extra_counter("short.connections_dropped"),
                  &m.extra_histogram("short.connection_total_us")};
  }
  const std::size_t pool = rate_ > 0 ? std::max<std::uint64_t>(1, context_.share(params_.max_in_flight)) : 0;
  auto options = context_.connection_options(1);
  options.protocol = params_.protocol == scenario::Protocol::kH1 ? load::Protocol::kH1 : load::Protocol::kH2;
  options.tls_resume = params_.tls_resume;  // off: a full handshake per connection
  options.insecure = true;  // h1: WorkloadContext carries no TLS policy; the plan runner's default
  if (params_.tls_resume && options.tls) {
    // Present (0) from the start, so that a run that never resumed says so.
    for (int p = 0; p < load::kPhaseCount; ++p) metrics_of(static_cast<std::uint64_t>(p)).extra_counter("tls_resumed");
  }
  slots_.resize(pool);
  for (auto& s : slots_) {
    s.connection = load::make_connection(worker, options, *this, &current());
    s.connection->user = &s;
  }
  tick_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { on_tick(); });
}

ShortConnectionsWorkload::~ShortConnectionsWorkload() {
  tick_timer_.reset();
  slots_.clear();  // connections before the records' observer (this) goes away
}

std::uint32_t ShortConnectionsWorkload::per_connection() const {
  return std::max<std::uint32_t>(1, params_.requests_per_connection);
}

void ShortConnectionsWorkload::on_window_open() {
  if (slots_.empty()) return;
  next_due_ = window_start();
  on_tick();
}

void ShortConnectionsWorkload::on_window_close() { tick_timer_->stop(); }

void ShortConnectionsWorkload::close_all() {
  tick_timer_->stop();
  for (auto& s : slots_) s.connection->close(net::ErrorClass::kCancelled, "workload closed");
}

void ShortConnectionsWorkload::on_phase(metrics::WorkloadMetrics& m) {
  for (auto& s : slots_)
    if (!s.busy) s.connection->set_metrics(&m);
}

void ShortConnectionsWorkload::on_tick() {
  if (!active()) return;
  const TimePoint t = now();
  const Nanos gap = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(1.0 / rate_));
  const std::uint32_t per = per_connection();
  while (next_due_ <= t && next_due_ < window_end()) {
    auto it = std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) {
      return !s.busy && s.connection->state() == load::Connection::State::kIdle;
    });
    if (it == slots_.end()) {
      ++*extras_[phase_tag()].dropped;
      current().counters.requests_dropped += per;
    } else {
      Slot& s = *it;
      s.busy = true;
      s.due = next_due_;
      s.phase = phase_tag();
      s.requests_left = per;
      s.request_active = false;
      s.connection->set_metrics(&current());
      s.connection->connect();
    }
    next_due_ += gap;
  }
  if (next_due_ < window_end()) tick_timer_->start(std::chrono::duration_cast<Nanos>(next_due_ - t));
}

void ShortConnectionsWorkload::next_request(Slot& slot) {
  load::Connection& c = *slot.connection;
  if (slot.request_active) return;
  if (slot.requests_left == 0 || closed()) {
    c.shutdown();
    return;
  }
  if (c.capacity() == 0) return;
  const bool first = slot.requests_left == per_connection();
  --slot.requests_left;
  slot.request_active = true;
  net::StreamRecord* r = c.acquire();
  r->request = &request_;
  r->observer = this;
  r->user = &slot;
  r->user_tag = slot.phase;
  if (first) r->intended = slot.due;
  ++in_flight_;
  ++metrics_of(slot.phase).counters.requests_started;
  c.submit(*r);
}

void ShortConnectionsWorkload::on_connected(load::Connection& c) { next_request(*static_cast<Slot*>(c.user)); }

void ShortConnectionsWorkload::on_stream_slot_free(load::Connection& c) { next_request(*static_cast<Slot*>(c.user)); }

void ShortConnectionsWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  Slot& slot = *static_cast<Slot*>(r.user);
  slot.request_active = false;
  if (r.status != 0) note_connected();
  load::record_request(metrics_of(r.user_tag & 1), r, r.intended != r.submitted ? r.intended : load::sent_time(r));
}

void ShortConnectionsWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  Slot& slot = *static_cast<Slot*>(c.user);
  if (info.was_connected) note_connected();  // h1 is ready before it connects: said here, not in on_connected
  if (info.cause != net::ErrorClass::kCancelled && info.cause != net::ErrorClass::kNone) note_error(info.message);
  const Extras& x = extras_[slot.phase];
  if (info.was_connected && slot.requests_left == 0) {
    ++*x.done;
    x.total->record(micros_between(slot.due, now()));
  }
  slot.busy = false;
  slot.request_active = false;
  c.set_metrics(&current());
}

}  // namespace h2soak::workloads
