#include "harness/h2/http2_session.h"

#include <algorithm>
#include <cstring>

#include "harness/net/request.h"

namespace h2soak::h2 {

ssize_t read_request_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                          nghttp2_data_source* source, void* user_data);

namespace {
constexpr std::uint32_t kPeerDefaultMaxStreams = 100;  // assumed until the peer's SETTINGS arrive

std::uint32_t window_of(std::uint32_t bits) {
  bits = std::min<std::uint32_t>(bits, 31);
  return static_cast<std::uint32_t>((1ULL << bits) - 1);
}

// A :status value as a code, or 0 if it is not one: not exactly three ASCII
// digits (RFC 9113 8.3.2), a leading 0 (no such class; 0 also means "no
// response yet" in StreamRecord), or 101 (not allowed in HTTP/2, RFC 9113
// 8.6). 6xx-9xx pass, as in nghttp2's own check, and are counted as "other".
int parse_status(const std::uint8_t* value, std::size_t length) {
  if (length != 3) return 0;
  const unsigned d0 = value[0] - 48u, d1 = value[1] - 48u, d2 = value[2] - 48u;  // non-digits wrap above 9
  if (d0 - 1u > 8u || d1 > 9u || d2 > 9u) return 0;                                   // d0 in 1..9
  const int status = static_cast<int>(d0 * 100 + d1 * 10 + d2);
  return status == 101 ? 0 : status;
}
}  // namespace

Http2Session::Http2Session(net::SessionHost& host, const Http2Settings& settings)
    : host_(host), settings_(settings) {
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_peer_max_concurrent_streams(option, kPeerDefaultMaxStreams);
  // Skip nghttp2's HTTP-semantics checks of every response header field
  // (profiled at ~3 % of client CPU); framing, HPACK and flow-control errors
  // are still detected, and :status is parsed here.
  nghttp2_option_set_no_http_messaging(option, 1);
  nghttp2_session_client_new3(&session_, client_callbacks(), this, option, memory_.mem());
  nghttp2_option_del(option);
}

Http2Session::~Http2Session() { nghttp2_session_del(session_); }

Status Http2Session::on_connect() {
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window_of(settings_.window_bits)},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, settings_.header_table_size},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, settings_.max_frame_size},
  };
  int rv = nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
  if (rv != 0) return Error(std::string("nghttp2_submit_settings: ") + nghttp2_strerror(rv));
  const auto conn_window = static_cast<int32_t>(window_of(settings_.connection_window_bits));
  if (conn_window > NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE) {
    rv = nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, conn_window);
    if (rv != 0) return Error(std::string("nghttp2_session_set_local_window_size: ") + nghttp2_strerror(rv));
  }
  host_.want_write();
  return {};
}

Status Http2Session::submit_request(net::StreamRecord& record) {
  const net::Request& req = *record.request;
  nghttp2_data_provider provider{};
  nghttp2_data_provider* provider_ptr = nullptr;
  if (req.body.size() > 0) {
    provider.source.ptr = &record;
    provider.read_callback = read_request_body;
    provider_ptr = &provider;
  }
  const auto& nva = req.nva();
  int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), provider_ptr, &record);
  if (id < 0) return Error(std::string("nghttp2_submit_request: ") + nghttp2_strerror(id));
  record.stream_id = id;
  record.active = true;
  ++active_;
  host_.want_write();
  return {};
}

// Opens an event for event_now() and closes it at scope exit, whatever the return path.
class Http2Session::EventScope {
 public:
  explicit EventScope(Http2Session& s) : s_(s) { s_.in_event_ = true; }
  ~EventScope() {
    s_.in_event_ = false;
    s_.event_time_ = TimePoint{};
  }
  EventScope(const EventScope&) = delete;
  EventScope& operator=(const EventScope&) = delete;

 private:
  Http2Session& s_;
};

TimePoint Http2Session::event_now() {
  if (!in_event_) return now();
  if (event_time_ == TimePoint{}) event_time_ = now();
  return event_time_;
}

Status Http2Session::on_read(const std::uint8_t* data, std::size_t length) {
  EventScope event(*this);
  ssize_t rv = nghttp2_session_mem_recv(session_, data, length);
  if (rv < 0) {
    protocol_error_ = true;
    return Error(std::string("HTTP/2 receive: ") + nghttp2_strerror(static_cast<int>(rv)));
  }
  if (nghttp2_session_want_write(session_)) host_.want_write();
  return {};
}

Result<std::size_t> Http2Session::fill_output(std::uint8_t* out, std::size_t capacity) {
  EventScope event(*this);
  std::size_t n = 0;
  for (;;) {
    if (pending_len_ > 0) {
      const std::size_t take = std::min(pending_len_, capacity - n);
      std::memcpy(out + n, pending_, take);
      n += take;
      pending_ += take;
      pending_len_ -= take;
      if (pending_len_ > 0) return n;  // caller's buffer is full
    }
    if (n == capacity) return n;
    const uint8_t* data = nullptr;
    ssize_t len = nghttp2_session_mem_send(session_, &data);
    if (len < 0) {
      protocol_error_ = true;
      return Error(std::string("HTTP/2 send: ") + nghttp2_strerror(static_cast<int>(len)));
    }
    if (len == 0) return n;
    pending_ = data;
    pending_len_ = static_cast<std::size_t>(len);
  }
}

void Http2Session::cancel(net::StreamRecord& record, net::ErrorClass why) {
  if (!record.active) return;
  if (record.error == net::ErrorClass::kNone) record.error = why;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, record.stream_id, NGHTTP2_CANCEL);
  host_.want_write();
}

void Http2Session::terminate(std::uint32_t error_code) {
  nghttp2_session_terminate_session(session_, error_code);
  host_.want_write();
}

std::size_t Http2Session::max_concurrent_streams() const {
  if (goaway_received_ || protocol_error_) return 0;
  std::uint32_t peer = settings_received_
                           ? nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
                           : kPeerDefaultMaxStreams;
  return std::min(peer, settings_.max_concurrent_streams);
}

bool Http2Session::alive() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0 ||
         pending_len_ > 0;
}

net::StreamRecord* Http2Session::record_of(std::int32_t stream_id) const {
  return static_cast<net::StreamRecord*>(nghttp2_session_get_stream_user_data(session_, stream_id));
}

void Http2Session::reject_response(net::StreamRecord& r) {
  block_ = HeaderBlock::kIgnored;
  if (r.error == net::ErrorClass::kNone) {
    r.error = net::ErrorClass::kProtocol;
    r.rst_error_code = NGHTTP2_PROTOCOL_ERROR;
  }
  // nghttp2 ignores the stream's further frames once the reset is queued; a
  // second call is a no-op. on_read asks the host to write it.
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, r.stream_id, NGHTTP2_PROTOCOL_ERROR);
}

// With no_http_messaging nghttp2 does not tell interim (1xx) responses from
// final ones: it files a stream's first header block under
// NGHTTP2_HCAT_RESPONSE and every later one under NGHTTP2_HCAT_HEADERS (as it
// does with messaging on, too). So a block is a candidate for the response
// while the stream has no final status, and its :status decides.
int Http2Session::handle_begin_headers(const nghttp2_frame* frame) {
  block_ = HeaderBlock::kIgnored;
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto* r = record_of(frame->hd.stream_id);
  if (!r) return 0;
  if (frame->headers.cat == NGHTTP2_HCAT_RESPONSE) {
    if (r->first_byte == TimePoint{}) r->first_byte = event_now();  // an interim block counts as the first byte
  } else if (r->status != 0) {
    return 0;  // trailers
  }
  block_ = HeaderBlock::kPending;
  block_record_ = r;
  return 0;
}

int Http2Session::handle_header(const nghttp2_frame*, const std::uint8_t* name, std::size_t namelen,
                                const std::uint8_t* value, std::size_t valuelen) {
  switch (block_) {
    case HeaderBlock::kIgnored:
    case HeaderBlock::kInterim:
      return 0;
    case HeaderBlock::kResponse:
      if (namelen > 0 && name[0] != ':' && block_record_->deliver_data && block_record_->observer)
        block_record_->observer->on_response_header(
            *block_record_, std::string_view(reinterpret_cast<const char*>(name), namelen),
            std::string_view(reinterpret_cast<const char*>(value), valuelen));
      return 0;
    case HeaderBlock::kPending:
      break;
  }
  // The block's first field: pseudo-header fields come first (RFC 9113
  // 8.3), and :status is the only one a response has.
  const int status = namelen == 7 && std::memcmp(name, ":status", 7) == 0 ? parse_status(value, valuelen) : 0;
  if (status == 0) {
    reject_response(*block_record_);
  } else if (status < 200) {
    block_ = HeaderBlock::kInterim;
  } else {
    block_record_->status = status;
    block_ = HeaderBlock::kResponse;
  }
  return 0;
}

int Http2Session::handle_frame_recv(const nghttp2_frame* frame) {
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
    case NGHTTP2_CONTINUATION:
    case NGHTTP2_DATA: {
      auto* r = record_of(frame->hd.stream_id);
      if (!r) return 0;
      const bool end_stream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
      if (frame->hd.type != NGHTTP2_DATA) {
        r->header_bytes_in += frame->hd.length;
        const HeaderBlock block = block_;
        block_ = HeaderBlock::kIgnored;
        if (block == HeaderBlock::kResponse) {
          if (r->observer) r->observer->on_response_headers(*r);
        } else if (block == HeaderBlock::kPending || (block == HeaderBlock::kInterim && end_stream)) {
          reject_response(*r);  // no fields at all, or an interim response that ends the stream
        }
      }
      if (end_stream) r->response_complete = true;
      return 0;
    }
    case NGHTTP2_RST_STREAM:
      if (auto* r = record_of(frame->hd.stream_id)) {
        r->peer_reset = true;
        r->rst_error_code = frame->rst_stream.error_code;
      }
      return 0;
    case NGHTTP2_SETTINGS:
      if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
        settings_received_ = true;
        host_.on_settings();
      }
      return 0;
    case NGHTTP2_GOAWAY:
      goaway_received_ = true;
      if (frame->goaway.error_code != NGHTTP2_NO_ERROR) protocol_error_ = true;
      host_.on_goaway(frame->goaway.error_code, frame->goaway.last_stream_id);
      return 0;
    default:
      return 0;
  }
}

int Http2Session::handle_frame_send(const nghttp2_frame* frame) {
  if (frame->hd.type == NGHTTP2_HEADERS) {
    if (auto* r = record_of(frame->hd.stream_id)) r->sent = event_now();
  } else if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
    protocol_error_ = true;  // nghttp2 detected a connection error and is closing
  }
  return 0;
}

int Http2Session::handle_data_chunk(std::int32_t stream_id, const std::uint8_t* data, std::size_t length) {
  auto* r = record_of(stream_id);
  if (!r) return 0;
  r->data_bytes_in += length;
  if (r->status == 0) {
    reject_response(*r);  // DATA before the final response's headers (after 1xx blocks only)
    return 0;
  }
  if (r->deliver_data && r->observer) r->observer->on_response_data(*r, data, length);
  return 0;
}

int Http2Session::handle_stream_close(std::int32_t stream_id, std::uint32_t error_code) {
  auto* r = record_of(stream_id);
  if (!r || !r->active) return 0;
  r->last_byte = event_now();
  if (r->error == net::ErrorClass::kNone) {
    if (error_code == NGHTTP2_NO_ERROR && r->response_complete) {
      // complete
    } else if (r->peer_reset) {
      r->error = r->rst_error_code == NGHTTP2_PROTOCOL_ERROR ? net::ErrorClass::kProtocol
                                                              : net::ErrorClass::kRstStream;
    } else if (error_code == NGHTTP2_REFUSED_STREAM && goaway_received_) {
      r->error = net::ErrorClass::kGoaway;
    } else if (error_code == NGHTTP2_NO_ERROR || error_code == NGHTTP2_CANCEL) {
      r->error = goaway_received_ ? net::ErrorClass::kGoaway : net::ErrorClass::kRstStream;
    } else {
      r->error = net::ErrorClass::kProtocol;
      r->rst_error_code = error_code;
    }
  }
  r->active = false;
  --active_;
  host_.on_stream_done(*r);
  return 0;
}

ssize_t Http2Session::read_body(net::StreamRecord& record, std::uint8_t* buf, std::size_t length,
                                std::uint32_t* flags) {
  const std::string& body = *record.request->body.bytes;
  const std::size_t size = record.request->body.size();  // may be a prefix of `body`
  const std::size_t left = size - record.body_offset;
  const std::size_t n = std::min(left, length);
  std::memcpy(buf, body.data() + record.body_offset, n);
  record.body_offset += n;
  record.body_bytes_out += n;
  if (record.body_offset == size) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace h2soak::h2
