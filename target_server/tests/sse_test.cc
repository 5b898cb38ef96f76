#include "target_server/handlers/sse.h"

#include <gtest/gtest.h>

namespace h2soak::server {
namespace {

TEST(SseTest, FormatsEvents) {
  EXPECT_EQ(format_event(7, "{\"a\":1}"), "id: 7\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(event_payload(3, 1700000000123), "{\"seq\":3,\"ts_ms\":1700000000123}");
}

TEST(SseTest, ParsesLastEventId) {
  EXPECT_EQ(parse_last_event_id("41"), 41u);
  EXPECT_EQ(parse_last_event_id(" 5 "), 5u);
  EXPECT_FALSE(parse_last_event_id(""));
  EXPECT_FALSE(parse_last_event_id("abc"));
  EXPECT_FALSE(parse_last_event_id("12x"));
  EXPECT_FALSE(parse_last_event_id("-3"));
  EXPECT_FALSE(parse_last_event_id("99999999999999999999999"));
}

std::string drain(Generator& g, PullState* last) {
  std::string out;
  uint8_t buf[256];
  for (int i = 0; i < 1000; ++i) {
    Pull p = g.proceed(buf, sizeof buf);
    out.append(reinterpret_cast<char*>(buf), p.n);
    *last = p.state;
    if (p.state != PullState::kData) break;
  }
  return out;
}

TEST(SseTest, BodyEmitsOnTimerAndReleasesOnDestruction) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  WorkerStats stats;
  int wakes = 0;
  {
    Request req;
    req.headers.push_back({"last-event-id", "41"});
    WorkerEnv env{loop, &stats, nullptr};
    Response r = sse_response(req, Millis(10), env);
    EXPECT_EQ(r.headers[0].value, "text/event-stream");
    r.body->bind([&wakes] { ++wakes; });
    EXPECT_EQ(stats.sse_active.get(), 1);
    PullState st;
    std::string first = drain(*r.body, &st);
    EXPECT_EQ(first.substr(0, 8), "id: 42\nd");  // continues after Last-Event-ID
    EXPECT_EQ(st, PullState::kDeferred);
    // Run the loop until two more events were produced.
    for (int i = 0; i < 200 && wakes < 2; ++i) ev_run(loop, EVRUN_ONCE);
    EXPECT_GE(wakes, 2);
    std::string more = drain(*r.body, &st);
    EXPECT_EQ(more.substr(0, 7), "id: 43\n");
    EXPECT_NE(more.find("id: 44\n"), std::string::npos);
    r.body->finish();
    drain(*r.body, &st);
    EXPECT_EQ(st, PullState::kEof);
    EXPECT_EQ(ev_pending_count(loop), 0u);
  }
  // The body is gone: no watcher left on the loop, the gauge is back to zero.
  EXPECT_EQ(stats.sse_active.get(), 0);
  EXPECT_EQ(ev_run(loop, EVRUN_NOWAIT), 0);
  ev_loop_destroy(loop);
}

TEST(SseTest, DroppedStreamStopsItsTimer) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  WorkerStats stats;
  {
    SseBody body(loop, Millis(5), 1, stats);
    EXPECT_NE(ev_run(loop, EVRUN_NOWAIT), 0);  // an active timer keeps the loop alive
  }
  EXPECT_EQ(ev_run(loop, EVRUN_NOWAIT), 0);  // nothing left
  EXPECT_EQ(stats.sse_active.get(), 0);
  ev_loop_destroy(loop);
}

TEST(SseTest, SlowReaderDoesNotGrowPending) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  WorkerStats stats;
  {
    SseBody body(loop, Millis(1), 1, stats);
    for (int i = 0; i < 4000 && stats.sse_skipped.get() < 10; ++i) ev_run(loop, EVRUN_ONCE);
    EXPECT_GE(stats.sse_skipped.get(), 10u);
    PullState st;
    std::string all = drain(body, &st);
    EXPECT_LE(all.size(), SseBody::kMaxPending + 128);
  }
  ev_loop_destroy(loop);
}

}  // namespace
}  // namespace h2soak::server
