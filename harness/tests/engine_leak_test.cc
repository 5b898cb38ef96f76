// The generator itself must not leak: its own RSS and fd count stay flat over
// many requests and connection churn, and its memory does not grow with -n
// (h2load's grows by ~40 bytes per request). Server: Debian's nghttpd (a
// separate process, so that only the generator's memory is measured).

#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "harness/tests/engine_test_util.h"
#include "harness/tests/hostile_server.h"

namespace h2soak::tests {
namespace {

constexpr const char* kNghttpd = "/usr/sbin/nghttpd";

// RSS of live memory: free pages the allocator still holds (per-thread arenas
// of the runner's finished workers) are handed back first, so what remains is
// what the process really keeps.
long live_rss_kb() {
  ::malloc_trim(0);
  return self_rss_kb();
}

// Bytes the allocator has handed out and not had back, over every arena and
// mmap'd chunk: unlike RSS, blind to pages it merely keeps for reuse.
long heap_in_use_kb() {
  const struct mallinfo2 m = ::mallinfo2();
  return static_cast<long>((m.uordblks + m.hblkhd) / 1024);
}

TEST(EngineLeak, RssAndFdsFlatOverRequestsAndChurn) {
  if (::access(kNghttpd, X_OK) != 0) GTEST_FAIL() << "nghttpd not installed (ci/deps.sh installs nghttp2-server)";
  const std::uint16_t port = unused_port();
  const std::string dir = temp_dir() + "/leak-www";
  run_command("mkdir -p " + dir);
  std::ofstream(dir + "/f.html") << std::string(512, 'a');
  ChildProcess server({kNghttpd, "--no-tls", "-d", dir, std::to_string(port)}, dir + ".log");
  ASSERT_TRUE(wait_for_port(port, 5000));
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/f.html";

  auto round = [&](std::uint64_t n, std::uint32_t clients) {
    auto run = run_bench(url, [&](workloads::BenchPlan& p, load::RunnerOptions&) {
      p.requests = n;
      p.clients = clients;
      p.max_streams = 8;
    });
    EXPECT_EQ(run.counters().requests_succeeded, n);
  };
  // Each round builds a fresh runner (threads, ~1.5 MB of histograms per
  // worker) and frees it; the allocator keeps some of that as a high-water
  // mark. So warm up with exactly the shapes measured below, then require
  // that doing the same again -- many more requests, many more connections --
  // grows nothing: a leak scales with the work, a high-water mark does not.
  round(60000, 16);
  for (int i = 0; i < 5; ++i) round(1000, 32);
  const long rss0 = live_rss_kb();
  const long heap0 = heap_in_use_kb();
  const int fds0 = self_fd_count();

  // 120,000 more requests: memory must not grow with -n.
  round(60000, 16);
  round(60000, 16);
  const long rss1 = live_rss_kb();
  const long heap1 = heap_in_use_kb();
  EXPECT_EQ(self_fd_count(), fds0);

  // Connection churn: 2 x 10 rounds x 32 new connections. A leak per
  // connection grows both halves alike; what the first half settles (runner
  // and thread start-up state) the second must not add to.
  for (int i = 0; i < 10; ++i) round(1000, 32);
  const long rss_half = live_rss_kb();
  const long heap_half = heap_in_use_kb();
  for (int i = 0; i < 10; ++i) round(1000, 32);
  const long rss2 = live_rss_kb();
  const long heap2 = heap_in_use_kb();
  EXPECT_EQ(self_fd_count(), fds0);
  std::printf("live RSS kB: start %ld, after 120k requests %ld, after 320 conns %ld, after 640 conns %ld\n", rss0,
              rss1, rss_half, rss2);
  std::printf("heap in use kB: start %ld, after 120k requests %ld, after 320 conns %ld, after 640 conns %ld\n", heap0,
              heap1, heap_half, heap2);

  // The exact test: what is allocated and not freed. 120,000 requests at
  // h2load's ~40 bytes each would be 4.6 MiB; 1 byte per request is 117 KiB;
  // 200 bytes per connection over the last 320 is 62 KiB.
  EXPECT_LT(heap1 - heap0, 128) << "heap in use grew from " << heap0 << " to " << heap1 << " kB over 120k requests";
  EXPECT_LT(heap2 - heap_half, 64) << "heap in use grew from " << heap_half << " to " << heap2
                                   << " kB over the last 320 connections";
  // RSS also sees what the allocator keeps: it may take one step (a new
  // arena heap, a fragmented page run) anywhere, but a leak of 8 bytes per
  // request or 1.6 KiB per connection grows it steadily, so both halves of
  // the churn would grow.
  EXPECT_LT(rss1 - rss0, 1024) << "RSS grew from " << rss0 << " to " << rss1 << " kB over 120k requests";
  EXPECT_LT(std::min(rss_half - rss1, rss2 - rss_half), 512)
      << "RSS grew in both halves of the churn: " << rss1 << " -> " << rss_half << " -> " << rss2 << " kB";
}

}  // namespace
}  // namespace h2soak::tests
