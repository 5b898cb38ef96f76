#include "target_server/h2_session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "target_server/tests/session_fixture.h"

namespace h2soak::server {
namespace {

// An nghttp2 client session wired to an H2Session in memory: no sockets, no threads.
class H2SessionTest : public ::testing::Test, public testing::ServerFixture {
 protected:
  struct Reply {
    int status = 0;
    std::string body;
    bool closed = false;
    uint32_t error = 0;
  };

  void SetUp() override {
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(
        cbs, [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v, size_t vl,
                uint8_t, void* ud) {
          if (std::string_view(reinterpret_cast<const char*>(n), nl) == ":status") {
            static_cast<H2SessionTest*>(ud)->replies_[f->hd.stream_id].status =
                std::stoi(std::string(reinterpret_cast<const char*>(v), vl));
          }
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cbs, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* d, size_t n, void* ud) {
          static_cast<H2SessionTest*>(ud)->replies_[id].body.append(reinterpret_cast<const char*>(d), n);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, [](nghttp2_session*, int32_t id, uint32_t e, void* ud) {
      auto& r = static_cast<H2SessionTest*>(ud)->replies_[id];
      r.closed = true;
      r.error = e;
      return 0;
    });
    nghttp2_session_client_new(&client_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(client_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  void TearDown() override { nghttp2_session_del(client_); }

  // Moves bytes both ways until neither side has anything to say (bounded).
  void pump() {
    for (int i = 0; i < 1000; ++i) {
      bool moved = false;
      const uint8_t* data;
      ssize_t n;
      while ((n = nghttp2_session_mem_send(client_, &data)) > 0) {
        ASSERT_TRUE(server_.on_read(data, static_cast<size_t>(n)));
        moved = true;
      }
      std::string out;
      ASSERT_TRUE(server_.fill(out, 1 << 20));
      if (!out.empty()) {
        ASSERT_GE(nghttp2_session_mem_recv(client_, reinterpret_cast<const uint8_t*>(out.data()), out.size()), 0);
        moved = true;
      }
      if (!moved) return;
    }
  }

  int32_t get(const std::string& path, std::vector<std::pair<std::string, std::string>> extra = {},
              nghttp2_data_provider* body = nullptr, const char* method = "GET") {
    std::vector<std::pair<std::string, std::string>> h = {
        {":method", method}, {":scheme", "http"}, {":authority", "x"}, {":path", path}};
    h.insert(h.end(), extra.begin(), extra.end());
    std::vector<nghttp2_nv> nva;
    for (auto& [k, v] : h) {
      nva.push_back({reinterpret_cast<uint8_t*>(k.data()), reinterpret_cast<uint8_t*>(v.data()), k.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    return nghttp2_submit_request(client_, nullptr, nva.data(), nva.size(), body, nullptr);
  }

  H2Session server_{env(Protocol::kH2c)};
  nghttp2_session* client_ = nullptr;
  std::map<int32_t, Reply> replies_;
};

TEST_F(H2SessionTest, ServesPagesAssetsAndErrorsConcurrently) {
  int32_t page = get("/page/2");
  int32_t css = get("/static/css/site-1.css");
  int32_t missing = get("/nope");
  int32_t traversal = get("/static/%2e%2e/x");
  pump();
  EXPECT_EQ(replies_[page].status, 200);
  EXPECT_NE(replies_[page].body.find("<h1>Page 2 of 3</h1>"), std::string::npos);
  EXPECT_EQ(replies_[css].body, assets.find("css/site-1.css")->bytes);
  EXPECT_EQ(replies_[missing].status, 404);
  EXPECT_EQ(replies_[traversal].status, 400);
  EXPECT_TRUE(replies_[page].closed);
  EXPECT_EQ(stats.streams_active.get(), 0);
  EXPECT_EQ(stats.requests[static_cast<size_t>(Route::kPage)][status_slot(200)].get(), 1u);
  EXPECT_FALSE(server_.busy());
}

TEST_F(H2SessionTest, SseStreamIsReleasedByRstStream) {
  int32_t sse = get("/events", {{"last-event-id", "6"}});
  pump();
  EXPECT_EQ(replies_[sse].status, 200);
  EXPECT_TRUE(replies_[sse].body.starts_with("id: 7\ndata: "));
  EXPECT_EQ(stats.sse_active.get(), 1);
  EXPECT_TRUE(server_.busy());
  // The timer produces another event on the loop; the wake asks the connection to write.
  for (int i = 0; i < 100 && host.write_requests == 0; ++i) ev_run(loop, EVRUN_ONCE);
  pump();
  EXPECT_NE(replies_[sse].body.find("id: 8\n"), std::string::npos);
  nghttp2_submit_rst_stream(client_, NGHTTP2_FLAG_NONE, sse, NGHTTP2_CANCEL);
  pump();
  EXPECT_EQ(stats.sse_active.get(), 0);
  EXPECT_EQ(stats.streams_active.get(), 0);
  EXPECT_EQ(ev_run(loop, EVRUN_NOWAIT), 0);  // no timer left behind
  // The connection goes on.
  int32_t next = get("/page/1");
  pump();
  EXPECT_EQ(replies_[next].status, 200);
}

TEST_F(H2SessionTest, UploadDigestAnd413KeepTheConnection) {
  struct Source {
    std::string data;
    size_t pos = 0;
  };
  auto read = [](nghttp2_session*, int32_t, uint8_t* buf, size_t len, uint32_t* flags, nghttp2_data_source* src,
                 void*) -> ssize_t {
    auto* s = static_cast<Source*>(src->ptr);
    size_t n = std::min(len, s->data.size() - s->pos);
    std::memcpy(buf, s->data.data() + s->pos, n);
    s->pos += n;
    if (s->pos == s->data.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  };
  Source small{"abc"}, big{std::string(5000, 'x')};
  nghttp2_data_provider p1{}, p2{};
  p1.source.ptr = &small;
  p1.read_callback = read;
  p2.source.ptr = &big;
  p2.read_callback = read;
  int32_t ok = get("/upload", {}, &p1, "POST");
  int32_t too_big = get("/upload", {}, &p2, "POST");
  pump();
  EXPECT_EQ(replies_[ok].body,
            "{\"size\":3,\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}\n");
  EXPECT_EQ(replies_[too_big].status, 413);
  EXPECT_EQ(stats.upload_bytes.get(), 5003u);
  int32_t next = get("/page/3");
  pump();
  EXPECT_EQ(replies_[next].status, 200);
}

TEST_F(H2SessionTest, OversizedHeadersGet431OnThatStreamOnly) {
  int32_t big = get("/", {{"x-big", std::string(3000, 'a')}});
  int32_t fine = get("/");
  pump();
  EXPECT_EQ(replies_[big].status, 431);
  EXPECT_EQ(replies_[fine].status, 200);
}

TEST_F(H2SessionTest, ShutdownSendsGoawayAndEndsSse) {
  int32_t sse = get("/events");
  pump();
  server_.shutdown();
  pump();
  EXPECT_TRUE(replies_[sse].closed);
  EXPECT_EQ(replies_[sse].error, 0u);  // ended with END_STREAM, not reset
  EXPECT_EQ(stats.sse_active.get(), 0);
  EXPECT_TRUE(server_.finished());
}

TEST_F(H2SessionTest, ClientSeesTheConfiguredStreamLimit) {
  pump();
  EXPECT_EQ(nghttp2_session_get_remote_settings(client_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS),
            config.max_concurrent_streams);
  int32_t page = get("/page/1");
  pump();
  EXPECT_EQ(replies_[page].status, 200);
}

// Raw frames straight into an H2Session: the rules an nghttp2 client never breaks. The
// python table (tests/test_conformance.py) covers each rule over a socket; these pin the
// ones H2Session and H2FrameChecks implement themselves.
class H2SessionRawTest : public ::testing::Test, public testing::ServerFixture {
 protected:
  struct Frame {
    uint8_t type = 0, flags = 0;
    int32_t sid = 0;
    std::string payload;
    uint32_t error() const {  // RST_STREAM or GOAWAY error code
      const size_t at = type == NGHTTP2_GOAWAY ? 4 : 0;
      uint32_t v = 0;
      for (size_t i = at; i < at + 4 && i < payload.size(); ++i) v = v << 8 | static_cast<uint8_t>(payload[i]);
      return v;
    }
  };

  static std::string frame(uint8_t type, uint8_t flags, uint32_t sid, const std::string& payload = "") {
    const size_t n = payload.size();
    std::string f = {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                     static_cast<char>(type),    static_cast<char>(flags),  static_cast<char>(sid >> 24),
                     static_cast<char>(sid >> 16), static_cast<char>(sid >> 8), static_cast<char>(sid)};
    return f + payload;
  }
  static std::string u32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  }
  // GET / as HPACK literals without indexing (names and values < 127 bytes), plus `extra`.
  static std::string request(uint32_t sid, bool end_stream = true,
                             std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "x"}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    std::string block;
    for (const auto& [name, value] : fields) {
      block += '\0';
      block += static_cast<char>(name.size());
      block += name;
      block += static_cast<char>(value.size());
      block += value;
    }
    const uint8_t flags = NGHTTP2_FLAG_END_HEADERS | (end_stream ? NGHTTP2_FLAG_END_STREAM : 0);
    return frame(NGHTTP2_HEADERS, flags, sid, block);
  }

  void start(uint32_t stream_limit) {
    config.max_concurrent_streams = stream_limit;
    session_ = std::make_unique<H2Session>(env(Protocol::kH2c));
  }
  bool send(const std::string& bytes) { return session_->on_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); }
  std::vector<Frame> receive() {
    std::string out;
    EXPECT_TRUE(session_->fill(out, 1 << 20));
    std::vector<Frame> frames;
    for (size_t i = 0; i + 9 <= out.size();) {
      const auto* h = reinterpret_cast<const uint8_t*>(out.data() + i);
      const size_t n = size_t{h[0]} << 16 | size_t{h[1]} << 8 | h[2];
      frames.push_back({h[3], h[4], static_cast<int32_t>((h[5] & 0x7f) << 24 | h[6] << 16 | h[7] << 8 | h[8]),
                        out.substr(i + 9, n)});
      i += 9 + n;
    }
    return frames;
  }
  // Preface, SETTINGS both ways and the client's ACK; returns the server's SETTINGS payload.
  std::string handshake() {
    EXPECT_TRUE(send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(NGHTTP2_SETTINGS, 0, 0)));
    std::string server_settings;
    for (const Frame& f : receive()) {
      if (f.type == NGHTTP2_SETTINGS && !(f.flags & NGHTTP2_FLAG_ACK)) server_settings = f.payload;
    }
    EXPECT_TRUE(send(frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0)));
    return server_settings;
  }
  static const Frame* first(const std::vector<Frame>& frames, uint8_t type, int32_t sid = -1) {
    for (const Frame& f : frames) {
      if (f.type == type && (sid < 0 || f.sid == sid)) return &f;
    }
    return nullptr;
  }

  std::unique_ptr<H2Session> session_;
};

TEST_F(H2SessionRawTest, StreamOverTheAdvertisedLimitIsRefusedNotTheConnection) {
  start(2);
  const std::string settings = handshake();
  bool advertised = false;
  for (size_t i = 0; i + 6 <= settings.size(); i += 6) {
    if (settings[i + 1] == NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) advertised = settings.substr(i + 2, 4) == u32(2);
  }
  EXPECT_TRUE(advertised) << "the client is told 2";
  ASSERT_TRUE(send(request(1, false) + request(3, false) + request(5, false)));  // after the ACK
  std::vector<Frame> out = receive();
  const Frame* refused = first(out, NGHTTP2_RST_STREAM, 5);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->error(), NGHTTP2_REFUSED_STREAM);
  EXPECT_EQ(first(out, NGHTTP2_GOAWAY), nullptr);
  EXPECT_EQ(stats.streams_active.get(), 2);
  // Late frames of the refused stream are ignored; a freed slot takes a new stream.
  ASSERT_TRUE(send(frame(NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 5, "late") +
                   frame(NGHTTP2_RST_STREAM, 0, 1, u32(NGHTTP2_CANCEL)) + request(7)));
  out = receive();
  EXPECT_EQ(first(out, NGHTTP2_GOAWAY), nullptr);
  EXPECT_NE(first(out, NGHTTP2_HEADERS, 7), nullptr);
}

TEST_F(H2SessionRawTest, LowerStreamIdEndsTheConnection) {
  start(100);
  handshake();
  ASSERT_TRUE(send(request(5) + request(3)));
  const std::vector<Frame> out = receive();
  const Frame* goaway = first(out, NGHTTP2_GOAWAY);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->error(), NGHTTP2_PROTOCOL_ERROR);
  EXPECT_EQ(first(out, NGHTTP2_HEADERS, 3), nullptr);
  EXPECT_TRUE(session_->finished());
}

TEST_F(H2SessionRawTest, DataOnAStreamTheClientEndedIsStreamClosed) {
  start(100);
  handshake();
  ASSERT_TRUE(send(request(1)));
  std::vector<Frame> out = receive();
  EXPECT_NE(first(out, NGHTTP2_DATA, 1), nullptr);  // the response ended the stream
  ASSERT_TRUE(send(frame(NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 1, "late")));
  out = receive();
  const Frame* goaway = first(out, NGHTTP2_GOAWAY);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->error(), NGHTTP2_STREAM_CLOSED);
}

TEST_F(H2SessionRawTest, LateFramesOnAStreamTheServerResetAreIgnored) {
  start(100);
  handshake();
  ASSERT_TRUE(send(request(1, false, {{"connection", "close"}})));  // malformed: nghttp2 resets it
  std::vector<Frame> out = receive();
  const Frame* reset = first(out, NGHTTP2_RST_STREAM, 1);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->error(), NGHTTP2_PROTOCOL_ERROR);
  ASSERT_TRUE(send(frame(NGHTTP2_DATA, 0, 1, "late") + request(1) + request(3)));  // DATA, trailers, a new one
  out = receive();
  EXPECT_EQ(first(out, NGHTTP2_GOAWAY), nullptr);
  EXPECT_NE(first(out, NGHTTP2_HEADERS, 3), nullptr);
}

TEST_F(H2SessionRawTest, PriorityOnStreamZeroOrOnItself) {
  for (uint32_t sid : {0u, 3u}) {
    start(100);
    handshake();
    ASSERT_TRUE(send(frame(NGHTTP2_PRIORITY, 0, sid, u32(sid) + std::string(1, '\x0f'))));
    const std::vector<Frame> out = receive();
    const Frame* goaway = first(out, NGHTTP2_GOAWAY);
    ASSERT_NE(goaway, nullptr) << "stream " << sid;
    EXPECT_EQ(goaway->error(), NGHTTP2_PROTOCOL_ERROR);
  }
}

// A peer that does not read (stream windows of zero) while asking for many pages holds at
// most the backlog: past it, complete requests wait in order until earlier responses finish,
// and one the peer resets while it waits is skipped.
TEST_F(H2SessionRawTest, PastTheResponseBacklogRequestsWaitForEarlierResponses) {
  config.response_backlog = 1;  // one response at a time
  start(100);
  const std::string zero_window = std::string("\x00\x04", 2) + u32(0);  // SETTINGS_INITIAL_WINDOW_SIZE = 0
  ASSERT_TRUE(send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(NGHTTP2_SETTINGS, 0, 0, zero_window)));
  receive();
  ASSERT_TRUE(send(frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0) + request(1) + request(3) + request(5)));
  std::vector<Frame> out = receive();
  EXPECT_NE(first(out, NGHTTP2_HEADERS, 1), nullptr);
  EXPECT_EQ(first(out, NGHTTP2_HEADERS, 3), nullptr) << "responded past the backlog";
  EXPECT_EQ(first(out, NGHTTP2_HEADERS, 5), nullptr) << "responded past the backlog";
  EXPECT_EQ(first(out, NGHTTP2_DATA, 1), nullptr) << "sent DATA into a zero window";

  // Stream 3 gives up while it waits; stream 1's window opens and its response ends.
  ASSERT_TRUE(send(frame(NGHTTP2_RST_STREAM, 0, 3, u32(NGHTTP2_CANCEL)) + frame(NGHTTP2_WINDOW_UPDATE, 0, 0, u32(1 << 30)) +
                   frame(NGHTTP2_WINDOW_UPDATE, 0, 1, u32(1 << 30))));
  out = receive();
  bool ended = false;
  for (const Frame& f : out) ended |= f.type == NGHTTP2_DATA && f.sid == 1 && (f.flags & NGHTTP2_FLAG_END_STREAM);
  EXPECT_TRUE(ended);
  EXPECT_EQ(first(out, NGHTTP2_HEADERS, 3), nullptr) << "answered a stream the peer reset";
  EXPECT_NE(first(out, NGHTTP2_HEADERS, 5), nullptr) << "the next waiting request was not answered";
}

}  // namespace
}  // namespace h2soak::server
