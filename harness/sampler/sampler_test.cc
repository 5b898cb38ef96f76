#include "harness/sampler/sampler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness/sampler/proc_parse.h"

namespace h2soak::sampler {
namespace {

using namespace std::chrono_literals;

// A minimal HTTP/1.1 server on 127.0.0.1 for scrape tests: answers every
// request with `body`, or, when `hang` is set, accepts and never answers.
class TinyHttpServer {
 public:
  TinyHttpServer(std::string body, bool hang) : body_(std::move(body)), hang_(hang) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/metrics"; }
  int requests() const { return requests_.load(); }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      if (hang_) {
        held_.push_back(c);
        ++requests_;
        continue;
      }
      // Serve keep-alive requests on this connection until the client closes it.
      std::string in;
      char buf[4096];
      while (!stop_) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 20) <= 0) continue;
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        std::size_t end;
        while ((end = in.find("\r\n\r\n")) != std::string::npos) {
          in.erase(0, end + 4);
          ++requests_;
          std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                             std::to_string(body_.size()) + "\r\n\r\n" + body_;
          (void)!::write(c, resp.data(), resp.size());
        }
      }
      ::close(c);
    }
  }
  std::string body_;
  bool hang_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::vector<int> held_;
  std::thread thread_;
};

TEST(Sampler, SamplesItselfAtTheIntervalWithPhases) {
  SamplerOptions o;
  o.pid = ::getpid();
  o.interval = 20ms;
  o.pss_every = 5;
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto& sampler = *s.value();
  auto started = now();
  ASSERT_TRUE(sampler.start().ok());
  sampler.begin_phase("warmup");
  std::this_thread::sleep_for(200ms);
  sampler.begin_phase("steady");
  // Grow RSS and open fds while sampling.
  std::vector<char> block(32 << 20, 1);
  std::vector<int> fds;
  for (int i = 0; i < 50; ++i) fds.push_back(::dup(0));
  std::this_thread::sleep_for(200ms);
  auto mid = sampler.latest();
  ASSERT_TRUE(mid.has_value());
  EXPECT_GT(mid->rss, 32u << 20);
  sampler.begin_phase("cooldown");
  std::this_thread::sleep_for(100ms);
  SampleSeries series = sampler.stop();
  double elapsed = seconds_between(started, now());
  for (int fd : fds) ::close(fd);

  EXPECT_EQ(series.pid, ::getpid());
  EXPECT_FALSE(series.target_vanished);
  EXPECT_TRUE(series.fds_readable);
  // One sample per 20 ms of wall time, give or take a loaded machine.
  double expected = elapsed / 0.020;
  EXPECT_GE(static_cast<double>(series.samples.size()), 0.6 * expected);
  EXPECT_LE(static_cast<double>(series.samples.size()), expected + 2);
  ASSERT_EQ(series.phases.size(), 3u);
  EXPECT_EQ(series.phases[0].name, "warmup");
  EXPECT_EQ(series.phases[1].name, "steady");
  EXPECT_EQ(series.phases[2].name, "cooldown");
  EXPECT_DOUBLE_EQ(series.phases[0].end, series.phases[1].start);
  EXPECT_GT(series.phases[2].end, series.phases[2].start);
  int pss_ticks = 0;
  std::uint64_t max_fds = 0, max_rss = 0;
  for (std::size_t i = 0; i < series.samples.size(); ++i) {
    const auto& x = series.samples[i];
    if (i) {
      EXPECT_GT(x.t, series.samples[i - 1].t);
      EXPECT_GE(x.threads, 2u);  // the test thread and the sampler thread
    }
    EXPECT_GT(x.rss, 0u);
    EXPECT_GE(x.hwm, x.rss);
    if (x.pss) ++pss_ticks;
    max_fds = std::max(max_fds, x.fds);
    max_rss = std::max(max_rss, x.rss);
  }
  EXPECT_GE(pss_ticks, 2);
  EXPECT_LT(pss_ticks, static_cast<int>(series.samples.size()) / 2);
  EXPECT_GE(max_fds, series.samples.front().fds + 50);
  EXPECT_GE(max_rss, series.samples.front().rss + (30u << 20));
  EXPECT_FALSE(block.empty());
}

pid_t fork_sleeper(int ms) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    ::_exit(0);
  }
  return pid;
}

TEST(Sampler, DetectsTargetVanishingWhenReaped) {
  pid_t child = fork_sleeper(200);
  ASSERT_GT(child, 0);
  SamplerOptions o;
  o.pid = child;
  o.interval = 20ms;
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::atomic<int> calls{0};
  std::atomic<double> when{-1};
  (*s)->set_on_vanished([&](double t) { ++calls; when = t; });
  ASSERT_TRUE((*s)->start().ok());
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  for (int i = 0; i < 100 && !(*s)->target_vanished(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE((*s)->target_vanished());
  SampleSeries series = (*s)->stop();
  EXPECT_TRUE(series.target_vanished);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_GE(when.load(), 0.15);
  EXPECT_DOUBLE_EQ(series.vanished_at, when.load());
  EXPECT_GE(series.samples.size(), 5u);  // what was measured before is kept
}

TEST(Sampler, DetectsTargetVanishingAsZombie) {
  pid_t child = fork_sleeper(100);
  ASSERT_GT(child, 0);
  SamplerOptions o;
  o.pid = child;
  o.interval = 20ms;
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->start().ok());
  for (int i = 0; i < 100 && !(*s)->target_vanished(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE((*s)->target_vanished());  // not reaped yet: a zombie counts as gone
  auto series = (*s)->stop();
  EXPECT_TRUE(series.target_vanished);
  int status = 0;
  ::waitpid(child, &status, 0);
}

TEST(Sampler, RefusesMissingProcessAndBadOptions) {
  SamplerOptions o;
  o.pid = 0x3ffffff0;  // above pid_max
  EXPECT_FALSE(Sampler::create(o, now()).ok());
  o.pid = ::getpid();
  o.gauges = {"go_goroutines"};
  EXPECT_FALSE(Sampler::create(o, now()).ok());  // gauges without a URL
  o.metrics_url = "http://127.0.0.1:1/metrics";
  o.gauges = {"bad{selector"};
  EXPECT_FALSE(Sampler::create(o, now()).ok());
}

TEST(Sampler, WithoutAProcessRecordsPhasesOnly) {
  SamplerOptions o;  // pid 0: a remote target
  o.interval = std::chrono::milliseconds(10);
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE((*s)->start().ok());
  (*s)->begin_phase("warmup");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*s)->begin_phase("steady");
  EXPECT_FALSE((*s)->latest().has_value());
  auto series = (*s)->stop();
  EXPECT_TRUE(series.samples.empty()) << "nothing on this host to read";
  ASSERT_EQ(series.phases.size(), 2u);
  EXPECT_EQ(series.phases[1].name, "steady");
  EXPECT_GE(series.phases[1].start - series.phases[0].start, 0.045);
  EXPECT_GE(series.phases[1].end, series.phases[1].start);
  EXPECT_EQ((*s)->sampler_tid(), 0) << "no sampling thread";

  o.metrics_url = "http://127.0.0.1:1/metrics";
  o.gauges = {"go_goroutines"};
  EXPECT_FALSE(Sampler::create(o, now()).ok()) << "gauges need samples to ride on";
}

TEST(Sampler, ScrapesGaugesAtTheScrapeRate) {
  TinyHttpServer server("# TYPE go_goroutines gauge\ngo_goroutines 42\nconns{state=\"idle\"} 3\nconns{state=\"busy\"} 4\n",
                        false);
  SamplerOptions o;
  o.pid = ::getpid();
  o.interval = 20ms;
  o.metrics_url = server.url();
  o.gauges = {"go_goroutines", "conns", "conns{state=\"idle\"}", "absent_metric"};
  o.scrape_interval = 100ms;
  o.scrape_timeout = 80ms;
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE((*s)->start().ok());
  std::this_thread::sleep_for(550ms);
  auto series = (*s)->stop();
  EXPECT_EQ(series.scrape_failures, 0u);
  int with_gauges = 0;
  for (const auto& x : series.samples) {
    if (x.gauges.empty()) continue;
    ++with_gauges;
    EXPECT_EQ(x.gauges.at("go_goroutines"), 42.0);
    EXPECT_EQ(x.gauges.at("conns"), 7.0);
    EXPECT_EQ(x.gauges.at("conns{state=\"idle\"}"), 3.0);
    EXPECT_EQ(x.gauges.count("absent_metric"), 0u);
  }
  EXPECT_GE(with_gauges, 4);
  EXPECT_LE(with_gauges, 7);
  EXPECT_EQ(series.gauge_names.size(), 4u);
}

TEST(Sampler, HungMetricsEndpointNeverStallsProcSampling) {
  TinyHttpServer server("", true);
  SamplerOptions o;
  o.pid = ::getpid();
  o.interval = 20ms;
  o.metrics_url = server.url();
  o.gauges = {"go_goroutines"};
  o.scrape_interval = 100ms;
  o.scrape_timeout = 300ms;
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->start().ok());
  std::this_thread::sleep_for(700ms);
  auto t0 = now();
  auto series = (*s)->stop();
  EXPECT_LT(seconds_between(t0, now()), 0.5);  // stop waits at most one scrape timeout
  EXPECT_GE(series.scrape_failures, 1u);
  EXPECT_GE(series.samples.size(), 25u);  // ~35 ticks in 700 ms despite the hung scrapes
  for (std::size_t i = 1; i < series.samples.size(); ++i)
    EXPECT_LT(series.samples[i].t - series.samples[i - 1].t, 0.15);
}

// CPU of the sampler thread itself, from /proc/self/task/TID/stat. The
// default run is short; H2SOAK_SAMPLER_OVERHEAD_SECONDS=10 gives the figure
// quoted in the notes. Samples this process at the default 10 Hz, Pss every
// 10th tick, with ~200 open fds and ~20 threads so the reads are realistic.
TEST(Sampler, OverheadAtTenHertz) {
  double seconds = 2.0;
  if (const char* env = std::getenv("H2SOAK_SAMPLER_OVERHEAD_SECONDS")) seconds = std::atof(env);
  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) fds.push_back(::dup(0));
  std::atomic<bool> done{false};
  std::vector<std::thread> idle;
  for (int i = 0; i < 20; ++i)
    idle.emplace_back([&] { while (!done) std::this_thread::sleep_for(50ms); });

  SamplerOptions o;
  o.pid = ::getpid();
  auto s = Sampler::create(o, now());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->start().ok());
  while ((*s)->sampler_tid() == 0) std::this_thread::sleep_for(1ms);
  int tid = (*s)->sampler_tid();
  auto cpu_of_thread = [&]() -> double {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::stringstream ss;
    ss << in.rdbuf();
    auto f = parse_stat(ss.str(), ::sysconf(_SC_CLK_TCK));
    EXPECT_TRUE(f.ok());
    return f.ok() ? f->utime + f->stime : 0;
  };
  // schedstat has nanosecond run time; stat has 10 ms ticks. Prefer the former.
  auto ns_of_thread = [&]() -> double {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/schedstat");
    double ns = -1;
    in >> ns;
    return ns;
  };
  double c0 = cpu_of_thread(), n0 = ns_of_thread();
  auto t0 = now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  double c1 = cpu_of_thread(), n1 = ns_of_thread();
  double wall = seconds_between(t0, now());
  auto series = (*s)->stop();
  done = true;
  for (auto& t : idle) t.join();
  for (int fd : fds) ::close(fd);

  double tick_pct = 100.0 * (c1 - c0) / wall;
  double ns_pct = n0 >= 0 ? 100.0 * (n1 - n0) / 1e9 / wall : -1;
  double per_tick_us = n0 >= 0 ? (n1 - n0) / 1e3 / (wall * 10) : -1;
  std::printf("sampler overhead over %.1f s at 10 Hz: %.3f %% of one core (schedstat run time; "
              "%.3f %% from stat ticks), %.0f us per tick, %zu samples\n",
              wall, ns_pct, tick_pct, per_tick_us, series.samples.size());
  RecordProperty("overhead_percent", std::to_string(ns_pct));
  // The goal is <= 0.5 %; the gate is looser because the machine is shared
  // and a unit test must not flake on a neighbour's compile.
  EXPECT_LT(ns_pct >= 0 ? ns_pct : tick_pct, 2.0);
}

}  // namespace
}  // namespace h2soak::sampler
