// upload end to end against h2soak-target: streamed bodies whose size and
// SHA-256 the server echoes, checked by the client and against /metrics.
#include <gtest/gtest.h>

#include "harness/workloads/plan_runner.h"
#include "harness/workloads/test_support.h"

namespace h2soak::workloads {
namespace {
using namespace std::chrono_literals;
using testing::TargetServer;

const std::string kUploads = "h2soak_target_requests_total{route=\"upload\"}";
const std::string kUploads200 = "h2soak_target_requests_total{route=\"upload\",status=\"200\"}";
const std::string kBytes = "h2soak_target_upload_bytes_total";

TEST(UploadWorkload, ClosedModelVerifiesEveryDigest) {
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  scenario::UploadWorkload up;
  up.concurrency = 4;
  up.connections = 2;
  up.size = {16 * 1024, 512 * 1024};
  up.verify = true;
  const auto plan = testing::one_workload_plan("upload", up, 500ms, 1500ms, 300ms);
  const auto before = server.scrape({kUploads, kUploads200, kBytes});
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.https_url();
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kUploads, kUploads200, kBytes});
  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  EXPECT_FALSE(w.never_connected) << w.last_error;
  auto m = testing::both_phases(w);
  const auto& x = m.extra_counters;
  const auto& c = m.counters;
  std::printf("done %llu ok %llu verified %llu failed %llu body %llu server %.0f/%.0f bytes %.0f\n",
              (unsigned long long)c.requests_done, (unsigned long long)c.requests_succeeded,
              (unsigned long long)x.at("upload.verified"), (unsigned long long)x.at("upload.verify_failed"),
              (unsigned long long)x.at("upload.body_bytes"), after.at(kUploads) - before.at(kUploads),
              after.at(kUploads200) - before.at(kUploads200), after.at(kBytes) - before.at(kBytes));
  EXPECT_GE(c.requests_succeeded, 20u);
  EXPECT_EQ(x.at("upload.verified"), c.requests_succeeded);
  EXPECT_EQ(x.at("upload.verify_failed"), 0u);
  EXPECT_EQ(x.at("upload.unverifiable"), 0u);
  EXPECT_EQ(c.requests_started, c.requests_done);
  // The server answered 200 to every upload the client verified, and at most
  // to the ones still in flight at the close besides.
  EXPECT_GE(after.at(kUploads200) - before.at(kUploads200), static_cast<double>(c.requests_succeeded));
  EXPECT_LE(after.at(kUploads200) - before.at(kUploads200), static_cast<double>(c.requests_done));
  // It received at least every byte of those (plus parts of uploads cut at the close).
  const double server_bytes = after.at(kBytes) - before.at(kBytes);
  EXPECT_LE(server_bytes, static_cast<double>(x.at("upload.body_bytes")));
  const auto& sizes = m.extra_histograms.at("upload.size_bytes");
  EXPECT_GE(server_bytes, sizes.sum() * 0.999);
  EXPECT_GE(sizes.min(), 16u * 1024);
  EXPECT_LE(sizes.max(), 512u * 1024 + 512);
  EXPECT_GT(m.extra_histograms.at("upload.throughput_kib_s").count(), 0u);
}

TEST(UploadWorkload, OpenModelKeepsTheRateAndCountsTooLarge) {
  // The server's limit is below part of the size range: those uploads get 413
  // and count as failed, never as verified.
  TargetServer server({"--upload-limit", "64KiB"});
  ASSERT_GT(server.port(), 0);
  scenario::UploadWorkload up;
  up.rate = 40;
  up.max_in_flight = 16;
  up.connections = 2;
  up.size = {8 * 1024, 128 * 1024};
  up.distribution = scenario::SizeDistribution::kLogNormal;
  const auto plan = testing::one_workload_plan("upload", up, 500ms, 1500ms, 300ms);
  PlanRunOptions opts;
  opts.threads = 2;
  opts.base_url = server.http_url();
  const PlanRunOutcome out = run_plan(plan, opts);
  const auto after = server.scrape({kUploads200, "h2soak_target_requests_total{route=\"upload\",status=\"413\"}"});
  auto m = testing::both_phases(out.workloads.at(0));
  const auto& c = m.counters;
  const auto& x = m.extra_counters;
  // 40/s for 2 s.
  EXPECT_NEAR(static_cast<double>(c.requests_started + c.requests_dropped), 80.0, 6.0);
  // Only uploads due before the connections are up may be dropped (counted, not hidden).
  EXPECT_LE(c.requests_dropped, 8u);
  EXPECT_GT(c.requests_failed, 0u);
  EXPECT_LE(static_cast<double>(c.requests_failed),
            after.at("h2soak_target_requests_total{route=\"upload\",status=\"413\"}"));
  EXPECT_EQ(x.at("upload.verified"), c.requests_succeeded);
  EXPECT_GE(after.at(kUploads200), static_cast<double>(c.requests_succeeded));
  EXPECT_LE(after.at(kUploads200), static_cast<double>(c.requests_done - c.requests_failed));
  EXPECT_EQ(x.at("upload.verify_failed"), 0u);
}

TEST(UploadWorkload, OpenModelHonoursTheArrivalOffset) {
  // A shard's arrival_offset (scenario/shard.h) delays the first arrival of
  // the window: 2/s from 0.6 s into a 2 s window is 0.6, 1.1, 1.6 s, all
  // after the 0.5 s warm-up (without the offset: 0 in warm-up, then 0.5,
  // 1.0, 1.5).
  TargetServer server;
  ASSERT_GT(server.port(), 0);
  scenario::UploadWorkload up;
  up.rate = 2;
  up.max_in_flight = 4;
  up.connections = 1;
  up.size = {1024, 4096};
  auto plan = testing::one_workload_plan("upload", up, 500ms, 1500ms, 300ms);
  plan.workloads.at(0).arrival_offset = 600ms;
  PlanRunOptions opts;
  opts.threads = 1;
  opts.base_url = server.http_url();
  const PlanRunOutcome out = run_plan(plan, opts);
  ASSERT_TRUE(out.error.empty()) << out.error;
  const auto& w = out.workloads.at(0);
  const auto& warm = w.warmup.counters;
  const auto& steady = w.steady.counters;
  EXPECT_EQ(warm.requests_started + warm.requests_dropped, 0u);
  EXPECT_EQ(steady.requests_started + steady.requests_dropped, 3u);
}

}  // namespace
}  // namespace h2soak::workloads
