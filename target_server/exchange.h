#pragma once
// The protocol-neutral shape of one request/response exchange, shared by the HTTP/1.1 and
// HTTP/2 sessions and by every handler.
//
// Order of calls made by a session on a Handler (created by the Router once the request
// headers are complete):
//   on_headers()          h1 only, when the client sent "Expect: 100-continue"; a response
//                         returned here is sent at once and the request body is never read;
//   on_body(...)*         zero or more request body chunks, in order;
//   respond()             once, after the whole request body arrived.
// The Response's Generator is then pulled with proceed() whenever the transport can take
// more bytes (h2o's generator shape). A Generator that has nothing yet returns kDeferred and
// later calls the wake function it was bound to; the session pulls again. When the client
// goes away (RST_STREAM, connection close) or the stream ends, the Generator is destroyed at
// once: its destructor must release everything (timers included).

#include <array>
#include <cstdint>
#include <forward_list>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "target_server/stats.h"

namespace h2soak::server {

/// A request header field (owned; the name is lower-case).
struct Field {
  std::string name;
  std::string value;
};

/// A response header. It only points at its bytes, so a static asset's response allocates
/// nothing for its headers: both views must stay valid until the response is done. Use
/// string literals, strings that live as long as the server (an asset's ETag), or
/// Response::keep() for a value made for this response.
struct Header {
  std::string_view name;  ///< lower-case
  std::string_view value;
};

enum class Protocol : uint8_t { kH1, kH1Tls, kH2c, kH2Tls };
std::string_view protocol_label(Protocol p);

struct Request {
  std::string method;
  std::string target;  ///< As sent: path plus optional "?query".
  std::string authority;
  std::vector<Field> headers;  ///< Names lower-case (h2 guarantees it; h1 lower-cases them).
  Protocol protocol = Protocol::kH1;

  /// First header with this lower-case name, or empty.
  std::string_view header(std::string_view name) const;
  /// The target without its query string.
  std::string_view path() const;
  /// Value of Content-Length when present and valid.
  std::optional<uint64_t> content_length() const;
};

enum class PullState : uint8_t { kData, kEof, kDeferred };
struct Pull {
  size_t n = 0;  ///< Bytes written into the buffer (may be > 0 together with kEof).
  PullState state = PullState::kEof;
};

/// A streaming response body.
class Generator {
 public:
  virtual ~Generator() = default;
  /// Total body length when known in advance (lets h1 send Content-Length).
  virtual std::optional<uint64_t> length() const { return std::nullopt; }
  /// Writes up to `max` bytes of body into `buf`.
  virtual Pull proceed(uint8_t* buf, size_t max) = 0;
  /// The server is shutting down: end the body soon (SSE ends after its pending event).
  virtual void finish() {}
  /// Called by the session before the first proceed(); `wake` asks the session to pull again
  /// after a kDeferred. It is valid until this Generator is destroyed.
  void bind(std::function<void()> wake) { wake_ = std::move(wake); }

 protected:
  void wake() {
    if (wake_) wake_();
  }

 private:
  std::function<void()> wake_;
};

/// A body held in memory (a rendered page, JSON, metrics text).
class StringBody final : public Generator {
 public:
  explicit StringBody(std::string body) : body_(std::move(body)) {}
  std::optional<uint64_t> length() const override { return body_.size(); }
  Pull proceed(uint8_t* buf, size_t max) override;

 private:
  std::string body_;
  size_t pos_ = 0;
};

/// A body that borrows immutable bytes living as long as the server (static assets).
class ViewBody final : public Generator {
 public:
  explicit ViewBody(std::string_view bytes) : bytes_(bytes) {}
  std::optional<uint64_t> length() const override { return bytes_.size(); }
  Pull proceed(uint8_t* buf, size_t max) override;

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

/// The few headers of one response, stored inline (no allocation). push_back() beyond
/// kMax is a programming error and drops the header.
class HeaderList {
 public:
  static constexpr size_t kMax = 8;
  void push_back(Header h) {
    if (n_ < kMax) items_[n_++] = h;
  }
  size_t size() const { return n_; }
  const Header& operator[](size_t i) const { return items_[i]; }
  const Header* begin() const { return items_.data(); }
  const Header* end() const { return items_.data() + n_; }
  void clear() { n_ = 0; }

 private:
  std::array<Header, kMax> items_{};
  size_t n_ = 0;
};

struct Response {
  int status = 200;
  HeaderList headers;                ///< lower-case names; content-length is added by the session.
  std::unique_ptr<Generator> body;   ///< null = empty body.
  bool close_connection = false;     ///< h1: close after this response (the body was not read).
  /// Values made for this response; their addresses survive moves of the Response.
  std::forward_list<std::string> kept;

  /// Keeps `value` with the response and returns a view of it for a Header.
  std::string_view keep(std::string value) {
    kept.push_front(std::move(value));
    return kept.front();
  }
  /// A response with an in-memory body; `content_type` must outlive it (a literal).
  static Response text(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
};

class Handler {
 public:
  explicit Handler(Route route) : route_(route) {}
  virtual ~Handler() = default;
  Route route() const { return route_; }

  virtual std::optional<Response> on_headers() { return std::nullopt; }
  virtual void on_body(const uint8_t* data, size_t len) {
    (void)data;
    (void)len;
  }
  virtual Response respond() = 0;

 private:
  Route route_;
};

/// A handler whose response is known when it is created.
class FixedHandler final : public Handler {
 public:
  FixedHandler(Route route, Response r) : Handler(route), response_(std::move(r)) {}
  Response respond() override { return std::move(response_); }

 private:
  Response response_;
};

/// A handler whose response is made by `make()` only when the request is complete and the
/// session is ready to send it: a request that is reset, or that waits behind a full
/// response backlog (H2Session), costs no rendering until then. `make` may refer to the
/// Request: both sessions keep it alive until the handler is destroyed.
template <typename Make>
class DeferredHandler final : public Handler {
 public:
  DeferredHandler(Route route, Make make) : Handler(route), make_(std::move(make)) {}
  Response respond() override { return make_(); }

 private:
  Make make_;
};

}  // namespace h2soak::server
