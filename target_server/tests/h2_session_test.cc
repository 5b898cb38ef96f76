#include "target_server/h2_session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "target_server/tests/session_fixture.h"

namespace h2soak::target {
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

}  // namespace
}  // namespace h2soak::target
