#pragma once
// The Plan: what the runner executes, as a plain value (STYLE.md habit 4 —
// parse, validate, plan, all before any socket opens). make_plan() in
// loader.h builds it from a validated Scenario; unit tests check it without a
// network. Times are offsets from the run's time zero, which the runner puts
// at the moment the sampler has its first sample and load may start (after
// the target is ready).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/util/clock.h"

namespace h2soak::scenario {

struct PlannedPhase {
  std::string name;
  Nanos start{};     // offset from time zero
  Nanos duration{};
  bool load = true;
  Nanos end() const { return start + duration; }
  bool operator==(const PlannedPhase&) const = default;
};

// A half-open interval [start, end) of offsets.
struct Window {
  Nanos start{};
  Nanos end{};
  bool operator==(const Window&) const = default;
};

struct PlannedWorkload {
  std::string name;
  WorkloadKind kind = WorkloadKind::kTabs;
  WorkloadParams params;  // copied from the scenario, defaults resolved
  // Connections this workload keeps open at the same time at most:
  //   tabs   users × connections_per_user (+ nothing for sse: tabs' streams
  //          share their user's connections)
  //   sse    ceil(streams / streams_per_connection)
  //   upload connections
  //   short  max_in_flight
  //   idle   connections
  //   bench  clients
  std::uint32_t max_connections = 0;
  // Concurrent streams at most (an estimate where the server decides: tabs
  // count kAssetsPerPageEstimate assets per page in AssetMode::kParse):
  //   tabs   users × tabs_per_user × (1 + assets + sse?1:0)
  //   sse    streams
  //   upload concurrency, or max_in_flight in the open model
  //   short  max_in_flight × 1
  //   idle   connections that send a request (at most one each)
  //   bench  clients × max_streams
  std::uint32_t max_streams = 0;
  // When the workload may start new work: the load windows. The runner stops
  // starting work at the end of each window and lets in-flight requests
  // finish (or cancels them; the engine decides and counts them).
  std::vector<Window> active;
  // Attribution runs only: on ('+') or off ('-') in each slot of
  // Plan::modulation; empty for a workload that is not modulated (idle) and
  // in every other run. `active` already has the off slots cut out.
  std::string pattern;
  // When its connections are finally closed by the client: the end of the
  // last load window for most kinds; for idle, start + hold (clipped to the
  // run's end) or the run's end when hold is absent.
  Nanos close_at{};
  // Open models with constant arrivals (upload `rate`, short_connections,
  // bench `rate`): the first arrival of each load window comes this long
  // after the window starts. 0 except in a shard (shard.h): shard i of N
  // gets i / rate, so that the N shards' arrivals interleave.
  Nanos arrival_offset{};
  bool operator==(const PlannedWorkload&) const = default;
};

// Sets max_connections and max_streams from the params (the rules above).
void size_workload(PlannedWorkload& pw);

// The slots of an attribution run (Scenario::attribution): `slots` slots of
// `slot` each from the start of steady. Workload k (1-based among the
// modulated ones) is on in slot s when walsh_on(row, s / 2, order), row the
// k-th number of odd popcount (1, 2, 4, 7, 8, ...: two workloads' interaction
// never aliases a third one's effect, docs/attribution.md): each
// element of its Walsh row lasts two slots, so that a level that follows the
// on/off state (connections open while a workload runs) can be told from a
// growth per event (which keeps adding in the second slot). `slots` is a
// multiple of 2 × order, where order is the size of the Hadamard matrix (the
// smallest power of two at least twice the number of modulated workloads), and leaves
// the estimator at least 2 degrees of freedom. slots == 0: steady is too
// short (validation says so).
struct AttributionLayout {
  Nanos slot{};
  std::uint32_t slots = 0;
  std::uint32_t order = 0;
  std::uint32_t modulated = 0;  // workloads switched on and off (all but idle)
  bool operator==(const AttributionLayout&) const = default;
};
AttributionLayout attribution_layout(const Scenario& s);
// The fewest slots `modulated` workloads need (a multiple of the order).
std::uint32_t attribution_min_slots(std::uint32_t modulated);
// Row `row` (1-based: row 0 is all on) of the Sylvester-Hadamard matrix of
// size `order` at slot `slot`: on iff popcount(row & (slot mod order)) is even.
bool walsh_on(std::uint32_t row, std::uint32_t slot, std::uint32_t order);

// Assets per page assumed for estimates when assets are parsed from HTML
// (the reference server links about 10 per page).
inline constexpr std::uint32_t kAssetsPerPageEstimate = 10;

struct Plan {
  std::string scenario_name;
  std::string source_file;
  // scenario_hash() of the scenario (see loader.h); result JSON and baselines
  // carry it; compare refuses a baseline with another hash.
  std::string scenario_hash;

  // The target as decoded. `url`, `ready_url` and `metrics_url` are absolute
  // here (a leading '/' was joined to the url's scheme://host:port) but may
  // still contain kPortPlaceholder: see port_from_stdout.
  Target target;
  std::string ready_url;
  std::string metrics_url;  // "" when no scrape
  // True when the url contains kPortPlaceholder: read the port from the
  // spawned process's stdout's first line, then substitute_port() every URL.
  bool port_from_stdout = false;

  Sample sample;
  std::vector<PlannedPhase> phases;  // contiguous, in order, first starts at 0
  std::vector<Window> load_windows;  // merged runs of consecutive load phases
  Window steady;                     // where rates, latencies and slopes are measured
  Window cooldown;                   // residuals are read at its end
  Nanos total_duration{};            // end of the last phase = end of the run
  std::vector<PlannedWorkload> workloads;
  std::uint32_t max_connections = 0;  // sum over workloads
  std::uint32_t max_streams = 0;      // sum over workloads
  std::vector<Threshold> thresholds;
  Regression regression;
  // Attribution runs only (slots == 0 otherwise): the first slot starts at
  // steady.start.
  AttributionLayout modulation;

  const PlannedPhase* phase(std::string_view name) const;
  // The phase running at `offset` (nullptr past the end).
  const PlannedPhase* phase_at(Nanos offset) const;
  // Its name at `seconds` since load time zero, for messages: "before load"
  // before the first phase, "after the last phase" past the end.
  std::string phase_name_at(double seconds) const;
  bool operator==(const Plan&) const = default;
};

// Replaces every kPortPlaceholder in `url` by `port`.
std::string substitute_port(std::string_view url, std::uint16_t port);

}  // namespace h2soak::scenario
