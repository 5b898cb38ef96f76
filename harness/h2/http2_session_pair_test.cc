// Http2Session against a real nghttp2 server session in the same process:
// bytes move between the two in memory (no sockets, no event loop), so every
// frame the client writes is parsed by a conforming peer and every reaction
// of the client is to frames a conforming peer really sends.
#include "harness/h2/http2_session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "harness/net/request.h"
#include "harness/net/session.h"
#include "harness/net/stream.h"
#include "harness/net/url.h"

namespace h2soak::net {
// Failure messages then name the class ("goaway"), not "1-byte object <04>".
static void PrintTo(ErrorClass c, std::ostream* os) { *os << error_class_name(c); }
}  // namespace h2soak::net

namespace h2soak::h2 {
namespace {

// Smaller than a DATA frame, so frames cross chunk boundaries both ways (the
// carry-over in fill_output and partial frames in on_read get exercised).
constexpr std::size_t kWireChunk = 1000;

// Depends on the stream id, so a body delivered to the wrong record (or
// bytes reordered between streams) does not compare equal.
std::string body_of(std::int32_t stream_id, std::size_t size) {
  std::string body(size, '\0');
  const auto shift = static_cast<std::size_t>(stream_id);
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i + shift) % 26);
  return body;
}

// Stands in for load::Connection: reports each finished record to its
// observer and remembers the session-level events.
class FakeHost final : public net::SessionHost {
 public:
  void want_write() override {}
  void on_stream_done(net::StreamRecord& record) override {
    ++streams_done;
    if (record.observer) record.observer->on_complete(record);
  }
  void on_goaway(std::uint32_t error_code, std::int32_t last_stream_id) override {
    goaways.emplace_back(error_code, last_stream_id);
  }
  void on_settings() override { ++settings; }

  int streams_done = 0;
  int settings = 0;
  std::vector<std::pair<std::uint32_t, std::int32_t>> goaways;
};

// One request and everything the client reported about it.
struct Call final : net::StreamObserver {
  void on_response_headers(net::StreamRecord&) override { ++header_blocks; }
  void on_response_header(net::StreamRecord&, std::string_view name, std::string_view value) override {
    headers.emplace_back(name, value);
  }
  void on_response_data(net::StreamRecord&, const std::uint8_t* data, std::size_t length) override {
    body.append(reinterpret_cast<const char*>(data), length);
  }
  void on_complete(net::StreamRecord&) override { ++completions; }

  net::StreamRecord record;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int header_blocks = 0;
  int completions = 0;
};

struct ServerConfig {
  std::vector<nghttp2_settings_entry> settings;
  std::size_t body_size = 1024;
  // Keep requests waiting until the test answers them (respond/reset/goaway),
  // so that streams stay open while the test looks at the connection.
  bool hold = false;
};

// The server side: a plain nghttp2 server session that answers GETs with
// body_of(stream_id, body_size) and counts what the client sent it.
class InMemoryServer {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  explicit InMemoryServer(ServerConfig config) : config_(std::move(config)) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_server_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, config_.settings.data(), config_.settings.size());
  }
  ~InMemoryServer() { nghttp2_session_del(session_); }
  InMemoryServer(const InMemoryServer&) = delete;
  InMemoryServer& operator=(const InMemoryServer&) = delete;

  nghttp2_session* session() const { return session_; }

  // The final response: `status` (as sent, unchecked; nullopt sends none) and
  // the body, then a trailer block if `trailers` is not empty.
  void respond(std::int32_t stream_id, std::optional<std::string_view> status = "200", Fields trailers = {}) {
    take_waiting(stream_id);
    Stream& s = streams_[stream_id];
    s.body = body_of(stream_id, config_.body_size);
    s.trailers = std::move(trailers);
    const std::string length = std::to_string(s.body.size());
    std::vector<nghttp2_nv> nva;
    if (status) nva.push_back(nv(":status", *status));
    nva.push_back(nv("content-type", "text/plain"));
    nva.push_back(nv("content-length", length));
    nghttp2_data_provider provider{};
    provider.source.ptr = &s;  // std::map nodes do not move
    provider.read_callback = read_body;
    ASSERT_EQ(nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(),
                                      s.body.empty() && s.trailers.empty() ? nullptr : &provider),
              0);
  }
  // A header block on its own (an interim 1xx response unless end_stream).
  void send_headers(std::int32_t stream_id, const Fields& fields, bool end_stream = false) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : fields) nva.push_back(nv(name, value));
    ASSERT_EQ(nghttp2_submit_headers(session_, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, stream_id,
                                     nullptr, nva.data(), nva.size(), nullptr),
              0);
  }
  // The body alone, ending the stream (no final response before it).
  void send_body(std::int32_t stream_id) {
    take_waiting(stream_id);
    Stream& s = streams_[stream_id];
    s.body = body_of(stream_id, config_.body_size);
    nghttp2_data_provider provider{};
    provider.source.ptr = &s;
    provider.read_callback = read_body;
    ASSERT_EQ(nghttp2_submit_data(session_, NGHTTP2_FLAG_END_STREAM, stream_id, &provider), 0);
  }
  void reset(std::int32_t stream_id, std::uint32_t error_code) {
    take_waiting(stream_id);
    ASSERT_EQ(nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code), 0);
  }
  void goaway(std::int32_t last_stream_id, std::uint32_t error_code) {
    ASSERT_EQ(nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, error_code, nullptr, 0), 0);
  }

  // Requests received and not answered yet, oldest first (hold mode).
  const std::vector<std::int32_t>& waiting() const { return waiting_; }
  const std::string& path_of(std::int32_t stream_id) { return streams_[stream_id].path; }

  int requests = 0;
  int open_streams = 0;
  int max_open_streams = 0;
  int stream_window_updates = 0;
  int connection_window_updates = 0;
  std::map<std::int32_t, std::uint32_t> resets_from_client;  // stream id -> error code

 private:
  struct Stream {
    std::string path;
    std::string body;
    std::size_t sent = 0;
    Fields trailers;  // sent after the body, ending the stream
  };

  // A view, not a std::string: a temporary string would die before
  // nghttp2_submit_response copies the field.
  static nghttp2_nv nv(std::string_view name, std::string_view value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
  }
  static InMemoryServer& self(void* user_data) { return *static_cast<InMemoryServer*>(user_data); }

  void take_waiting(std::int32_t stream_id) { std::erase(waiting_, stream_id); }

  // Counted at the frame header, before nghttp2 validates the stream, so a
  // stream above the advertised limit is counted even though the server
  // would refuse it.
  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
    auto& s = self(user_data);
    if (hd->type == NGHTTP2_HEADERS) s.max_open_streams = std::max(s.max_open_streams, ++s.open_streams);
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
    if (std::string_view(reinterpret_cast<const char*>(name), namelen) == ":path")
      self(user_data).streams_[frame->hd.stream_id].path.assign(reinterpret_cast<const char*>(value), valuelen);
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& s = self(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
          ++s.requests;
          s.waiting_.push_back(frame->hd.stream_id);
          if (!s.config_.hold) s.respond(frame->hd.stream_id);
        }
        break;
      case NGHTTP2_WINDOW_UPDATE:
        ++(frame->hd.stream_id == 0 ? s.connection_window_updates : s.stream_window_updates);
        break;
      case NGHTTP2_RST_STREAM:
        s.resets_from_client[frame->hd.stream_id] = frame->rst_stream.error_code;
        break;
    }
    return 0;
  }
  static int on_stream_close(nghttp2_session*, std::int32_t, std::uint32_t, void* user_data) {
    --self(user_data).open_streams;
    return 0;
  }
  static ssize_t read_body(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto& s = *static_cast<Stream*>(source->ptr);
    const std::size_t n = std::min(length, s.body.size() - s.sent);
    std::memcpy(buf, s.body.data() + s.sent, n);
    s.sent += n;
    if (s.sent == s.body.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!s.trailers.empty()) {
        std::vector<nghttp2_nv> nva;
        for (const auto& [name, value] : s.trailers) nva.push_back(nv(name, value));
        if (nghttp2_submit_trailer(session, stream_id, nva.data(), nva.size()) != 0) return NGHTTP2_ERR_CALLBACK_FAILURE;
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      }
    }
    return static_cast<ssize_t>(n);
  }

  ServerConfig config_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::vector<std::int32_t> waiting_;
};

// The client under test, its host and the server, with the wire between them.
class SessionPair {
 public:
  SessionPair(const Http2Settings& client_settings, ServerConfig server_config)
      : server(std::move(server_config)), client(host, client_settings) {
    auto url = net::parse_url("http://127.0.0.1:8080/");
    request_.url = *url;
  }

  // Client preface and SETTINGS both ways, as the connection does before its
  // first submit (after this the client knows the server's limits).
  void handshake() {
    ASSERT_TRUE(client.on_connect().ok());
    pump();
    ASSERT_GE(host.settings, 1);
  }

  Call& submit(const std::string& path) {
    auto& req = requests_.emplace_back(request_);
    req.url.path = path;
    req.finalize();
    Call& call = calls.emplace_back();
    call.record.request = &req;
    call.record.observer = &call;
    call.record.deliver_data = true;
    const Status st = client.submit_request(call.record);
    EXPECT_TRUE(st.ok()) << st.error().message();
    return call;
  }

  // Moves bytes both ways until neither side has anything left to say.
  void pump() {
    for (int turn = 0; turn < 100000; ++turn) {
      const std::size_t up = client_to_server();
      const std::size_t down = server_to_client();
      if (up == 0 && down == 0) return;
    }
    FAIL() << "the pair never went quiet";
  }

  FakeHost host;
  InMemoryServer server;
  Http2Session client;
  std::deque<Call> calls;  // a deque: records must not move once submitted

 private:
  std::size_t client_to_server() {
    std::size_t total = 0;
    std::uint8_t buf[kWireChunk];
    for (;;) {
      auto n = client.fill_output(buf, sizeof buf);
      if (!n.ok()) {
        ADD_FAILURE() << n.error().message();
        return total;
      }
      if (*n == 0) return total;
      const ssize_t rv = nghttp2_session_mem_recv(server.session(), buf, *n);
      EXPECT_EQ(rv, static_cast<ssize_t>(*n))
          << "server rejected client bytes: " << nghttp2_strerror(static_cast<int>(rv));
      total += *n;
    }
  }
  std::size_t server_to_client() {
    std::size_t total = 0;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(server.session(), &data);
      EXPECT_GE(n, 0) << nghttp2_strerror(static_cast<int>(n));
      if (n <= 0) return total;
      for (ssize_t off = 0; off < n; off += static_cast<ssize_t>(kWireChunk)) {
        const std::size_t len = std::min<std::size_t>(kWireChunk, static_cast<std::size_t>(n - off));
        const Status st = client.on_read(data + off, len);
        EXPECT_TRUE(st.ok()) << st.error().message();
      }
      total += static_cast<std::size_t>(n);
    }
  }

  net::Request request_;
  std::deque<net::Request> requests_;  // nva() points into each Request
};

Http2Settings client_settings(std::uint32_t max_concurrent_streams = 10) {
  Http2Settings s;
  s.max_concurrent_streams = max_concurrent_streams;
  return s;
}

TEST(Http2SessionPair, GetIsAnsweredWithStatusBodyAndEnd) {
  SessionPair pair(client_settings(), ServerConfig{.body_size = 5000});
  pair.handshake();
  Call& call = pair.submit("/static/app.js");
  pair.pump();

  const net::StreamRecord& r = call.record;
  EXPECT_EQ(pair.server.path_of(r.stream_id), "/static/app.js");
  EXPECT_EQ(call.completions, 1);
  EXPECT_EQ(call.header_blocks, 1);
  EXPECT_TRUE(r.ok()) << error_class_name(r.error);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.response_complete);
  EXPECT_FALSE(r.active);
  EXPECT_EQ(call.body, body_of(r.stream_id, 5000));
  EXPECT_EQ(r.data_bytes_in, call.body.size());
  EXPECT_GT(r.header_bytes_in, 0u);
  const std::pair<std::string, std::string> content_type("content-type", "text/plain");
  EXPECT_NE(std::find(call.headers.begin(), call.headers.end(), content_type), call.headers.end());
  // Latency is computed from these, so their order matters.
  EXPECT_NE(r.sent, TimePoint{});
  EXPECT_LE(r.sent, r.first_byte);
  EXPECT_LE(r.first_byte, r.last_byte);
  EXPECT_EQ(pair.client.active_streams(), 0u);
  EXPECT_FALSE(pair.client.protocol_error());
  EXPECT_TRUE(pair.client.alive());
}

// Times come from one clock reading per on_read / fill_output call: responses
// read together end at the same instant, and a later read reads the clock anew.
TEST(Http2SessionPair, ResponsesReadTogetherShareTheReadsTime) {
  SessionPair pair(client_settings(), ServerConfig{.body_size = 100, .hold = true});
  pair.handshake();
  for (int i = 0; i < 3; ++i) pair.submit("/r" + std::to_string(i));
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 3u);
  // The three HEADERS frames left in one fill_output call.
  EXPECT_NE(pair.calls[0].record.sent, TimePoint{});
  EXPECT_EQ(pair.calls[1].record.sent, pair.calls[0].record.sent);
  EXPECT_EQ(pair.calls[2].record.sent, pair.calls[0].record.sent);

  // All three answers in one buffer, given to the client in one on_read.
  const std::vector<std::int32_t> ids = pair.server.waiting();
  for (std::int32_t id : ids) pair.server.respond(id);
  std::string wire;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(pair.server.session(), &data);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    wire.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(pair.client.on_read(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()).ok());
  const TimePoint read_time = pair.calls[0].record.last_byte;
  for (const Call& call : pair.calls) {
    EXPECT_EQ(call.completions, 1);
    EXPECT_TRUE(call.record.ok()) << error_class_name(call.record.error);
    EXPECT_EQ(call.record.first_byte, read_time);
    EXPECT_EQ(call.record.last_byte, read_time);
  }
  EXPECT_GE(read_time - pair.calls[0].record.sent, std::chrono::milliseconds(2));

  // A later read is a new reading, not the cached one.
  Call& later = pair.submit("/later");
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  pair.server.respond(pair.server.waiting().front());
  pair.pump();
  EXPECT_EQ(later.completions, 1);
  EXPECT_GE(later.record.last_byte - read_time, std::chrono::milliseconds(2));
}

TEST(Http2SessionPair, NeverOpensMoreStreamsThanThePeerAllows) {
  constexpr std::uint32_t kPeerLimit = 2;
  constexpr int kRequests = 5;
  SessionPair pair(client_settings(8),
                   ServerConfig{.settings = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kPeerLimit}}, .hold = true});
  pair.handshake();
  EXPECT_EQ(pair.client.max_concurrent_streams(), kPeerLimit);

  // More than the limit at once: the surplus must wait inside the session.
  for (int i = 0; i < kRequests; ++i) pair.submit("/r" + std::to_string(i));
  pair.pump();
  EXPECT_EQ(pair.server.open_streams, static_cast<int>(kPeerLimit));

  // Each answer frees one slot, which a queued request must then take.
  int answered = 0;
  while (!pair.server.waiting().empty()) {
    pair.server.respond(pair.server.waiting().front());
    pair.pump();
    ++answered;
    ASSERT_LE(pair.server.max_open_streams, static_cast<int>(kPeerLimit));
    ASSERT_LE(answered, kRequests) << "more requests reached the server than were submitted";
  }

  EXPECT_EQ(pair.server.requests, kRequests);
  EXPECT_EQ(pair.server.max_open_streams, static_cast<int>(kPeerLimit));
  EXPECT_TRUE(pair.server.resets_from_client.empty());
  for (auto& call : pair.calls) {
    EXPECT_EQ(call.completions, 1);
    EXPECT_TRUE(call.record.ok()) << error_class_name(call.record.error);
    EXPECT_EQ(call.body, body_of(call.record.stream_id, 1024));
  }
  EXPECT_EQ(pair.client.active_streams(), 0u);
}

TEST(Http2SessionPair, LargeBodyNeedsWindowUpdatesAndArrivesWhole) {
  constexpr std::size_t kBody = 300 * 1024;
  Http2Settings settings = client_settings();
  settings.window_bits = 16;  // 65,535: RFC 9113's initial window, far below the body
  settings.connection_window_bits = 16;
  SessionPair pair(settings, ServerConfig{.body_size = kBody});
  pair.handshake();
  ASSERT_EQ(nghttp2_session_get_remote_settings(pair.server.session(), NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 65535u);

  Call& call = pair.submit("/big");
  pair.pump();

  EXPECT_EQ(call.completions, 1);
  EXPECT_TRUE(call.record.ok()) << error_class_name(call.record.error);
  EXPECT_EQ(call.record.data_bytes_in, kBody);
  EXPECT_EQ(call.body.size(), kBody);
  EXPECT_EQ(call.body, body_of(call.record.stream_id, kBody));
  // Both windows are smaller than the body, so both must have been reopened.
  EXPECT_GT(pair.server.stream_window_updates, 0);
  EXPECT_GT(pair.server.connection_window_updates, 0);
}

TEST(Http2SessionPair, ResetStreamFailsOnlyThatRequest) {
  const std::pair<std::uint32_t, net::ErrorClass> cases[] = {
      {NGHTTP2_REFUSED_STREAM, net::ErrorClass::kRstStream},
      {NGHTTP2_INTERNAL_ERROR, net::ErrorClass::kRstStream},
      {NGHTTP2_PROTOCOL_ERROR, net::ErrorClass::kProtocol},
  };
  for (const auto& [code, expected] : cases) {
    SCOPED_TRACE(nghttp2_http2_strerror(code));
    SessionPair pair(client_settings(), ServerConfig{.hold = true});
    pair.handshake();
    Call& first = pair.submit("/a");
    Call& victim = pair.submit("/b");
    Call& last = pair.submit("/c");
    pair.pump();
    ASSERT_EQ(pair.server.waiting().size(), 3u);

    pair.server.reset(victim.record.stream_id, code);
    pair.server.respond(first.record.stream_id);
    pair.server.respond(last.record.stream_id);
    pair.pump();

    EXPECT_EQ(victim.completions, 1);
    EXPECT_EQ(victim.record.error, expected) << error_class_name(victim.record.error);
    EXPECT_EQ(victim.record.rst_error_code, code);
    EXPECT_TRUE(victim.record.peer_reset);
    EXPECT_TRUE(victim.body.empty());
    for (Call* ok : {&first, &last}) {
      EXPECT_EQ(ok->completions, 1);
      EXPECT_TRUE(ok->record.ok()) << error_class_name(ok->record.error);
      EXPECT_EQ(ok->body, body_of(ok->record.stream_id, 1024));
    }

    // A stream reset is not a connection error: the session keeps working.
    EXPECT_FALSE(pair.client.protocol_error());
    EXPECT_GT(pair.client.max_concurrent_streams(), 0u);
    Call& after = pair.submit("/d");
    pair.pump();
    pair.server.respond(after.record.stream_id);
    pair.pump();
    EXPECT_TRUE(after.record.ok()) << error_class_name(after.record.error);
    EXPECT_EQ(after.completions, 1);
    EXPECT_EQ(pair.client.active_streams(), 0u);
  }
}

TEST(Http2SessionPair, GoawayFailsStreamsAboveLastStreamIdAndStopsNewOnes) {
  SessionPair pair(client_settings(), ServerConfig{.hold = true});
  pair.handshake();
  Call& first = pair.submit("/a");
  Call& kept = pair.submit("/b");
  Call& dropped = pair.submit("/c");
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 3u);
  const std::int32_t last_stream_id = kept.record.stream_id;
  ASSERT_GT(dropped.record.stream_id, last_stream_id);

  pair.server.goaway(last_stream_id, NGHTTP2_NO_ERROR);
  pair.server.respond(first.record.stream_id);
  pair.server.respond(kept.record.stream_id);
  pair.pump();

  ASSERT_EQ(pair.host.goaways.size(), 1u);
  EXPECT_EQ(pair.host.goaways[0], std::make_pair(std::uint32_t{NGHTTP2_NO_ERROR}, last_stream_id));
  EXPECT_TRUE(pair.client.goaway_received());
  EXPECT_EQ(pair.client.max_concurrent_streams(), 0u);
  // A graceful GOAWAY is not a protocol error.
  EXPECT_FALSE(pair.client.protocol_error());

  for (Call* ok : {&first, &kept}) {
    EXPECT_EQ(ok->completions, 1);
    EXPECT_TRUE(ok->record.ok()) << error_class_name(ok->record.error);
    EXPECT_EQ(ok->body, body_of(ok->record.stream_id, 1024));
  }
  EXPECT_EQ(dropped.completions, 1);
  EXPECT_EQ(dropped.record.error, net::ErrorClass::kGoaway) << error_class_name(dropped.record.error);
  EXPECT_EQ(pair.client.active_streams(), 0u);
  // With GOAWAY received and nothing in flight the connection may close.
  EXPECT_FALSE(pair.client.alive());
}

// Request timeouts are timed by load::Connection (a sweep on the worker's
// libev loop); the session's part is cancel(), driven here directly.
TEST(Http2SessionPair, CancelForTimeoutResetsTheStreamAndReportsTimeout) {
  SessionPair pair(client_settings(), ServerConfig{.hold = true});
  pair.handshake();
  Call& slow = pair.submit("/slow");
  Call& other = pair.submit("/other");
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 2u);

  pair.client.cancel(slow.record, net::ErrorClass::kTimeout);
  pair.pump();
  EXPECT_EQ(slow.completions, 1);
  EXPECT_EQ(slow.record.error, net::ErrorClass::kTimeout) << error_class_name(slow.record.error);
  ASSERT_EQ(pair.server.resets_from_client.count(slow.record.stream_id), 1u);
  EXPECT_EQ(pair.server.resets_from_client[slow.record.stream_id], std::uint32_t{NGHTTP2_CANCEL});
  EXPECT_EQ(other.completions, 0);

  pair.server.respond(other.record.stream_id);
  pair.pump();
  EXPECT_TRUE(other.record.ok()) << error_class_name(other.record.error);
  EXPECT_EQ(other.completions, 1);
  EXPECT_EQ(pair.server.resets_from_client.size(), 1u);
  EXPECT_EQ(pair.client.active_streams(), 0u);
}

// The body and headers of a plain 200 reached the call, and it completed cleanly.
void expect_final_200(const SessionPair& pair, const Call& call) {
  const net::StreamRecord& r = call.record;
  EXPECT_EQ(call.completions, 1);
  EXPECT_TRUE(r.ok()) << error_class_name(r.error);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.response_complete);
  EXPECT_EQ(call.header_blocks, 1) << "only the final response is the response";
  const std::pair<std::string, std::string> content_type("content-type", "text/plain");
  EXPECT_NE(std::find(call.headers.begin(), call.headers.end(), content_type), call.headers.end());
  EXPECT_EQ(call.body, body_of(r.stream_id, 1024));
  EXPECT_EQ(r.data_bytes_in, 1024u);
  EXPECT_FALSE(pair.client.protocol_error());
  EXPECT_EQ(pair.client.active_streams(), 0u);
}

bool has_header(const Call& call, std::string_view name) {
  return std::any_of(call.headers.begin(), call.headers.end(), [&](const auto& h) { return h.first == name; });
}

// RFC 9110 15.2: 1xx responses are interim; the final response follows on
// the same stream (nghttp2 files that one under NGHTTP2_HCAT_HEADERS).
TEST(Http2SessionPair, InterimResponseIsNotTheResponse) {
  SessionPair pair(client_settings(), ServerConfig{.hold = true});
  pair.handshake();
  Call& call = pair.submit("/hints");
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 1u);
  const std::int32_t id = call.record.stream_id;

  pair.server.send_headers(id, {{":status", "103"}, {"link", "</style.css>; rel=preload; as=style"}});
  pair.pump();
  // The hints arrived, but no response yet.
  EXPECT_EQ(call.record.status, 0);
  EXPECT_EQ(call.header_blocks, 0);
  EXPECT_TRUE(call.headers.empty());
  EXPECT_EQ(call.completions, 0);
  EXPECT_TRUE(call.record.active);
  const std::uint64_t interim_bytes = call.record.header_bytes_in;
  EXPECT_GT(interim_bytes, 0u);

  pair.server.respond(id);
  pair.pump();
  expect_final_200(pair, call);
  EXPECT_FALSE(has_header(call, "link")) << "the 103's fields are not the response's";
  EXPECT_GT(call.record.header_bytes_in, interim_bytes);  // both blocks are counted as bytes in
  EXPECT_NE(call.record.first_byte, TimePoint{});
  EXPECT_TRUE(pair.server.resets_from_client.empty());

  // The connection goes on as usual.
  Call& next = pair.submit("/next");
  pair.pump();
  pair.server.respond(next.record.stream_id);
  pair.pump();
  expect_final_200(pair, next);
}

TEST(Http2SessionPair, SeveralInterimResponsesBeforeTheFinalOne) {
  SessionPair pair(client_settings(), ServerConfig{.hold = true});
  pair.handshake();
  Call& call = pair.submit("/upload");
  Call& other = pair.submit("/other");
  pair.pump();
  ASSERT_EQ(pair.server.waiting().size(), 2u);
  const std::int32_t id = call.record.stream_id;

  // Queued together: the three blocks and the other stream's response share
  // one flight, so the session must keep each stream's state apart.
  pair.server.send_headers(id, {{":status", "100"}});
  pair.server.respond(other.record.stream_id);
  pair.server.send_headers(id, {{":status", "103"}, {"link", "</a.js>; rel=preload; as=script"}});
  pair.server.respond(id);
  pair.pump();
  expect_final_200(pair, call);
  expect_final_200(pair, other);
  EXPECT_FALSE(has_header(call, "link"));
  EXPECT_TRUE(pair.server.resets_from_client.empty());
}

// A trailer block (HEADERS after DATA) ends the stream; it is neither a
// second response nor reported as response headers.
TEST(Http2SessionPair, TrailersAfterTheBodyAreNotAResponse) {
  for (const bool after_interim : {false, true}) {
    SCOPED_TRACE(after_interim ? "after a 103" : "plain");
    SessionPair pair(client_settings(), ServerConfig{.hold = true});
    pair.handshake();
    Call& call = pair.submit("/trailers");
    pair.pump();
    if (after_interim) pair.server.send_headers(call.record.stream_id, {{":status", "103"}});
    pair.server.respond(call.record.stream_id, "200", {{"grpc-status", "0"}});
    pair.pump();
    expect_final_200(pair, call);
    EXPECT_FALSE(has_header(call, "grpc-status"));
    EXPECT_TRUE(pair.server.resets_from_client.empty());
  }
}

// RFC 9113 8.3.2 / RFC 9110 15: :status is exactly three digits, and 101 is
// not allowed in HTTP/2. A response without a valid one is malformed (RFC
// 9113 8.1.1): a stream error of type PROTOCOL_ERROR, and only that stream fails.
TEST(Http2SessionPair, MalformedStatusIsAProtocolErrorOnThatStream) {
  enum class Then { kFinal, kBodyOnly, kNothing };
  struct Case {
    const char* name;
    std::vector<InMemoryServer::Fields> interim;  // blocks before the final one
    std::optional<std::string> status;            // of the final block (nullopt: none)
    Then then = Then::kFinal;
  };
  const Case cases[] = {
      {"two digits", {}, "20"},
      {"four digits", {}, "2000"},
      {"not a digit", {}, "2x0"},
      {"sign", {}, "+20"},
      {"empty", {}, ""},
      {"missing", {}, std::nullopt},
      {"below 100", {}, "099"},
      {"switching protocols", {}, "101"},
      {"malformed after an interim", {{{":status", "103"}}}, "20 "},
      {"malformed interim", {{{":status", "1x3"}}}, "200"},
      {"regular field before :status", {{{"link", "</a>"}, {":status", "103"}}}, "200"},
      {"body after only an interim", {{{":status", "103"}}}, "", Then::kBodyOnly},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SessionPair pair(client_settings(), ServerConfig{.hold = true});
    pair.handshake();
    Call& bad = pair.submit("/bad");
    Call& good = pair.submit("/good");
    pair.pump();
    ASSERT_EQ(pair.server.waiting().size(), 2u);
    const std::int32_t id = bad.record.stream_id;
    for (const auto& block : c.interim) pair.server.send_headers(id, block);
    if (c.then == Then::kFinal) pair.server.respond(id, c.status);
    if (c.then == Then::kBodyOnly) pair.server.send_body(id);
    pair.server.respond(good.record.stream_id);
    pair.pump();

    EXPECT_EQ(bad.completions, 1);
    EXPECT_EQ(bad.record.error, net::ErrorClass::kProtocol) << error_class_name(bad.record.error);
    EXPECT_EQ(bad.record.rst_error_code, std::uint32_t{NGHTTP2_PROTOCOL_ERROR});
    EXPECT_FALSE(bad.record.peer_reset);
    EXPECT_EQ(bad.record.status, 0);
    EXPECT_EQ(bad.header_blocks, 0);
    EXPECT_TRUE(bad.body.empty());
    ASSERT_EQ(pair.server.resets_from_client.count(id), 1u);
    EXPECT_EQ(pair.server.resets_from_client[id], std::uint32_t{NGHTTP2_PROTOCOL_ERROR});

    // A stream error: the rest of the connection is unaffected.
    expect_final_200(pair, good);
    EXPECT_GT(pair.client.max_concurrent_streams(), 0u);
    Call& after = pair.submit("/after");
    pair.pump();
    pair.server.respond(after.record.stream_id);
    pair.pump();
    expect_final_200(pair, after);
  }
}

// An interim response cannot end the stream (there must be a final one).
TEST(Http2SessionPair, InterimResponseThatEndsTheStreamIsAProtocolError) {
  SessionPair pair(client_settings(), ServerConfig{.hold = true});
  pair.handshake();
  Call& bad = pair.submit("/bad");
  pair.pump();
  pair.server.send_headers(bad.record.stream_id, {{":status", "103"}}, /*end_stream=*/true);
  pair.pump();
  EXPECT_EQ(bad.completions, 1);
  EXPECT_EQ(bad.record.error, net::ErrorClass::kProtocol) << error_class_name(bad.record.error);
  EXPECT_EQ(bad.record.status, 0);
  EXPECT_EQ(bad.header_blocks, 0);
  EXPECT_FALSE(pair.client.protocol_error());
  EXPECT_EQ(pair.client.active_streams(), 0u);
}

}  // namespace
}  // namespace h2soak::h2
