#include "target_server/h2_frame_checks.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

namespace h2soak::server {
namespace {

const std::string kMagic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string frame(uint8_t type, uint8_t flags, uint32_t sid, const std::string& payload) {
  const size_t n = payload.size();
  std::string f = {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                   static_cast<char>(type),    static_cast<char>(flags),  static_cast<char>(sid >> 24),
                   static_cast<char>(sid >> 16), static_cast<char>(sid >> 8), static_cast<char>(sid)};
  return f + payload;
}

std::string u32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string priority(uint32_t sid, uint32_t dependency) { return frame(NGHTTP2_PRIORITY, 0, sid, u32(dependency) + "\x0f"); }

struct Stop {
  size_t offset;  // bytes from the start of the input up to the checkpoint
  H2FrameChecks::Frame frame;
};

// Feeds `input` in pieces of at most `chunk` bytes, as reads would deliver it; returns where
// split() stopped at a checkpoint.
std::vector<Stop> checkpoints(H2FrameChecks& checks, const std::string& input, size_t chunk) {
  std::vector<Stop> stops;
  const auto* p = reinterpret_cast<const uint8_t*>(input.data());
  size_t done = 0;
  while (done < input.size()) {
    size_t len = std::min(chunk, input.size() - done);
    while (len > 0) {
      const size_t n = checks.split(p + done, len);
      EXPECT_GT(n, 0u);
      done += n;
      len -= n;
      if (const H2FrameChecks::Frame* f = checks.checkpoint()) stops.push_back({done, *f});
    }
  }
  return stops;
}

TEST(H2FrameChecks, StopsAfterHeadersOfOldStreamsAndAfterPriorityPayloads) {
  const std::string settings = frame(NGHTTP2_SETTINGS, 0, 0, "");
  const std::string h1 = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, "abc");
  const std::string d1 = frame(NGHTTP2_DATA, 0, 1, "body");
  const std::string h3 = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 3, "abc");
  const std::string p0 = priority(0, 0);
  const std::string trailers = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, "x");
  const std::string input = kMagic + settings + h1 + d1 + h3 + p0 + trailers;
  for (size_t chunk = 1; chunk <= input.size(); chunk += chunk < 24 ? 1 : 37) {  // every read size up to 24
    H2FrameChecks checks;
    std::vector<Stop> stops = checkpoints(checks, input, chunk);
    ASSERT_EQ(stops.size(), 3u) << "chunk " << chunk;
    // DATA on stream 1 (opened before): right after its 9-byte header.
    const size_t d1_at = kMagic.size() + settings.size() + h1.size();
    EXPECT_EQ(stops[0].offset, d1_at + 9);
    EXPECT_EQ(stops[0].frame.type, NGHTTP2_DATA);
    EXPECT_EQ(stops[0].frame.stream_id, 1);
    EXPECT_EQ(stops[0].frame.length, 4u);
    // PRIORITY: after its payload, with the dependency read.
    EXPECT_EQ(stops[1].offset, d1_at + d1.size() + h3.size() + p0.size());
    EXPECT_EQ(stops[1].frame.type, NGHTTP2_PRIORITY);
    EXPECT_EQ(stops[1].frame.stream_id, 0);
    // Trailers on stream 1 (below the highest id, 3).
    EXPECT_EQ(stops[2].frame.type, NGHTTP2_HEADERS);
    EXPECT_EQ(stops[2].frame.stream_id, 1);
  }
}

TEST(H2FrameChecks, NewStreamsEvenIdsAndOtherFramesAreNghttp2s) {
  H2FrameChecks checks;
  const std::string input = kMagic + frame(NGHTTP2_HEADERS, 4, 1, "a") + frame(NGHTTP2_HEADERS, 4, 5, "a") +
                            frame(NGHTTP2_HEADERS, 4, 2, "a") + frame(NGHTTP2_WINDOW_UPDATE, 0, 1, u32(1)) +
                            frame(NGHTTP2_RST_STREAM, 0, 1, u32(8)) + frame(NGHTTP2_DATA, 0, 0, "x") +
                            frame(NGHTTP2_PRIORITY, 0, 1, "1234");  // bad length: nghttp2's FRAME_SIZE_ERROR
  EXPECT_TRUE(checkpoints(checks, input, input.size()).empty());
}

TEST(H2FrameChecks, PriorityRules) {
  H2FrameChecks checks;
  H2FrameChecks::Frame f;
  f.type = NGHTTP2_PRIORITY;
  f.stream_id = 0;
  EXPECT_EQ(checks.judge(f, false), NGHTTP2_PROTOCOL_ERROR);
  f.stream_id = 3;
  f.dependency = 3;
  EXPECT_EQ(checks.judge(f, true), NGHTTP2_PROTOCOL_ERROR);
  f.dependency = 1;
  EXPECT_FALSE(checks.judge(f, false));
}

TEST(H2FrameChecks, ClosedStreamsByWhoEndedThem) {
  H2FrameChecks checks;
  H2FrameChecks::Frame data, headers;
  data.type = NGHTTP2_DATA;
  headers.type = NGHTTP2_HEADERS;
  checks.stream_closed(1, /*by_peer=*/true);
  checks.stream_closed(3, /*by_peer=*/false);
  data.stream_id = headers.stream_id = 1;
  EXPECT_EQ(checks.judge(data, false), NGHTTP2_STREAM_CLOSED);
  EXPECT_EQ(checks.judge(headers, false), NGHTTP2_STREAM_CLOSED);
  EXPECT_FALSE(checks.judge(data, true)) << "an open stream is nghttp2's";
  data.stream_id = headers.stream_id = 3;  // the server reset it: late frames are ignored
  EXPECT_FALSE(checks.judge(data, false));
  EXPECT_FALSE(checks.judge(headers, false));
  data.stream_id = headers.stream_id = 5;  // never opened (or forgotten)
  EXPECT_FALSE(checks.judge(data, false));
  EXPECT_EQ(checks.judge(headers, false), NGHTTP2_PROTOCOL_ERROR);
}

TEST(H2FrameChecks, HistoryKeepsTheLastClosesOnly) {
  H2FrameChecks checks;
  checks.stream_closed(1, /*by_peer=*/false);
  for (int32_t id = 3; id < 3 + 2 * static_cast<int32_t>(H2FrameChecks::kHistory); id += 2) {
    checks.stream_closed(id, /*by_peer=*/true);
  }
  H2FrameChecks::Frame headers;
  headers.type = NGHTTP2_HEADERS;
  headers.stream_id = 1;
  EXPECT_EQ(checks.judge(headers, false), NGHTTP2_PROTOCOL_ERROR) << "stream 1 was forgotten";
  headers.stream_id = 3 + 2 * (H2FrameChecks::kHistory - 1);
  EXPECT_EQ(checks.judge(headers, false), NGHTTP2_STREAM_CLOSED);
}

}  // namespace
}  // namespace h2soak::server
