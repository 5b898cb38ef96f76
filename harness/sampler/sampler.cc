#include "harness/sampler/sampler.h"

#include <unistd.h>

#include <utility>

namespace h2soak::sampler {

Result<std::unique_ptr<Sampler>> Sampler::create(SamplerOptions options, TimePoint run_start) {
  if (options.interval <= Nanos::zero()) return Error("sample interval must be positive");
  if (!options.metrics_url.empty() && options.scrape_interval <= Nanos::zero())
    return Error("scrape interval must be positive");
  if (options.metrics_url.empty() && !options.gauges.empty())
    return Error("gauges were named but no metrics URL was given");
  std::optional<ProcReader> reader;
  if (options.pid != 0) {
    auto opened = ProcReader::open(options.pid);
    if (!opened) return Error("cannot sample pid " + std::to_string(options.pid) + ": " + opened.error().message());
    reader = std::move(*opened);
  } else if (!options.metrics_url.empty()) {
    return Error("a metrics URL needs a process to sample: gauges are recorded on its samples");
  }
  std::unique_ptr<Sampler> s(new Sampler(std::move(options), run_start, std::move(reader)));
  if (!s->options_.metrics_url.empty()) {
    auto scraper = Scraper::create(s->options_.metrics_url, s->options_.gauges, s->options_.scrape_timeout,
                                   s->options_.insecure);
    if (!scraper) return scraper.error();
    s->scraper_ = std::move(*scraper);
  }
  return s;
}

Sampler::Sampler(SamplerOptions options, TimePoint run_start, std::optional<ProcReader> reader)
    : options_(std::move(options)), run_start_(run_start), reader_(std::move(reader)) {
  auto secs = [](Nanos d) { return std::chrono::duration<double>(d).count(); };
  series_.pid = options_.pid;
  series_.interval = secs(options_.interval);
  series_.pss_interval = options_.pss_every ? secs(options_.interval) * options_.pss_every : 0;
  series_.scrape_interval = options_.metrics_url.empty() ? 0 : secs(options_.scrape_interval);
  series_.metrics_url = options_.metrics_url;
  series_.gauge_names = options_.gauges;
  series_.fds_readable = !reader_ || reader_->fds_readable();
}

Sampler::~Sampler() {
  if (started_ && !stopped_) (void)stop();
}

void Sampler::set_on_vanished(std::function<void(double)> callback) { on_vanished_ = std::move(callback); }

Status Sampler::start() {
  if (started_) return Error("sampler already started");
  if (!reader_) {  // no process: phase marks only
    started_ = true;
    return {};
  }
  Sample first;
  TimePoint t = now();
  if (auto st = reader_->read(first, options_.pss_every != 0); !st) return st;
  first.t = since_start(t);
  {
    std::lock_guard lock(mu_);
    series_.samples.reserve(4096);
    series_.samples.push_back(std::move(first));
  }
  started_ = true;
  sample_thread_ = std::thread([this] { sample_loop(); });
  if (scraper_) scrape_thread_ = std::thread([this] { scrape_loop(); });
  return {};
}

void Sampler::sample_loop() {
  sampler_tid_.store(static_cast<int>(::gettid()));
  const Nanos interval = options_.interval;
  TimePoint next = now() + interval;
  std::uint64_t tick = 1;
  std::unique_lock lock(mu_);
  for (;;) {
    if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
    lock.unlock();

    TimePoint t = now();
    Sample s;
    bool with_pss = options_.pss_every != 0 && tick % options_.pss_every == 0;
    Status st = reader_->read(s, with_pss);
    s.t = since_start(t);
    ++tick;
    // Keep the grid: if we woke more than a whole interval late (machine
    // overloaded), skip the missed ticks and count them rather than bunch up.
    next += interval;
    std::uint64_t late = 0;
    while (next <= t) {
      next += interval;
      ++late;
    }

    lock.lock();
    series_.late_ticks += late;
    if (!st) {
      if (reader_->vanished()) {
        series_.target_vanished = true;
        series_.vanished_at = s.t;
        vanished_.store(true);
        lock.unlock();
        cv_.notify_all();  // lets the scrape thread end too
        if (on_vanished_) on_vanished_(s.t);
        return;
      }
      // A transient read error (should not happen with open handles): skip the tick.
      continue;
    }
    if (pending_gauges_) {
      s.gauges = std::move(*pending_gauges_);
      pending_gauges_.reset();
    }
    series_.samples.push_back(std::move(s));
  }
}

void Sampler::scrape_loop() {
  scraper_tid_.store(static_cast<int>(::gettid()));
  std::unique_lock lock(mu_);
  TimePoint next = now();
  for (;;) {
    if (cv_.wait_until(lock, next, [this] { return stopping_ || vanished_.load(); })) return;
    lock.unlock();
    auto got = scraper_->scrape();
    next += options_.scrape_interval;
    TimePoint t = now();
    while (next <= t) next += options_.scrape_interval;
    lock.lock();
    if (got) {
      pending_gauges_ = std::move(*got);
    } else {
      ++series_.scrape_failures;
    }
  }
}

void Sampler::close_open_phase_locked(double t) {
  if (!series_.phases.empty() && series_.phases.back().end < 0) series_.phases.back().end = t;
}

void Sampler::begin_phase(const std::string& name) {
  double t = since_start(now());
  std::lock_guard lock(mu_);
  close_open_phase_locked(t);
  series_.phases.push_back(PhaseMark{name, t, -1});
}

void Sampler::end_phase() {
  double t = since_start(now());
  std::lock_guard lock(mu_);
  close_open_phase_locked(t);
}

SampleSeries Sampler::stop() {
  if (stopped_) return {};
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (sample_thread_.joinable()) sample_thread_.join();
  if (scrape_thread_.joinable()) scrape_thread_.join();
  stopped_ = true;
  double t = since_start(now());
  std::lock_guard lock(mu_);
  close_open_phase_locked(t);
  // A scrape that finished after the last tick still counts.
  if (pending_gauges_ && !series_.samples.empty() && series_.samples.back().gauges.empty())
    series_.samples.back().gauges = std::move(*pending_gauges_);
  return std::move(series_);
}

std::optional<Sample> Sampler::latest() const {
  std::lock_guard lock(mu_);
  if (series_.samples.empty()) return std::nullopt;
  return series_.samples.back();
}

}  // namespace h2soak::sampler
