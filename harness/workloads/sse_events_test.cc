#include "harness/workloads/sse_events.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace h2soak::workloads {
namespace {

// The rule byte by byte, as the sse workload first wrote it: the reference.
std::uint64_t reference(const std::string& s, bool& newline) {
  std::uint64_t ended = 0;
  for (char c : s) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (newline) {
        ++ended;
        newline = false;
      } else {
        newline = true;
      }
    } else {
      newline = false;
    }
  }
  return ended;
}

std::uint64_t count(const std::string& s, bool& newline) {
  return count_sse_event_ends(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), newline);
}

TEST(SseEvents, BlankLinesEndEvents) {
  bool nl = false;
  EXPECT_EQ(count("data: a\n\ndata: b\n\n", nl), 2u);
  EXPECT_FALSE(nl);
  nl = false;
  EXPECT_EQ(count("data: a\r\n\r\nid: 1\r\ndata: b\r\n\r\n", nl), 2u);
  nl = false;
  EXPECT_EQ(count(": keep-alive comment\n\n\n\n", nl), 2u) << "an empty event is still an end";
  nl = false;
  EXPECT_EQ(count("data: no end yet\n", nl), 0u);
  EXPECT_TRUE(nl);
  EXPECT_EQ(count("\n", nl), 1u) << "the end split across two reads";
  nl = true;
  EXPECT_EQ(count("\r", nl), 0u);
  EXPECT_TRUE(nl) << "a lone CR keeps the state";
  EXPECT_EQ(count("\n", nl), 1u);
  nl = true;
  EXPECT_EQ(count("x\n", nl), 0u);
  EXPECT_TRUE(nl);
  nl = false;
  EXPECT_EQ(count("", nl), 0u);
  EXPECT_FALSE(nl);
}

TEST(SseEvents, AgreesWithTheByteRuleOnRandomStreamsAndSplits) {
  std::mt19937 rng(11);
  const char alphabet[] = {'\n', '\n', '\r', 'a', ':', ' '};
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 200, ' ');
    for (auto& c : s) c = alphabet[rng() % sizeof alphabet];
    bool nl_ref = false, nl = false;
    std::uint64_t want = 0, got = 0;
    std::size_t at = 0;
    while (at < s.size()) {  // the same stream cut into random reads
      const std::size_t n = std::min<std::size_t>(s.size() - at, 1 + rng() % 17);
      const std::string chunk = s.substr(at, n);
      want += reference(chunk, nl_ref);
      got += count(chunk, nl);
      ASSERT_EQ(nl, nl_ref) << "round " << round << " at " << at;
      at += n;
    }
    ASSERT_EQ(got, want) << "round " << round;
  }
}

}  // namespace
}  // namespace h2soak::workloads
