#include "harness/metrics/workload_metrics.h"

#include <gtest/gtest.h>

namespace h2soak::metrics {
namespace {

TEST(Counters, StatusAndErrorClasses) {
  Counters c;
  c.record_status(200);
  c.record_status(204);
  c.record_status(302);
  c.record_status(404);
  c.record_status(503);
  c.record_status(101);
  c.record_status(99);
  c.record_status(600);
  EXPECT_EQ(c.status_class[0], 1u);
  EXPECT_EQ(c.status_class[1], 2u);
  EXPECT_EQ(c.status_class[2], 1u);
  EXPECT_EQ(c.status_class[3], 1u);
  EXPECT_EQ(c.status_class[4], 1u);
  EXPECT_EQ(c.status_other, 2u);
  c.record_rst_stream(0x8);   // CANCEL
  c.record_rst_stream(0x1000);
  c.record_error(ErrorClass::kConnect, 3);
  EXPECT_EQ(c.rst_codes[8], 1u);
  EXPECT_EQ(c.rst_codes[kRstCodeSlots - 1], 1u);
  EXPECT_EQ(c.error(ErrorClass::kRstStream), 2u);
  EXPECT_EQ(c.error(ErrorClass::kConnect), 3u);
  EXPECT_EQ(c.errors_total(), 5u);
}

TEST(Counters, ErrorClassNamesRoundTrip) {
  for (std::size_t i = 0; i < kErrorClassCount; ++i) {
    ErrorClass c{};
    ASSERT_TRUE(error_class_from_string(to_string(static_cast<ErrorClass>(i)), &c));
    EXPECT_EQ(static_cast<std::size_t>(c), i);
  }
  ErrorClass c{};
  EXPECT_FALSE(error_class_from_string("nope", &c));
  EXPECT_EQ(to_string(ErrorClass::kPeerClosed), "peer_closed");
}

TEST(Counters, MergeAddsEveryField) {
  Counters a, b;
  a.requests_started = 5; a.requests_done = 4; a.requests_succeeded = 3; a.requests_failed = 1;
  a.bytes_in_data = 100; a.bytes_out = 7; a.connections_opened = 2;
  a.record_status(200);
  b.requests_started = 1; b.requests_errored = 1; b.requests_timeout = 2; b.requests_dropped = 3;
  b.bytes_in_headers = 9; b.bytes_in_total = 11; b.connections_failed = 1; b.connections_closed = 4;
  b.record_status(500);
  b.record_rst_stream(2);
  Counters m = a;
  m.merge(b);
  EXPECT_EQ(m.requests_started, 6u);
  EXPECT_EQ(m.requests_errored, 1u);
  EXPECT_EQ(m.requests_timeout, 2u);
  EXPECT_EQ(m.requests_dropped, 3u);
  EXPECT_EQ(m.bytes_in_headers, 9u);
  EXPECT_EQ(m.bytes_in_data, 100u);
  EXPECT_EQ(m.bytes_in_total, 11u);
  EXPECT_EQ(m.status_class[1], 1u);
  EXPECT_EQ(m.status_class[4], 1u);
  EXPECT_EQ(m.rst_codes[2], 1u);
  EXPECT_EQ(m.connections_closed, 4u);
  Counters zero;
  m.merge(zero);
  Counters m2 = b;
  m2.merge(a);
  EXPECT_EQ(m, m2);  // commutative
}

TEST(IntervalSeries, RecordsBySecondAndMergesAligned) {
  const TimePoint origin = now();
  IntervalSeries a(origin), b(origin);
  a.add_done(origin + std::chrono::milliseconds(100));
  a.add_done(origin + std::chrono::milliseconds(900), 2);
  a.add_bytes_in(origin + std::chrono::milliseconds(1500), 1000);
  a.sample_in_flight(origin + std::chrono::milliseconds(1500), 8);
  a.sample_in_flight(origin + std::chrono::milliseconds(1600), 5);  // last sample wins
  b.add_error(origin + std::chrono::seconds(3));
  b.add_bytes_out(origin + std::chrono::milliseconds(1200), 10);
  b.sample_in_flight(origin + std::chrono::milliseconds(1999), 2);
  a.add_done(origin - std::chrono::seconds(1));  // before origin: second 0
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.points()[0].requests_done, 4u);
  EXPECT_EQ(a.points()[1].in_flight, 5u);
  a.merge(b);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.points()[1].in_flight, 7u);
  EXPECT_EQ(a.points()[1].bytes_in, 1000u);
  EXPECT_EQ(a.points()[1].bytes_out, 10u);
  EXPECT_EQ(a.points()[2], IntervalPoint{});
  EXPECT_EQ(a.points()[3].errors, 1u);
}

TEST(IntervalSeries, BoundedMemory) {
  IntervalSeries s;
  EXPECT_EQ(s.at_second(IntervalSeries::kMaxSeconds), nullptr);
  EXPECT_EQ(s.overflow(), 1u);
  EXPECT_EQ(s.size(), 0u);
}

TEST(WorkloadMetrics, MergeIncludingExtras) {
  WorkloadMetrics w1, w2;
  Histogram& gaps = w1.extra_histogram("sse.event_gap");
  gaps.record(100);
  w1.extra_counter("sse.events") += 3;
  w1.request_total.record(1000);
  w1.counters.requests_done = 1;
  w2.extra_histogram("sse.event_gap").record(300);
  w2.extra_histogram("sse.first_event").record(50);
  w2.extra_counter("sse.events") += 2;
  w2.ttfb.record(20);
  w2.counters.requests_done = 2;
  w1.merge(w2);
  EXPECT_EQ(&gaps, &w1.extra_histogram("sse.event_gap"));  // references stay valid
  EXPECT_EQ(gaps.count(), 2u);
  EXPECT_EQ(w1.extra_histograms.at("sse.first_event").count(), 1u);
  EXPECT_EQ(w1.extra_counters.at("sse.events"), 5u);
  EXPECT_EQ(w1.counters.requests_done, 3u);
  EXPECT_EQ(w1.ttfb.count(), 1u);
  w1.reset();
  EXPECT_EQ(gaps.count(), 0u);
  EXPECT_EQ(w1.extra_counters.at("sse.events"), 0u);
  EXPECT_EQ(w1.request_total.count(), 0u);
}

}  // namespace
}  // namespace h2soak::metrics
