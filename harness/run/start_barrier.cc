#include "harness/run/start_barrier.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include <fmt/format.h>

namespace h2soak::run {
namespace {

// A plain decimal number (digits, at most one '.'), nothing around it.
std::optional<double> decimal(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

Result<double> parse_start_at(std::string_view text, double now_unix, std::string_view option) {
  const bool relative = !text.empty() && text.front() == '+';
  const auto value = decimal(relative ? text.substr(1) : text);
  if (!value) {
    return Error(fmt::format("expected UNIX_SECONDS (e.g. {:.0f}) or +SECONDS (e.g. +5), got \"{}\"",
                             std::floor(now_unix) + 10, text),
                 std::string(option));
  }
  const double at = relative ? now_unix + *value : *value;
  if (at < now_unix - kStartAtMaxPast) {
    return Error(fmt::format("{:.3f} is {:.1f} s in the past (now is {:.3f}); pick a time a few seconds "
                             "ahead, the same for every shard and the sampler",
                             at, now_unix - at, now_unix),
                 std::string(option));
  }
  if (at > now_unix + kStartAtMaxFuture) {
    return Error(fmt::format("{:.3f} is {:.0f} s in the future, more than the {:.0f} s allowed "
                             "(seconds since the epoch, not milliseconds?)",
                             at, at - now_unix, kStartAtMaxFuture),
                 std::string(option));
  }
  return at;
}

Nanos sampler_lead(Nanos interval) {
  return std::max<Nanos>(interval * 6 + std::chrono::milliseconds(20), std::chrono::milliseconds(300));
}

TimePoint time_zero(TimePoint now, double now_unix, std::optional<double> start_at, Nanos lead, Nanos min_lead) {
  if (!start_at) return now + lead;
  const auto until = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(*start_at - now_unix));
  return now + std::max(until, min_lead);
}

bool wait_until(TimePoint until, const std::atomic<bool>* stop, const std::function<bool()>& alive) {
  for (;;) {
    if (stop != nullptr && stop->load()) return false;
    if (alive && !alive()) return false;
    const TimePoint t = now();
    if (t >= until) return true;
    std::this_thread::sleep_until(std::min(until, t + std::chrono::milliseconds(50)));
  }
}

void record_start_at(std::optional<double> start_at, double actual_start_unix,
                     std::map<std::string, std::string>& extra) {
  if (!start_at) return;
  extra["start_at"] = fmt::format("{:.3f}", *start_at);
  extra["start_lag_ms"] = fmt::format("{:.1f}", (actual_start_unix - *start_at) * 1000.0);
}

}  // namespace h2soak::run
