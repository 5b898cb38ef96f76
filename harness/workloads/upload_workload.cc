#include "harness/workloads/upload_workload.h"

#include <algorithm>

#include "harness/load/worker.h"
#include "harness/load/request_accounting.h"

namespace h2soak::workloads {
namespace {
constexpr std::size_t kReplyLimit = 1024;
constexpr Nanos kMinBackoff = std::chrono::milliseconds(200);
constexpr Nanos kMaxBackoff = std::chrono::seconds(2);
}  // namespace

UploadWorkload::UploadWorkload(load::Worker& worker, const WorkloadContext& context)
    : WorkloadBase(worker, context),
      params_(std::get<scenario::UploadWorkload>(context_.planned.params)),
      sizes_(params_.size, params_.distribution) {
  std::size_t slots = 0;
  if (params_.rate) {
    rate_ = context_.share_rate(*params_.rate);
    slots = context_.share(params_.max_in_flight);
  } else {
    slots = context_.share(params_.concurrency.value_or(4));
  }
  std::size_t links = context_.share(std::max<std::uint32_t>(1, params_.connections));
  if (slots > 0 && links == 0) links = 1;
  if (slots == 0) links = 0;
  for (int p = 0; p < load::kPhaseCount; ++p) {
    auto& m = metrics_of(static_cast<std::uint64_t>(p));
    extras_[p] = {&m.extra_counter("upload.verified"),     &m.extra_counter("upload.verify_failed"),
                  &m.extra_counter("upload.unverifiable"), &m.extra_counter("upload.body_bytes"),
                  &m.extra_histogram("upload.size_bytes"), &m.extra_histogram("upload.throughput_kib_s")};
  }
  if (slots == 0) return;
  body_ = std::make_unique<UploadBody>(std::max<std::uint64_t>(1, params_.size.max));
  uploads_.reserve(slots);
  for (std::size_t i = 0; i < slots; ++i) {
    auto u = std::make_unique<Upload>();
    u->request.url = context_.url(params_.path);
    u->request.method = params_.method;
    u->request.headers = {{"content-type", "application/octet-stream"}};
    u->reply.reserve(kReplyLimit);
    uploads_.push_back(std::move(u));
  }
  const auto per_link = static_cast<std::uint32_t>((slots + links - 1) / links);
  const auto options = context_.connection_options(per_link);
  links_.resize(links);
  for (auto& l : links_) {
    l.connection = load::make_connection(worker, options, *this, &current());
    l.connection->user = &l;
    Link* lp = &l;
    l.reconnect_timer = std::make_unique<load::Timer>(worker.loop(), [this, lp] {
      if (!closed() && active() && lp->connection->state() == load::Connection::State::kIdle) lp->connection->connect();
    });
  }
  if (rate_ > 0) tick_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { on_tick(); });
  if (options.tls) worker.tls();
}

UploadWorkload::~UploadWorkload() {
  tick_timer_.reset();
  for (auto& l : links_) l.reconnect_timer.reset();
  links_.clear();  // connections (and their records) before the uploads they point to
}

void UploadWorkload::on_window_open() {
  for (auto& l : links_)
    if (l.connection->state() == load::Connection::State::kIdle) l.connection->connect();
  if (open_model() && !links_.empty()) {
    next_due_ = window_start();
    on_tick();
  } else {
    fill();
  }
}

void UploadWorkload::on_window_close() {
  if (tick_timer_) tick_timer_->stop();
  for (auto& l : links_) l.reconnect_timer->stop();
}

void UploadWorkload::close_all() {
  on_window_close();
  for (auto& l : links_) l.connection->close(net::ErrorClass::kCancelled, "workload closed");
}

void UploadWorkload::on_phase(metrics::WorkloadMetrics& m) {
  for (auto& l : links_) l.connection->set_metrics(&m);
}

load::Connection* UploadWorkload::pick_connection() {
  for (std::size_t i = 0; i < links_.size(); ++i) {
    load::Connection& c = *links_[rr_].connection;
    rr_ = (rr_ + 1) % links_.size();
    if (c.capacity() > 0) return &c;
  }
  return nullptr;
}

bool UploadWorkload::start_one(TimePoint intended) {
  auto it = std::find_if(uploads_.begin(), uploads_.end(), [](const auto& u) { return !u->busy; });
  if (it == uploads_.end()) return false;
  load::Connection* c = pick_connection();
  if (!c) return false;
  Upload& u = **it;
  u.busy = true;
  u.size = std::max<std::size_t>(1, sizes_.next(rng()));
  u.request.body = body_->body(u.size);
  u.request.finalize();
  u.reply.clear();
  net::StreamRecord* r = c->acquire();
  r->request = &u.request;
  r->observer = this;
  r->user = &u;
  r->user_tag = phase_tag();
  r->deliver_data = params_.verify;
  r->intended = intended;
  ++in_flight_;
  ++current().counters.requests_started;
  c->submit(*r);
  return true;
}

void UploadWorkload::fill() {
  if (open_model()) return;
  // Bounded: a submit that fails completes at once and frees its upload again.
  for (std::size_t i = 0; i < uploads_.size() && active(); ++i)
    if (!start_one(TimePoint{})) break;
}

void UploadWorkload::on_tick() {
  if (!active()) return;
  const TimePoint t = now();
  const Nanos gap = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(1.0 / rate_));
  while (next_due_ <= t && next_due_ < window_end()) {
    if (!start_one(next_due_)) ++current().counters.requests_dropped;
    next_due_ += gap;
  }
  if (next_due_ < window_end()) tick_timer_->start(std::chrono::duration_cast<Nanos>(next_due_ - t));
}

void UploadWorkload::on_response_data(net::StreamRecord& r, const std::uint8_t* data, std::size_t length) {
  Upload& u = *static_cast<Upload*>(r.user);
  const std::size_t take = std::min(length, kReplyLimit - u.reply.size());
  u.reply.append(reinterpret_cast<const char*>(data), take);
}

void UploadWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  Upload& u = *static_cast<Upload*>(r.user);
  const std::uint64_t phase = r.user_tag & 1;
  auto& m = metrics_of(phase);
  const Extras& x = extras_[phase];
  const TimePoint start = open_model() ? r.intended : load::sent_time(r);
  load::record_request(m, r, start);
  *x.body_bytes += r.body_bytes_out;
  if (r.ok() && r.status >= 200 && r.status < 300) {
    x.size->record(u.size);
    const double seconds = seconds_between(load::sent_time(r), r.last_byte);
    if (seconds > 0) x.throughput->record(static_cast<std::uint64_t>(u.size / 1024.0 / seconds));
    if (params_.verify) {
      switch (check_upload_reply(u.reply, u.size, body_->digest_hex(u.size))) {
        case ReplyCheck::kMatch: ++*x.verified; break;
        case ReplyCheck::kNoDigest: ++*x.unverifiable; break;
        default: ++*x.verify_failed; break;
      }
    }
  }
  u.busy = false;
  // The next upload starts when the connection frees the slot (on_stream_slot_free).
}

void UploadWorkload::on_connected(load::Connection& c) {
  note_connected();
  static_cast<Link*>(c.user)->backoff = Nanos{0};
  fill();
}

void UploadWorkload::on_stream_slot_free(load::Connection&) { fill(); }

void UploadWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  if (info.cause != net::ErrorClass::kCancelled) note_error(info.message);
  Link& link = *static_cast<Link*>(c.user);
  if (closed() || !active()) return;
  if (info.was_connected) link.backoff = Nanos{0};
  else link.backoff = link.backoff.count() == 0 ? kMinBackoff : std::min(link.backoff * 2, kMaxBackoff);
  link.reconnect_timer->start(link.backoff);
}

}  // namespace h2soak::workloads
