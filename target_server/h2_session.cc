#include "target_server/h2_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "target_server/router.h"

namespace h2soak::server {
namespace {

// ---- nghttp2 callbacks: cast and forward, nothing else. ----

H2Session* self(void* user_data) { return static_cast<H2Session*>(user_data); }

int on_begin_headers_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  return self(user_data)->on_begin_headers(frame->hd.stream_id);
}

int on_header_cb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                 const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  return self(user_data)->on_header(frame->hd.stream_id, name, namelen, value, valuelen);
}

int on_frame_recv_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self(user_data)->on_frame_recv(frame);
}

int on_data_chunk_recv_cb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                          void* user_data) {
  return self(user_data)->on_data_chunk(stream_id, data, len);
}

int on_stream_close_cb(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
  return self(user_data)->on_stream_close(stream_id);
}

ssize_t data_read_cb(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* data_flags,
                     nghttp2_data_source*, void* user_data) {
  return self(user_data)->read_body(stream_id, buf, length, data_flags);
}

nghttp2_session_callbacks* make_callbacks() {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers_cb);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header_cb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv_cb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk_recv_cb);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close_cb);
  return cbs;
}

// ---- end of callbacks ----

// NO_COPY: every name and value lives in the Stream (or is static) until the stream closes,
// which is after its HEADERS frame went out.
nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}

// The stream limit nghttp2 enforces: above the advertised one, so that H2Session refuses the
// streams in between itself (see the constructor's contract). A client over twice the limit
// in one go still gets nghttp2's GOAWAY(PROTOCOL_ERROR).
uint32_t nghttp2_stream_limit(uint32_t advertised) {
  constexpr uint64_t kMaxStreamId = (1u << 31) - 1;
  return static_cast<uint32_t>(std::max<uint64_t>(advertised, std::min(2 * uint64_t{advertised} + 1, kMaxStreamId)));
}

// Sets SETTINGS_MAX_CONCURRENT_STREAMS in the serialized frames at `p` (whole frames, as
// nghttp2_session_mem_send returns them). True once a SETTINGS frame (not an ACK) was found.
bool advertise_stream_limit(char* p, size_t len, uint32_t value) {
  size_t i = 0;
  while (i + 9 <= len) {
    const auto* h = reinterpret_cast<const uint8_t*>(p + i);
    const size_t n = size_t{h[0]} << 16 | size_t{h[1]} << 8 | h[2];
    if (h[3] == NGHTTP2_SETTINGS && (h[4] & NGHTTP2_FLAG_ACK) == 0 && i + 9 + n <= len) {
      for (size_t e = i + 9; e + 6 <= i + 9 + n; e += 6) {
        auto* entry = reinterpret_cast<uint8_t*>(p + e);
        if ((entry[0] << 8 | entry[1]) != NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) continue;
        for (int b = 0; b < 4; ++b) entry[2 + b] = static_cast<uint8_t>(value >> (24 - 8 * b));
      }
      return true;
    }
    i += 9 + n;
  }
  return false;
}

}  // namespace

H2Session::H2Session(const SessionEnv& env) : env_(env) {
  // Callbacks and options are immutable once built; one copy per thread is plenty.
  static thread_local struct Shared {
    nghttp2_session_callbacks* cbs = make_callbacks();
    nghttp2_option* opt = [] {
      nghttp2_option* o = nullptr;
      nghttp2_option_new(&o);
      nghttp2_option_set_max_deflate_dynamic_table_size(o, 4096);
      // Closed streams are not kept for the RFC 7540 priority tree: less memory per
      // connection, and nothing lingers after a stream ends. The RFC 9113 checks nghttp2
      // then skips are H2FrameChecks'.
      nghttp2_option_set_no_closed_streams(o, 1);
      return o;
    }();
    ~Shared() {
      nghttp2_session_callbacks_del(cbs);
      nghttp2_option_del(opt);
    }
  } shared;
  nghttp2_session_server_new3(&session_, shared.cbs, this, shared.opt, memory_.mem());
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, nghttp2_stream_limit(env_.config.max_concurrent_streams)},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 256 * 1024},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, env_.config.max_header_bytes},
      // RFC 9218: no RFC 7540 dependency tree, a cheaper scheduler per stream (the
      // PRIORITY frame's rules are then H2FrameChecks').
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 1 << 20);
}

H2Session::~H2Session() {
  // Bodies first (they may hold timers), then the nghttp2 session.
  env_.worker.stats->streams_active.add(-static_cast<int64_t>(streams_.size()));
  for (Stream& st : streams_) nghttp2_session_set_stream_user_data(session_, st.id, nullptr);
  streams_.clear();
  nghttp2_session_del(session_);
}

std::optional<double> H2Session::request_started() const {
  // A header block is bounded from its beginning, so a client dribbling it a
  // byte at a time cannot restart the clock (as for HTTP/1.1); a body only
  // from its last progress, so that a long upload that keeps moving is never
  // cut.
  if (headers_pending_ > 0) {
    double oldest = last_input_;
    for (const Stream& st : streams_) {
      if (!st.headers_done) oldest = std::min(oldest, st.began);
    }
    return oldest;
  }
  if (incomplete_ == 0) return std::nullopt;
  return last_input_;
}

bool H2Session::output_blocked() const {
  const bool connection_window_empty = nghttp2_session_get_remote_window_size(session_) <= 0;
  for (const Stream& st : streams_) {
    if (!st.body) continue;
    if (connection_window_empty || nghttp2_session_get_stream_remote_window_size(session_, st.id) <= 0) return true;
  }
  return false;
}

bool H2Session::on_read(const uint8_t* data, size_t len) {
  last_input_ = env_.host.now();
  while (len > 0) {
    // In pieces that end where a frame needs a check nghttp2 skips here (h2_frame_checks.h).
    const size_t n = checks_.split(data, len);
    if (nghttp2_session_mem_recv(session_, data, n) < 0) return false;
    if (const H2FrameChecks::Frame* f = checks_.checkpoint()) check(*f);
    data += n;
    len -= n;
  }
  return true;
}

void H2Session::check(const H2FrameChecks::Frame& frame) {
  // After GOAWAY, frames of streams above its last id are discarded unseen (RFC 9113 6.8).
  if (shutting_down_ && frame.type != NGHTTP2_PRIORITY) return;
  const bool open = frame.stream_id != 0 && nghttp2_session_find_stream(session_, frame.stream_id) != nullptr;
  if (std::optional<uint32_t> error = checks_.judge(frame, open)) nghttp2_session_terminate_session(session_, *error);
}

bool H2Session::fill(std::string& out, size_t high_water) {
  const size_t start = out.size();
  while (out.size() < high_water) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (!settings_sent_) {
    settings_sent_ = advertise_stream_limit(out.data() + start, out.size() - start, env_.config.max_concurrent_streams);
  }
  return true;
}

bool H2Session::finished() const {
  return nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
}

void H2Session::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  for (Stream& st : streams_) {
    if (st.body) st.body->finish();
  }
}

void H2Session::Stream::reset() {
  body.reset();
  handler.reset();
  response.headers.clear();
  response.kept.clear();
  response.body.reset();
  req.method.clear();
  req.target.clear();
  req.authority.clear();
  req.headers.clear();
  status.clear();
  length.clear();
  id = 0;
  header_bytes = 0;
  headers_too_large = false;
  responded = false;
  peer_ended = false;
  headers_done = false;
  waiting = false;
  held = 0;
  began = 0;
}

H2Session::Stream* H2Session::find(int32_t stream_id) {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, stream_id));
}

int H2Session::on_begin_headers(int32_t stream_id) {
  if (streams_.size() >= env_.config.max_concurrent_streams) {
    // RFC 9113 5.1.2: a stream error; its header block is still decoded (HPACK state) and
    // then dropped, since the stream has no user data.
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
    checks_.stream_closed(stream_id, /*by_peer=*/false);
    return 0;
  }
  if (spare_.empty()) {
    streams_.emplace_front().req.headers.reserve(8);
  } else {
    streams_.splice(streams_.begin(), spare_, spare_.begin());
  }
  Stream& s = streams_.front();
  s.self = streams_.begin();
  s.id = stream_id;
  s.req.protocol = env_.protocol;
  nghttp2_session_set_stream_user_data(session_, stream_id, &s);
  env_.worker.stats->streams_active.add(1);
  ++incomplete_;
  s.began = env_.host.now();
  ++headers_pending_;
  return 0;
}

int H2Session::on_header(int32_t stream_id, const uint8_t* name, size_t namelen, const uint8_t* value,
                         size_t valuelen) {
  Stream* s = find(stream_id);
  if (!s || s->handler) return 0;  // trailers are ignored
  s->header_bytes += namelen + valuelen + 32;
  if (s->header_bytes > env_.config.max_header_bytes) {
    s->headers_too_large = true;
    return 0;
  }
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  // assign(), not a moved-in temporary: a reused Stream keeps its strings' capacity.
  if (n == ":method") s->req.method.assign(v);
  else if (n == ":path") s->req.target.assign(v);
  else if (n == ":authority") s->req.authority.assign(v);
  else if (!n.starts_with(':')) s->req.headers.push_back(Field{std::string(n), std::string(v)});
  return 0;
}

int H2Session::on_frame_recv(const nghttp2_frame* frame) {
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  const uint8_t type = frame->hd.type;
  if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA && type != NGHTTP2_RST_STREAM) return 0;
  Stream* s = find(frame->hd.stream_id);
  if (!s) return 0;
  if (end_stream || type == NGHTTP2_RST_STREAM) s->peer_ended = true;
  if (type == NGHTTP2_RST_STREAM) return 0;  // on_stream_close() follows
  if (type == NGHTTP2_HEADERS && !s->headers_done) {
    s->headers_done = true;
    --headers_pending_;
  }
  if (type == NGHTTP2_HEADERS && !s->handler) dispatch(*s);
  if (end_stream && !s->responded && !s->waiting) request_complete(*s);
  return 0;
}

int H2Session::on_data_chunk(int32_t stream_id, const uint8_t* data, size_t len) {
  Stream* s = find(stream_id);
  if (s && s->handler && !s->responded) s->handler->on_body(data, len);
  return 0;
}

int H2Session::on_stream_close(int32_t stream_id) {
  // The client reset the stream, or the response ended: the handler, the body and
  // whatever the body holds (an SSE timer) go away now.
  if (Stream* s = find(stream_id)) {
    nghttp2_session_set_stream_user_data(session_, stream_id, nullptr);
    checks_.stream_closed(stream_id, s->peer_ended);
    if (!s->responded && !s->waiting) --incomplete_;
    backlog_ -= s->held;
    if (!s->headers_done) --headers_pending_;
    if (env_.worker.faults) env_.worker.faults->on_stream_closed(s->req, fault_keep_);
    s->reset();  // the handler, the body and whatever the body holds go now
    if (spare_.size() < kMaxSpare) {
      spare_.splice(spare_.begin(), streams_, s->self);
    } else {
      streams_.erase(s->self);
    }
    env_.worker.stats->streams_active.add(-1);
    respond_waiting();
  }
  return 0;
}

void H2Session::dispatch(Stream& s) {
  if (s.headers_too_large) {
    s.handler = std::make_unique<FixedHandler>(Route::kNotFound, Response::text(431, "request header fields too large\n"));
    return;
  }
  s.handler = env_.router.make(s.req, env_.worker);
}

void H2Session::request_complete(Stream& s) {
  --incomplete_;
  // One response always goes, so any single response fits; past the backlog the rest wait in
  // arrival order (a stream closes when its body is sent, or when the peer resets it).
  if (backlog_full() || (backlog_ > 0 && !waiting_.empty())) {
    s.waiting = true;
    waiting_.push_back(s.id);
    return;
  }
  respond(s);
}

void H2Session::respond_waiting() {
  while (!waiting_.empty() && !backlog_full()) {
    const int32_t id = waiting_.front();
    waiting_.pop_front();
    Stream* s = find(id);
    if (s == nullptr || !s->waiting) continue;  // reset by the peer while it waited
    s->waiting = false;
    respond(*s);
    // The stream that made room may have closed inside a send round (nghttp2_session_mem_send)
    // that ends without picking this response up: make sure another round follows.
    env_.host.request_write();
  }
}

void H2Session::respond(Stream& s) {
  s.responded = true;
  Response r = s.handler->respond();
  env_.worker.stats->count_request(s.handler->route(), r.status);
  s.status = std::to_string(r.status);
  if (r.body && r.body->length()) s.length = std::to_string(*r.body->length());
  if (s.req.method == "HEAD" || r.status == 304 || r.status == 204) r.body.reset();
  if (r.body && r.body->length()) {
    s.held = *r.body->length();
    backlog_ += s.held;
  }
  s.body = std::move(r.body);
  s.response = std::move(r);
  constexpr size_t kMaxHeaders = 32;
  std::array<nghttp2_nv, kMaxHeaders + 3> nva;
  size_t n = 0;
  nva[n++] = make_nv(":status", s.status);
  nva[n++] = make_nv("server", "h2soak-target");
  if (!s.length.empty()) nva[n++] = make_nv("content-length", s.length);
  for (const Header& h : s.response.headers) {
    if (n < nva.size()) nva[n++] = make_nv(h.name, h.value);
  }
  nghttp2_data_provider provider{};
  provider.read_callback = data_read_cb;
  if (s.body) {
    const int32_t id = s.id;
    s.body->bind([this, id] {
      nghttp2_session_resume_data(session_, id);
      env_.host.request_write();
    });
    if (shutting_down_) s.body->finish();
  }
  int rv = nghttp2_submit_response(session_, s.id, nva.data(), n, s.body ? &provider : nullptr);
  if (rv != 0) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
}

ssize_t H2Session::read_body(int32_t stream_id, uint8_t* buf, size_t len, uint32_t* flags) {
  Stream* s = find(stream_id);
  if (!s || !s->body) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  Pull p = s->body->proceed(buf, len);
  switch (p.state) {
    case PullState::kData: return static_cast<ssize_t>(p.n);
    case PullState::kEof: *flags |= NGHTTP2_DATA_FLAG_EOF; return static_cast<ssize_t>(p.n);
    case PullState::kDeferred: return p.n > 0 ? static_cast<ssize_t>(p.n) : static_cast<ssize_t>(NGHTTP2_ERR_DEFERRED);
  }
  return NGHTTP2_ERR_CALLBACK_FAILURE;
}

}  // namespace h2soak::server
