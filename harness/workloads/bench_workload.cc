#include "harness/workloads/bench_workload.h"

#include <algorithm>

#include "harness/load/error_class.h"
#include "harness/load/request_accounting.h"
#include "harness/load/worker.h"

namespace h2soak::workloads {
namespace {
constexpr Nanos kMinBackoff = std::chrono::milliseconds(100);
constexpr Nanos kMaxBackoff = std::chrono::seconds(1);
constexpr Nanos kFinishGrace = std::chrono::seconds(1);

}  // namespace

BenchWorkload::BenchWorkload(load::Worker& worker, const BenchPlan& plan)
    : worker_(worker), plan_(plan), log_(plan.log) {
  const int w = worker.index(), n = worker.count();
  requests_ = plan.requests == 0 ? 0 : BenchPlan::share(plan.requests, w, n);
  const std::uint64_t clients = BenchPlan::share(plan.clients, w, n);
  rate_ = plan.rate > 0 ? plan.rate / n : 0;
  if (rate_ > 0) gaps_ = ArrivalGaps(rate_, plan.poisson, plan.worker_seed(w));
  for (const auto& url : plan.urls) {
    net::Request& r = requests_list_.emplace_back();
    r.url = url;
    r.method = plan.method;
    r.headers = plan.headers;
    r.body = plan.body;
    r.finalize();
  }
  // --h1: one request at a time per client (h2load --h1 without pipelining).
  const std::uint32_t streams = plan.h1 ? 1 : std::max<std::uint32_t>(1, plan.max_streams);
  max_in_flight_ = plan.max_in_flight > 0 ? BenchPlan::share(plan.max_in_flight, w, n) : clients * streams;
  load::ConnectionOptions options;
  options.protocol = plan.h1 ? load::Protocol::kH1 : load::Protocol::kH2;
  options.address = plan.address;
  options.host = plan.urls.front().host;
  options.tls = plan.urls.front().tls();
  options.tls_resume = plan.tls_resume;
  options.insecure = plan.insecure;
  options.ca_file = plan.ca_file;
  options.settings = plan.settings;
  options.settings.max_concurrent_streams = streams;
  options.connect_timeout = plan.connect_timeout;
  options.active_timeout = plan.active_timeout;
  options.inactivity_timeout = plan.inactivity_timeout;
  options.request_timeout = plan.request_timeout;
  clients_.resize(clients);
  for (auto& c : clients_) {
    c.connection = load::make_connection(worker, options, *this, &current());
    c.connection->user = &c;
    Client* cp = &c;
    c.reconnect_timer = std::make_unique<load::Timer>(worker.loop(), [cp] { cp->connection->connect(); });
  }
  for (auto& m : metrics_) m.series.set_origin(worker.origin());
  if (rate_ > 0) tick_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { on_tick(); });
  finish_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { abort(); });
}

BenchWorkload::~BenchWorkload() {
  log_.flush();
  tick_timer_.reset();
  for (auto& c : clients_) c.reconnect_timer.reset();
  clients_.clear();  // connections before the records' observer (this) goes away
}

void BenchWorkload::start() {
  if (clients_.empty() || (requests_ == 0 && plan_.requests != 0)) {
    finished_ = true;
    worker_.finish();
    return;
  }
  // The arrival schedule starts when the first connection is ready (a request
  // due while nothing is connected yet would only measure the handshake).
  for (auto& c : clients_) c.connection->connect();
}

void BenchWorkload::begin_steady() {
  phase_ = load::Phase::kSteady;
  for (auto& c : clients_) c.connection->set_metrics(&current());
}

void BenchWorkload::stop() {
  stopping_ = true;
  if (tick_timer_) tick_timer_->stop();
  maybe_finish();
}

void BenchWorkload::abort() {
  if (finished_) return;
  stopping_ = true;
  if (tick_timer_) tick_timer_->stop();
  for (auto& c : clients_) {
    c.reconnect_timer->stop();
    c.done = true;
    c.connection->close(net::ErrorClass::kCancelled, "run ended");
  }
  check_all_closed();
  if (!finished_) {
    finished_ = true;
    worker_.finish();
  }
}

void BenchWorkload::progress(metrics::Counters& counters, std::uint64_t& in_flight) const {
  counters = metrics_[static_cast<int>(phase_)].counters;
  in_flight = in_flight_;
}

void BenchWorkload::start_schedule() {
  if (schedule_started_) return;
  schedule_started_ = true;
  next_due_ = now() + plan_.first_due;
  on_tick();
}

void BenchWorkload::on_connected(load::Connection& c) {
  if (open_model()) start_schedule();
  static_cast<Client*>(c.user)->backoff = Nanos{0};
  if (!open_model()) fill(c);
  if (!work_left()) maybe_finish();
}

void BenchWorkload::on_stream_slot_free(load::Connection& c) {
  if (!open_model()) fill(c);
}

void BenchWorkload::fill(load::Connection& c) {
  while (work_left() && c.capacity() > 0) submit_one(c, TimePoint{});
}

void BenchWorkload::submit_one(load::Connection& c, TimePoint intended) {
  net::StreamRecord& r = *c.acquire();
  r.request = &requests_list_[next_request_];
  if (++next_request_ == requests_list_.size()) next_request_ = 0;
  r.observer = this;
  r.user = &c;
  r.user_tag = static_cast<std::uint64_t>(phase_);
  r.intended = intended;
  ++issued_;
  ++in_flight_;
  ++current().counters.requests_started;
  c.submit(r);
}

void BenchWorkload::on_tick() {
  if (stopping_) return;
  const TimePoint t = now();
  while (next_due_ <= t && budget_left()) {
    ++issued_;
    load::Connection* target = nullptr;
    if (in_flight_ < max_in_flight_) {
      for (std::size_t i = 0; i < clients_.size(); ++i) {
        load::Connection& c = *clients_[rr_].connection;
        if (++rr_ == clients_.size()) rr_ = 0;
        if (c.capacity() > 0) { target = &c; break; }
      }
    }
    if (target) {
      --issued_;  // submit_one counts it
      submit_one(*target, next_due_);
    } else {
      ++current().counters.requests_dropped;
    }
    next_due_ += gaps_.next();
  }
  if (!budget_left()) {
    maybe_finish();
    return;
  }
  tick_timer_->start(std::chrono::duration_cast<Nanos>(next_due_ - t));
}

void BenchWorkload::on_complete(net::StreamRecord& r) {
  --in_flight_;
  if (r.status != 0) ever_connected_ = true;
  const TimePoint start = open_model() ? r.intended : load::sent_time(r);
  const load::Recorded rec = load::record_request(metrics_[r.user_tag], r, start);
  if (log_.enabled()) {
    auto* c = static_cast<load::Connection*>(r.user);
    const double start_unix =
        plan_.log_origin_unix + std::chrono::duration<double>(start - worker_.origin()).count();
    log_.add(static_cast<std::uint64_t>(start_unix * 1e6), r.status, c ? c->connect_us() : 0, c ? c->tls_us() : 0,
             rec.ttfb_us, rec.total_us,
             r.header_bytes_in + r.data_bytes_in, r.body_bytes_out,
             r.ok() ? std::string_view("-") : net::error_class_name(r.error));
  }
  if (!work_left() && in_flight_ == 0) maybe_finish();
}

void BenchWorkload::on_closed(load::Connection& c, const load::CloseInfo& info) {
  Client& client = *static_cast<Client*>(c.user);
  if (info.was_connected) ever_connected_ = true;  // h1 is ready before it connects: said here, not in on_connected
  if (!info.message.empty() && info.cause != net::ErrorClass::kCancelled) last_error_ = info.message;
  if (finishing_ || !work_left() || !info.was_connected) {
    client.done = true;  // finished, or never connected: give up as h2load does
    check_all_closed();
    return;
  }
  if (info.completed_ok > 0) {
    client.backoff = Nanos{0};
    c.connect();
    return;
  }
  client.backoff = client.backoff.count() == 0 ? kMinBackoff : std::min(client.backoff * 2, kMaxBackoff);
  client.reconnect_timer->start(client.backoff);
}

void BenchWorkload::maybe_finish() {
  if (finishing_ || finished_) return;
  if (work_left()) return;
  if (in_flight_ > 0) return;
  finishing_ = true;
  if (tick_timer_) tick_timer_->stop();
  for (auto& c : clients_) {
    c.reconnect_timer->stop();
    if (c.connection->state() == load::Connection::State::kIdle) c.done = true;
    else c.connection->shutdown();
  }
  finish_timer_->start(kFinishGrace);
  check_all_closed();
}

void BenchWorkload::check_all_closed() {
  if (finished_) return;
  bool all_done = std::all_of(clients_.begin(), clients_.end(), [](const Client& c) { return c.done; });
  if (!all_done) return;
  if (in_flight_ > 0 && !stopping_ && !finishing_) return;
  finished_ = true;
  finish_timer_->stop();
  worker_.finish();
}

}  // namespace h2soak::workloads
