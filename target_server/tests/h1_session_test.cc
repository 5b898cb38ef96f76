#include "target_server/h1_session.h"

#include <gtest/gtest.h>

#include <string>

#include "target_server/tests/session_fixture.h"

namespace h2soak::server {
namespace {

class H1SessionTest : public ::testing::Test, public testing::ServerFixture {
 protected:
  H1Session session{env(Protocol::kH1)};

  bool feed(std::string_view bytes) {
    return session.on_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::string drain() {
    std::string out, chunk;
    for (int i = 0; i < 1000; ++i) {
      chunk.clear();
      EXPECT_TRUE(session.fill(chunk, 64 * 1024));
      if (chunk.empty()) break;
      out += chunk;
    }
    return out;
  }
};

TEST_F(H1SessionTest, KeepAliveRequestsAndPipelining) {
  ASSERT_TRUE(feed("GET /page/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /static/css/site-0.css HTTP/1.1\r\nHo"));
  ASSERT_TRUE(feed("st: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string out = drain();
  size_t a = out.find("HTTP/1.1 200 OK\r\n");
  size_t b = out.find("HTTP/1.1 200 OK\r\n", a + 1);
  size_t c = out.find("HTTP/1.1 404 Not Found\r\n");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("<h1>Page 1 of 3</h1>"), std::string::npos);
  EXPECT_FALSE(session.finished());
  EXPECT_FALSE(session.busy());
  EXPECT_EQ(stats.streams_active.get(), 0);
}

TEST_F(H1SessionTest, ConnectionCloseFinishesSession) {
  feed("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string out = drain();
  EXPECT_NE(out.find("connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(session.finished());
}

TEST_F(H1SessionTest, HeadHasLengthButNoBody) {
  feed("HEAD /static/bench-2k.html HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = drain();
  EXPECT_NE(out.find("content-length: 2048\r\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n\r\n"));
}

TEST_F(H1SessionTest, UploadWithContinueAndDrained413) {
  feed("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(drain(), "HTTP/1.1 100 Continue\r\n\r\n");
  feed("abc");
  EXPECT_NE(drain().find("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), std::string::npos);
  // Over the 1,024-byte limit without Expect: drained, 413, connection kept.
  feed("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
  feed(std::string(2000, 'z'));
  std::string out = drain();
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413 "));
  EXPECT_EQ(out.find("connection: close"), std::string::npos);
  EXPECT_FALSE(session.finished());
}

TEST_F(H1SessionTest, EarlyContinue413Closes) {
  feed("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  std::string out = drain();
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413 "));
  EXPECT_NE(out.find("connection: close"), std::string::npos);
  EXPECT_TRUE(session.finished());
}

TEST_F(H1SessionTest, OversizedHeadersGet431AndGarbage400) {
  feed("GET / HTTP/1.1\r\nX-A: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(drain().starts_with("HTTP/1.1 431 "));
  EXPECT_TRUE(session.finished());
  H1Session other(env(Protocol::kH1));
  std::string junk = "\x01\x02 nonsense\r\n\r\n";
  other.on_read(reinterpret_cast<const uint8_t*>(junk.data()), junk.size());
  std::string out;
  other.fill(out, 1 << 16);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400 "));
}

TEST_F(H1SessionTest, SseIsChunkedAndEndsAtShutdown) {
  feed("GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 9\r\n\r\n");
  std::string out = drain();
  EXPECT_NE(out.find("transfer-encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nid: 10\ndata: "), std::string::npos);
  EXPECT_TRUE(session.busy());
  EXPECT_EQ(stats.sse_active.get(), 1);
  session.shutdown();
  EXPECT_GE(host.write_requests, 1);
  out = drain();
  EXPECT_TRUE(out.ends_with("0\r\n\r\n"));
  EXPECT_TRUE(session.finished());
  EXPECT_EQ(stats.sse_active.get(), 0);
}

TEST_F(H1SessionTest, ReadTimeoutClockStartsWithHeaders) {
  EXPECT_FALSE(session.request_started());
  host.now_s = 5;
  feed("GET / HTTP/1.1\r\nHo");
  EXPECT_EQ(session.request_started(), 5.0);
  feed("st: x\r\n\r\n");
  EXPECT_FALSE(session.request_started());
}

}  // namespace
}  // namespace h2soak::server
