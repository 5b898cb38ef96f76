#include "target_server/h1_session.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdio>

#include "target_server/router.h"

namespace h2soak::server {
namespace {

// ---- http_parser callbacks: cast and forward, nothing else. ----

H1Session* self(http_parser* p) { return static_cast<H1Session*>(p->data); }
int cb_message_begin(http_parser* p) { return self(p)->on_message_begin(); }
int cb_url(http_parser* p, const char* at, size_t len) { return self(p)->on_url(at, len); }
int cb_header_field(http_parser* p, const char* at, size_t len) { return self(p)->on_header_field(at, len); }
int cb_header_value(http_parser* p, const char* at, size_t len) { return self(p)->on_header_value(at, len); }
int cb_headers_complete(http_parser* p) { return self(p)->on_headers_complete(); }
int cb_body(http_parser* p, const char* at, size_t len) { return self(p)->on_body(at, len); }
int cb_message_complete(http_parser* p) { return self(p)->on_message_complete(); }

const http_parser_settings kSettings = [] {
  http_parser_settings s;
  http_parser_settings_init(&s);
  s.on_message_begin = cb_message_begin;
  s.on_url = cb_url;
  s.on_header_field = cb_header_field;
  s.on_header_value = cb_header_value;
  s.on_headers_complete = cb_headers_complete;
  s.on_body = cb_body;
  s.on_message_complete = cb_message_complete;
  return s;
}();

// ---- end of callbacks ----

std::string_view reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

bool has_body(int status, bool head) { return !head && status != 304 && status != 204 && status >= 200; }

}  // namespace

H1Session::H1Session(const SessionEnv& env) : env_(env) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

H1Session::~H1Session() {
  if (cur_) env_.worker.stats->streams_active.add(-1);
}

std::optional<double> H1Session::request_started() const { return header_started_; }

bool H1Session::on_read(const uint8_t* data, size_t len) {
  if (done_) return true;  // closing: the rest is ignored
  if (cur_ && cur_->complete) {
    backlog_.append(reinterpret_cast<const char*>(data), len);  // pipelined; parsed after the response
    return true;
  }
  return parse(reinterpret_cast<const char*>(data), len);
}

bool H1Session::parse(const char* data, size_t len) {
  while (len > 0 && !done_) {
    size_t n = http_parser_execute(&parser_, &kSettings, data, len);
    http_errno err = HTTP_PARSER_ERRNO(&parser_);
    if (err == HPE_PAUSED) {
      backlog_.append(data + n, len - n);
      return true;
    }
    if (err != HPE_OK) {
      reject(reject_status_ ? reject_status_ : 400);
      return true;
    }
    if (n >= len) break;
    // Only an Upgrade request stops the parser early; the upgrade is declined and the
    // connection goes on as HTTP/1.1.
    data += n;
    len -= n;
  }
  return true;
}

void H1Session::reject(int status) {
  if (cur_) {
    env_.worker.stats->streams_active.add(-1);
    cur_.reset();
  }
  env_.worker.stats->count_request(Route::kNotFound, status);
  std::string body = fmt::format("{}\n", reason(status));
  pending_out_ += fmt::format("HTTP/1.1 {} {}\r\nserver: h2soak-target\r\ncontent-type: text/plain\r\n"
                              "content-length: {}\r\nconnection: close\r\n\r\n{}",
                              status, reason(status), body.size(), body);
  done_ = true;
}

bool H1Session::header_over_limit(size_t add) {
  header_bytes_ += add;
  if (header_bytes_ <= env_.config.max_header_bytes) return false;
  reject_status_ = 431;
  return true;
}

int H1Session::on_message_begin() {
  cur_ = std::make_unique<Exchange>();
  cur_->req.protocol = env_.protocol;
  env_.worker.stats->streams_active.add(1);
  header_started_ = env_.host.now();
  header_bytes_ = 0;
  reject_status_ = 0;
  field_.clear();
  in_value_ = false;
  return 0;
}

int H1Session::on_url(const char* at, size_t len) {
  if (header_over_limit(len)) return 1;
  cur_->req.target.append(at, len);
  return 0;
}

int H1Session::on_header_field(const char* at, size_t len) {
  if (header_over_limit(len)) return 1;
  if (in_value_) {
    field_.clear();
    in_value_ = false;
  }
  for (size_t i = 0; i < len; ++i) field_ += static_cast<char>(std::tolower(static_cast<unsigned char>(at[i])));
  return 0;
}

int H1Session::on_header_value(const char* at, size_t len) {
  if (header_over_limit(len + 4)) return 1;
  if (!in_value_) {
    cur_->req.headers.push_back(Field{field_, {}});
    in_value_ = true;
  }
  cur_->req.headers.back().value.append(at, len);
  return 0;
}

int H1Session::on_headers_complete() {
  header_started_.reset();
  Exchange& x = *cur_;
  x.req.method = http_method_str(static_cast<http_method>(parser_.method));
  x.req.authority = std::string(x.req.header("host"));
  x.keep_alive = http_should_keep_alive(&parser_) != 0;
  x.head = parser_.method == HTTP_HEAD;
  x.handler = env_.router.make(x.req, env_.worker);
  std::string_view expect = x.req.header("expect");
  if (expect.size() == 12 && strncasecmp(expect.data(), "100-continue", 12) == 0) {
    if (auto early = x.handler->on_headers()) {
      x.discard_body = true;
      start_response(std::move(*early));
    } else {
      pending_out_ += "HTTP/1.1 100 Continue\r\n\r\n";
    }
  }
  return 0;
}

int H1Session::on_body(const char* at, size_t len) {
  if (!cur_->discard_body) cur_->handler->on_body(reinterpret_cast<const uint8_t*>(at), len);
  return 0;
}

int H1Session::on_message_complete() {
  cur_->complete = true;
  if (!cur_->responding) start_response(cur_->handler->respond());
  http_parser_pause(&parser_, 1);  // one exchange at a time; later requests wait in backlog_
  return 0;
}

void H1Session::start_response(Response r) {
  Exchange& x = *cur_;
  x.responding = true;
  x.status = r.status;
  env_.worker.stats->count_request(x.handler->route(), r.status);
  if (r.close_connection || shutting_down_) x.keep_alive = false;
  if (r.body) {
    r.body->bind([this] { env_.host.request_write(); });
    if (shutting_down_) r.body->finish();
  }
  x.response = std::move(r);
}

void H1Session::serialize_headers(std::string& out) {
  Exchange& x = *cur_;
  Response& r = x.response;
  fmt::format_to(std::back_inserter(out), "HTTP/1.1 {} {}\r\nserver: h2soak-target\r\n", r.status, reason(r.status));
  for (const Header& h : r.headers) fmt::format_to(std::back_inserter(out), "{}: {}\r\n", h.name, h.value);
  const bool body_allowed = has_body(r.status, x.head);
  if (r.status == 304 || r.status == 204) {
    // no length
  } else if (r.body && r.body->length()) {
    fmt::format_to(std::back_inserter(out), "content-length: {}\r\n", *r.body->length());
  } else if (!r.body) {
    out += "content-length: 0\r\n";
  } else if (body_allowed) {
    if (parser_.http_major == 1 && parser_.http_minor >= 1) {
      out += "transfer-encoding: chunked\r\n";
      x.chunked = true;
    } else {
      x.keep_alive = false;  // HTTP/1.0: the end of the body is the end of the connection
    }
  }
  if (!x.keep_alive) out += "connection: close\r\n";
  out += "\r\n";
  if (!body_allowed) r.body.reset();
}

bool H1Session::fill(std::string& out, size_t high_water) {
  if (!pending_out_.empty()) {
    out += pending_out_;
    pending_out_.clear();
  }
  constexpr size_t kChunk = 16 * 1024;
  while (out.size() < high_water && cur_ && cur_->responding) {
    Exchange& x = *cur_;
    if (!x.headers_sent) {
      serialize_headers(out);
      x.headers_sent = true;
    }
    Generator* body = x.response.body.get();
    if (!body) {
      finish_exchange();
      continue;
    }
    // Pull straight into `out`; a chunk is framed as "%08zx\r\n" (leading zeros are legal).
    const size_t prefix = x.chunked ? 10 : 0;
    const size_t old = out.size();
    out.resize(old + prefix + kChunk);
    Pull p = body->proceed(reinterpret_cast<uint8_t*>(out.data() + old + prefix), kChunk);
    if (p.n == 0) {
      out.resize(old);
    } else {
      out.resize(old + prefix + p.n);
      if (x.chunked) {
        char head[24];
        std::snprintf(head, sizeof head, "%08zx\r\n", p.n);
        out.replace(old, prefix, head, prefix);
        out += "\r\n";
      }
    }
    if (p.state == PullState::kDeferred) break;
    if (p.state == PullState::kEof) {
      if (x.chunked) out += "0\r\n\r\n";
      finish_exchange();
    }
  }
  return true;
}

void H1Session::finish_exchange() {
  const bool keep = cur_->keep_alive && cur_->complete && !shutting_down_;
  cur_.reset();
  env_.worker.stats->streams_active.add(-1);
  if (!keep) {
    done_ = true;
    return;
  }
  http_parser_pause(&parser_, 0);
  if (!backlog_.empty()) {
    std::string in;
    in.swap(backlog_);
    parse(in.data(), in.size());
  }
}

void H1Session::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (!cur_ || header_started_) {
    done_ = true;  // idle, or a request whose headers have not even arrived
    return;
  }
  cur_->keep_alive = false;
  if (cur_->response.body) cur_->response.body->finish();
}

}  // namespace h2soak::server
