#include "harness/workloads/idle_workload.h"

#include <cmath>

#include "harness/load/worker.h"
#include "harness/load/request_accounting.h"

namespace h2soak::workloads {

IdleWorkload::IdleWorkload(load::Worker& worker, const WorkloadContext& context)
    : WorkloadBase(worker, context), params_(std::get<scenario::IdleWorkload>(context_.planned.params)) {
  request_.url = context_.url(params_.path);
  request_.finalize();
  for (int p = 0; p < load::kPhaseCount; ++p) {
    auto& m = metrics_of(static_cast<std::uint64_t>(p));
    extras_[p] = {&m.extra_counter("idle.opened"), &m.extra_counter("idle.connect_failed"),
                  &m.extra_counter("idle.server_closed"), &m.extra_counter("idle.still_open"),
                  &m.extra_counter("idle.closed_goaway"), &m.extra_counter("idle.closed_eof"),
                  &m.extra_counter("idle.closed_reset"), &m.extra_histogram("idle.time_to_server_close_us")};
  }
  // Split each class over the workers separately, so the fractions hold
  // whatever the worker count.
  const auto total = static_cast<std::uint64_t>(params_.connections);
  const auto raw_total = static_cast<std::uint64_t>(std::llround(total * params_.no_tls_handshake));
  const auto silent_total =
      std::min<std::uint64_t>(total - raw_total, static_cast<std::uint64_t>(std::llround(total * params_.no_request)));
  const std::uint64_t raw = context_.share(raw_total), silent = context_.share(silent_total),
                      request = context_.share(total - raw_total - silent_total);
  entries_.resize(raw + silent + request);
  const auto options = context_.connection_options(1);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    e.mode = i < raw ? Mode::kNoHandshake : i < raw + silent ? Mode::kNoRequest : Mode::kOneRequest;
    if (e.mode == Mode::kNoHandshake) {
      Entry* ep = &e;
      e.raw = std::make_unique<SilentSocket>(
          worker.loop(),
          [this, ep](bool ok) {
            if (!ok) {
              ep->finished = true;
              ++*x().failed;
              ++current().counters.connections_failed;
              return;
            }
            note_connected();
            ep->open = true;
            ep->silent_since = now();
          },
          [this, ep](bool reset) { server_closed(*ep, reset ? How::kReset : How::kEof); });
    } else {
      e.connection = load::make_connection(worker, options, *this, &current());
      e.connection->user = &e;
    }
  }
  if (options.tls) worker.tls();
}

IdleWorkload::~IdleWorkload() { entries_.clear(); }

void IdleWorkload::on_window_open() {
  if (opened_) return;  // held, never reopened
  opened_ = true;
  for (auto& e : entries_) {
    ++*x().opened;
    if (e.raw) {
      ++current().counters.connections_opened;
      if (!e.raw->connect(context_.address)) {
        e.finished = true;
        ++*x().failed;
      }
    } else {
      e.connection->connect();
    }
  }
}

void IdleWorkload::close_all() {
  for (auto& e : entries_) {
    if (e.open && !e.finished) ++*x().still_open;
    e.finished = true;
    e.open = false;
    if (e.raw) e.raw->close();
    if (e.connection) e.connection->close(net::ErrorClass::kCancelled, "idle hold over");
  }
}

void IdleWorkload::on_phase(metrics::WorkloadMetrics& m) {
  for (auto& e : entries_)
    if (e.connection) e.connection->set_metrics(&m);
}

void IdleWorkload::server_closed(Entry& e, How how) {
  if (e.finished) return;
  e.finished = true;
  e.open = false;
  ++*x().server_closed;
  ++*(how == How::kGoaway ? x().goaway : how == How::kEof ? x().eof : x().reset);
  x().time_to_close->record(micros_between(e.silent_since, now()));
}

void IdleWorkload::on_connected(load::Connection& c) {
  note_connected();
  Entry& e = *static_cast<Entry*>(c.user);
  e.open = true;
  e.silent_since = now();
  if (e.mode != Mode::kOneRequest || closed()) return;
  net::StreamRecord* r = c.acquire();
  if (!r) return;
  r->request = &request_;
  r->observer = this;
  r->user = &e;
  r->user_tag = phase_tag();
  ++in_flight_;
  ++current().counters.requests_started;
  c.submit(*r);
}

void IdleWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  Entry& e = *static_cast<Entry*>(r.user);
  load::record_request(metrics_of(r.user_tag & 1), r, load::sent_time(r));
  e.silent_since = r.last_byte;
}

void IdleWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  Entry& e = *static_cast<Entry*>(c.user);
  if (info.cause == net::ErrorClass::kCancelled || e.finished) return;  // our own close
  if (!info.was_connected) {
    e.finished = true;
    ++*x().failed;
    note_error(info.message);
    return;
  }
  // kNone: the session ended cleanly (GOAWAY); otherwise the socket just closed.
  server_closed(e, info.cause == net::ErrorClass::kNone ? How::kGoaway : How::kEof);
}

}  // namespace h2soak::workloads
