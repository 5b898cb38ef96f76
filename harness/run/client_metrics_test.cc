#include "harness/run/client_metrics.h"

#include <gtest/gtest.h>

namespace h2soak::run {
namespace {

result::WorkloadResult workload(const std::string& name, const std::string& kind,
                                const std::map<std::string, std::vector<std::uint64_t>>& histograms) {
  result::WorkloadResult w;
  w.name = name;
  w.kind = kind;
  metrics::WorkloadMetrics steady;
  for (const auto& [h, values] : histograms) {
    for (auto v : values) steady.extra_histogram(h).record(v);
  }
  w.phases.push_back({"warmup", metrics::WorkloadMetrics{}});
  w.phases.push_back({"steady", steady});
  return w;
}

// SSE gaps, time to first event and upload throughput were measured but had
// no metric, so no threshold could gate them.
TEST(ClientMetrics, WorkloadHistogramsBecomeMetricsWithoutTheirUnitSuffix) {
  std::vector<result::WorkloadResult> ws{
      workload("feeds", "sse", {{"sse.event_gap_us", {1000, 1000, 1000, 250000}}, {"sse.time_to_first_event_us", {5000}}}),
      workload("up", "upload", {{"upload.throughput_kib_s", {100, 100, 100}}})};
  std::map<std::string, result::AnalysisMetric> out;
  add_client_metrics({&ws, 10}, out);

  ASSERT_TRUE(out.count("feeds.sse.event_gap.p50"));
  EXPECT_EQ(out.at("feeds.sse.event_gap.p50").unit, "us");
  EXPECT_NEAR(out.at("feeds.sse.event_gap.p50").value, 1000, 10);
  EXPECT_NEAR(out.at("feeds.sse.event_gap.max").value, 250000, 2500);
  EXPECT_EQ(out.at("feeds.sse.event_gap.p50").direction, result::Direction::kNone);
  EXPECT_TRUE(out.count("feeds.sse.time_to_first_event.p99"));
  // The scenario level merges every workload's histogram of that name.
  EXPECT_TRUE(out.count("sse.event_gap.p99"));
  ASSERT_TRUE(out.count("upload.throughput.p50"));
  EXPECT_EQ(out.at("upload.throughput.p50").unit, "bytes/s");
  EXPECT_NEAR(out.at("upload.throughput.p50").value, 100 * 1024, 1024);
  EXPECT_FALSE(out.count("feeds.sse.event_gap_us.p50"));
}

// short_connections tls_resume: tls_resumed over warm-up and steady, and its
// share of the connections opened; absent for workloads that do not resume.
TEST(ClientMetrics, TlsResumedShareOfConnectionsOpened) {
  result::WorkloadResult w = workload("churn", "short_connections", {});
  w.phases[0].metrics.counters.connections_opened = 20;
  w.phases[0].metrics.extra_counter("tls_resumed") = 19;
  w.phases[1].metrics.counters.connections_opened = 80;
  w.phases[1].metrics.extra_counter("tls_resumed") = 80;
  std::vector<result::WorkloadResult> ws{w, workload("plain", "short_connections", {})};
  std::map<std::string, result::AnalysisMetric> out;
  add_client_metrics({&ws, 4}, out);
  ASSERT_TRUE(out.count("churn.tls_resumed"));
  EXPECT_EQ(out.at("churn.tls_resumed").value, 99);
  ASSERT_TRUE(out.count("churn.tls.resumed_share"));
  EXPECT_DOUBLE_EQ(out.at("churn.tls.resumed_share").value, 0.99);
  EXPECT_EQ(out.at("churn.tls.resumed_share").unit, "fraction");
  EXPECT_FALSE(out.count("plain.tls.resumed_share"));
  EXPECT_FALSE(out.count("plain.tls_resumed"));
}

}  // namespace
}  // namespace h2soak::run
