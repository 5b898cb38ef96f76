#include "harness/h1/curl_client.h"

#include <openssl/ssl.h>

#include <cstring>

namespace h2soak::h1 {
namespace {

net::ErrorClass classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
      return net::ErrorClass::kConnectFailed;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return net::ErrorClass::kTlsFailed;
    case CURLE_OPERATION_TIMEDOUT:
      return net::ErrorClass::kTimeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return net::ErrorClass::kPeerClosed;
    case CURLE_ABORTED_BY_CALLBACK:
      return net::ErrorClass::kCancelled;
    default:
      return net::ErrorClass::kProtocol;
  }
}

}  // namespace

struct CurlClient::Slot {
  CurlClient* owner = nullptr;
  CURL* easy = nullptr;
  net::StreamRecord record;
  bool busy = false;
  bool tls_resumed = false;  // this transfer's connection resumed a TLS session (tls_resume only)
};

struct CurlClient::SocketWatch {
  CurlClient* owner;
  ev_io io;
};

CurlClient::CurlClient(struct ev_loop* loop, const CurlOptions& options, Observer& observer)
    : loop_(loop), options_(options), observer_(observer) {
  static const bool initialized = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)initialized;
  init_multi();
  ev_init(&timer_, &CurlClient::on_timeout);
  timer_.data = this;
  const std::size_t n = std::max<std::size_t>(1, options_.max_parallel);
  for (std::size_t i = 0; i < n; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->owner = this;
    CURL* e = slot->easy = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_PRIVATE, slot.get());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlClient::on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, slot.get());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.connect_timeout).count()));
    if (options_.request_timeout.count() > 0)
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.request_timeout).count()));
    if (options_.insecure) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, options_.tls_resume ? 1L : 0L);
    if (options_.tls_resume) {
      // Called once the connection is up, before the request goes out: the
      // one moment curl exposes the connection's SSL to ask whether it resumed.
      curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &CurlClient::on_prereq);
      curl_easy_setopt(e, CURLOPT_PREREQDATA, slot.get());
    }
    free_.push_back(slot.get());
    slots_.push_back(std::move(slot));
  }
}

void CurlClient::init_multi() {
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlClient::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlClient::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_connections));
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_connections));
}

void CurlClient::close_connections() {
  ev_timer_stop(loop_, &timer_);
  curl_multi_cleanup(multi_);  // closes cached connections; on_socket(REMOVE) frees the watchers
  init_multi();
}

CurlClient::~CurlClient() {
  ev_timer_stop(loop_, &timer_);
  for (auto& s : slots_) {
    if (s->busy) curl_multi_remove_handle(multi_, s->easy);
    curl_easy_cleanup(s->easy);
  }
  curl_multi_cleanup(multi_);  // closes cached connections; on_socket(REMOVE) frees the watchers
  for (auto& [req, list] : header_lists_) curl_slist_free_all(list);
}

net::StreamRecord* CurlClient::acquire() {
  if (free_.empty()) return nullptr;
  Slot* s = free_.back();
  free_.pop_back();
  s->busy = true;
  net::StreamRecord& r = s->record;
  r = net::StreamRecord{};
  return &r;
}

curl_slist* CurlClient::headers_for(const net::Request& request) {
  auto it = header_lists_.find(&request);
  if (it != header_lists_.end()) return it->second;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name[0] == ':') continue;
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip for bodies
  header_lists_.emplace(&request, list);
  return list;
}

void CurlClient::submit(net::StreamRecord& record) {
  submit(record, options_.new_connection_per_request, options_.new_connection_per_request);
}

void CurlClient::submit(net::StreamRecord& record, bool fresh_connection, bool forbid_reuse) {
  Slot& s = *reinterpret_cast<Slot*>(reinterpret_cast<char*>(&record) - offsetof(Slot, record));
  const net::Request& req = *record.request;
  CURL* e = s.easy;
  const std::string url = req.url.to_string();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());  // curl copies it
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_for(req));
  curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, forbid_reuse ? 1L : 0L);
  if (req.body.size() > 0) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.bytes->data());  // not copied
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                   (req.method == "GET" || (req.method == "POST" && req.body.size() > 0)) ? nullptr : req.method.c_str());
  record.submitted = now();
  if (record.intended == TimePoint{}) record.intended = record.submitted;
  record.sent = record.submitted;
  record.active = true;
  s.tls_resumed = false;
  CURLMcode rc = curl_multi_add_handle(multi_, e);
  if (rc != CURLM_OK) finish(s, CURLE_FAILED_INIT);
}

void CurlClient::cancel_all(net::ErrorClass why) {
  for (auto& s : slots_) {
    if (!s->busy || !s->record.active) continue;
    curl_multi_remove_handle(multi_, s->easy);
    s->record.error = why;
    finish(*s, CURLE_ABORTED_BY_CALLBACK);
  }
}

int CurlClient::on_prereq(void* clientp, char*, char*, int, int) {
  auto* s = static_cast<Slot*>(clientp);
  curl_tlssessioninfo* info = nullptr;
  s->tls_resumed = false;
  if (curl_easy_getinfo(s->easy, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
      info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr)
    s->tls_resumed = SSL_session_reused(static_cast<SSL*>(info->internals)) == 1;
  return CURL_PREREQFUNC_OK;
}

size_t CurlClient::on_data(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* s = static_cast<Slot*>(userdata);
  const size_t n = size * nmemb;
  net::StreamRecord& r = s->record;
  if (r.first_byte == TimePoint{}) r.first_byte = now();
  r.data_bytes_in += n;
  if (r.deliver_data && r.observer) r.observer->on_response_data(r, reinterpret_cast<const std::uint8_t*>(ptr), n);
  return n;
}

void CurlClient::finish(Slot& s, CURLcode code) {
  net::StreamRecord& r = s.record;
  CURL* e = s.easy;
  TransferFacts facts;
  r.last_byte = now();
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  long header_size = 0, request_size = 0, connects = 0;
  curl_off_t uploaded = 0, start_transfer = 0, connect_time = 0, app_connect = 0;
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start_transfer);
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_time);
  curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &app_connect);
  r.header_bytes_in = static_cast<std::uint64_t>(header_size);
  r.body_bytes_out = static_cast<std::uint64_t>(uploaded);
  if (start_transfer > 0) r.first_byte = r.submitted + Micros(start_transfer);
  facts.new_connection = connects > 0;
  if (facts.new_connection) {
    facts.connect_us = static_cast<std::uint64_t>(connect_time);
    if (app_connect > connect_time) facts.tls_us = static_cast<std::uint64_t>(app_connect - connect_time);
    facts.tls_resumed = s.tls_resumed;
  }
  s.tls_resumed = false;
  facts.bytes_in = r.header_bytes_in + r.data_bytes_in;
  facts.bytes_out = static_cast<std::uint64_t>(request_size) + r.body_bytes_out;
  if (r.error == net::ErrorClass::kNone && code != CURLE_OK) r.error = classify(code);
  if (r.error == net::ErrorClass::kNone) r.response_complete = true;
  r.active = false;
  r.reported = true;
  observer_.on_transfer_done(*this, r, facts);
  s.busy = false;
  free_.push_back(&s);
  observer_.on_slot_free(*this);
}

void CurlClient::drain_completed() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    const CURLcode code = msg->data.result;
    Slot* s = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&s));
    curl_multi_remove_handle(multi_, e);
    finish(*s, code);
  }
}

int CurlClient::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void* socketp) {
  auto* self = static_cast<CurlClient*>(userp);
  auto* w = static_cast<SocketWatch*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (w) {
      ev_io_stop(self->loop_, &w->io);
      delete w;
      curl_multi_assign(self->multi_, fd, nullptr);
    }
    return 0;
  }
  if (!w) {
    w = new SocketWatch{self, {}};
    ev_init(&w->io, &CurlClient::on_io);
    w->io.data = w;
    curl_multi_assign(self->multi_, fd, w);
  } else {
    ev_io_stop(self->loop_, &w->io);
  }
  const int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
  ev_io_set(&w->io, fd, events);
  ev_io_start(self->loop_, &w->io);
  return 0;
}

int CurlClient::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlClient*>(userp);
  ev_timer_stop(self->loop_, &self->timer_);
  if (timeout_ms >= 0) {
    ev_timer_set(&self->timer_, static_cast<double>(timeout_ms) / 1000.0, 0.);
    ev_timer_start(self->loop_, &self->timer_);
  }
  return 0;
}

void CurlClient::on_io(struct ev_loop*, ev_io* w, int revents) {
  auto* watch = static_cast<SocketWatch*>(w->data);
  CurlClient* self = watch->owner;
  const int flags = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
  int running = 0;
  curl_multi_socket_action(self->multi_, w->fd, flags, &running);
  self->drain_completed();
}

void CurlClient::on_timeout(struct ev_loop*, ev_timer* w, int) {
  auto* self = static_cast<CurlClient*>(w->data);
  int running = 0;
  curl_multi_socket_action(self->multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  self->drain_completed();
}

}  // namespace h2soak::h1
