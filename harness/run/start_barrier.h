#pragma once
// When a run's time zero falls: the sampler's lead before it, and the start
// barrier (`--start-at`) that lets N shards of one run (`run --shard i/N`)
// and the sampler agent beside the target (sample_agent.h) begin their
// phases at one wall-clock moment (docs/run.md, "Starting together").
//
// Who calls: the runner (runner.cc) and the sampler agent, after the target
// is ready and before the sampler starts; the CLI parses `--start-at` with
// parse_start_at() before anything starts (a refusal is a usage error).
//
// Time: the barrier is wall-clock (seconds since the epoch, so that several
// processes, on one machine or on several with synchronised clocks, agree);
// it is mapped once onto the steady clock, which every wait then uses, so a
// wall-clock step during the wait does not move time zero.

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::run {

// How far a --start-at may lie from the moment it is parsed.
inline constexpr double kStartAtMaxPast = 1.0;       // seconds: a barrier just passed still starts at once
inline constexpr double kStartAtMaxFuture = 3600.0;  // seconds: a longer wait is a typo

// "UNIX_SECONDS" (e.g. "1718000000" or "1718000000.250") or "+S" (S seconds
// from `now_unix`, e.g. "+5" or "+2.5") into an absolute wall-clock time.
// Errors (for a usage error naming `option` as the caller spells it:
// "--start-at: ...", h2soak.bench's "start_at: ..."): not a number, a time
// more than kStartAtMaxPast before `now_unix` or more than kStartAtMaxFuture
// after it. Pure.
Result<double> parse_start_at(std::string_view text, double now_unix, std::string_view option = "--start-at");

// The runner's rule for how long the sampler runs before time zero, so the
// analysis has a level from before the load: 6 intervals + 20 ms, at least
// 300 ms.
Nanos sampler_lead(Nanos interval);

// Where time zero lies on the steady clock, seen at (`now`, `now_unix`), the
// same moment on both clocks. Without a barrier: `lead` from now. With one:
// the barrier's moment, but not sooner than `min_lead` from now (a barrier
// already passed, or too close for the sampler to start first, starts late;
// the lag is recorded). Pure.
TimePoint time_zero(TimePoint now, double now_unix, std::optional<double> start_at, Nanos lead, Nanos min_lead);

// Blocks until `until` (steady clock), waking every 50 ms to check `stop`
// (may be null) and `alive` (may be empty). Returns false as soon as either
// says to give up, true once `until` is reached.
bool wait_until(TimePoint until, const std::atomic<bool>* stop, const std::function<bool()>& alive);

// The barrier as recorded in a result's metadata.extra: "start_at" (the
// planned start, seconds since the epoch, 3 decimals) and "start_lag_ms"
// (the actual start_unix minus the barrier, ms, 1 decimal; negative if it
// started early). Nothing without a barrier. Pure.
void record_start_at(std::optional<double> start_at, double actual_start_unix,
                     std::map<std::string, std::string>& extra);

}  // namespace h2soak::run
