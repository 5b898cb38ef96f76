#pragma once
// Scale-out: one scenario's load split across N h2soak processes (`--shard
// i/N` on `h2soak run` and `h2soak baseline record`; docs/run.md,
// "Sharding"). shard_plan() is a pure function of the Plan: shard i of N gets
// 1/N of every workload's load, so that the N shard plans together are the
// unsharded plan. Everything else (phases, windows, thresholds, rules, and
// scenario_hash: shards of one run must merge later) is copied unchanged.
//
// Split rules, per workload (split(x) = x / N + (i < x % N ? 1 : 0), exact:
// the N shares sum to x; rate / N for rates):
//   tabs               users split (tabs_per_user, connections_per_user are per user)
//   sse                streams split (streams_per_connection is per connection)
//   upload             closed model: concurrency split; open model: rate / N;
//                      connections and max_in_flight split, at least 1
//   short_connections  rate / N; max_in_flight split, at least 1
//   idle               connections split (the fractions are kept)
//   bench              requests split (when given), rate / N (when given),
//                      clients split: exact in a closed model without
//                      `requests`, at least 1 otherwise
// "At least 1" is for capacities (connections, in-flight caps, bench clients
// that only carry a rate or a request count): a shard that has a rate or
// requests to send needs somewhere to send them; so those sum to the
// original only when it is at least N (else each loaded shard has 1).
//
// A shard whose share of a workload's load is 0 (1 tab user over 3 shards,
// 2 bench requests over 3) keeps the workload, with every count 0 and no load
// windows (`active` empty): the runner starts nothing for it, and the result
// of every shard names the same workloads (thresholds that name a workload
// still resolve; the later merge lines the shards up by name).
//
// Arrivals: constant-rate open models (upload `rate`, short_connections,
// bench `rate`) get PlannedWorkload::arrival_offset = i / rate (the
// unsharded rate): shard i's arrivals fall between shard i-1's and i+1's, and
// the union keeps the rate and the spacing 1 / rate — provided the shards
// share a time zero (started together). Poisson arrivals need independent
// gaps rather than an offset (a union of independent Poisson processes is a
// Poisson process of the summed rate); no scenario workload uses them today
// (only `h2soak bench --poisson`, whose shards each draw from their own seed:
// run/bench.h, shard_bench_plan()).
//
// `h2soak bench --shard i/N` splits its plan with this same function, as a
// scenario's bench workload (run/bench.h: shard_bench_plan()).

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/plan.h"
#include "harness/util/result.h"

namespace h2soak::scenario {

struct Shard {
  unsigned index = 0;  // 0-based
  unsigned count = 1;
  // "i/N", 1-based as on the command line ("1/2" for index 0 of 2).
  std::string str() const;
  bool operator==(const Shard&) const = default;
};

// Parses the command line's "i/N": 1-based, 1 <= i <= N, N >= 1 (at most
// kMaxShards). Errors name `option`, as the caller spells it (the CLI's flag,
// Python's keyword): `--shard: expected i/N with 1 <= i <= N, got "3/2"`.
inline constexpr unsigned kMaxShards = 1024;
Result<Shard> parse_shard(std::string_view text, std::string_view option = "--shard");

// This shard's part of a count: total / count + (index < total % count).
std::uint64_t shard_count(std::uint64_t total, unsigned index, unsigned count);

// The plan of shard `index` (0-based) of `count`. count == 1 returns the plan
// unchanged. Errors: count == 0, index >= count.
Result<Plan> shard_plan(const Plan& plan, unsigned index, unsigned count);
inline Result<Plan> shard_plan(const Plan& plan, const Shard& shard) {
  return shard_plan(plan, shard.index, shard.count);
}

}  // namespace h2soak::scenario
