#include "harness/scenario/shard.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

namespace h2soak::scenario {
namespace {

std::uint32_t split32(std::uint32_t total, unsigned index, unsigned count) {
  return static_cast<std::uint32_t>(shard_count(total, index, count));
}

// A capacity: split, but at least 1 in a shard that has load to carry.
std::uint32_t capacity(std::uint32_t total, unsigned index, unsigned count) {
  return std::max<std::uint32_t>(1, split32(total, index, count));
}

Nanos seconds_to_nanos(double s) {
  return std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(s));
}

// Shard `index`'s first arrival after the window start: its slot in the
// unsharded schedule (arrivals every 1/rate; shard i takes i, i+N, i+2N...).
Nanos offset_for(double total_rate, unsigned index) {
  return total_rate > 0 ? seconds_to_nanos(index / total_rate) : Nanos{};
}

// Splits pw.params in place; returns false when this shard has no load of
// this workload (every count 0).
bool split_params(PlannedWorkload& pw, unsigned i, unsigned n) {
  if (auto* t = std::get_if<TabsWorkload>(&pw.params)) {
    t->users = split32(t->users, i, n);
    return t->users > 0;
  }
  if (auto* s = std::get_if<SseWorkload>(&pw.params)) {
    s->streams = split32(s->streams, i, n);
    return s->streams > 0;
  }
  if (auto* u = std::get_if<UploadWorkload>(&pw.params)) {
    if (u->rate) {
      pw.arrival_offset = offset_for(*u->rate, i);
      *u->rate /= n;
    } else if (u->concurrency) {
      *u->concurrency = split32(*u->concurrency, i, n);
      if (*u->concurrency == 0) {
        u->connections = 0;
        u->max_in_flight = 0;
        return false;
      }
    }
    u->connections = capacity(u->connections, i, n);
    u->max_in_flight = capacity(u->max_in_flight, i, n);
    return true;
  }
  if (auto* sc = std::get_if<ShortConnectionsWorkload>(&pw.params)) {
    pw.arrival_offset = offset_for(sc->rate, i);
    sc->rate /= n;
    sc->max_in_flight = capacity(sc->max_in_flight, i, n);
    return true;
  }
  if (auto* id = std::get_if<IdleWorkload>(&pw.params)) {
    id->connections = split32(id->connections, i, n);
    return id->connections > 0;
  }
  if (auto* b = std::get_if<BenchWorkload>(&pw.params)) {
    bool loaded = true;
    if (b->requests) {
      *b->requests = shard_count(*b->requests, i, n);
      loaded = *b->requests > 0;
    }
    if (b->rate) {
      pw.arrival_offset = loaded ? offset_for(*b->rate, i) : Nanos{};
      *b->rate /= n;
    }
    if (b->requests || b->rate) {
      // Clients carry the requests or the rate: at least 1 where there is load.
      b->clients = loaded ? capacity(b->clients, i, n) : 0;
    } else {
      b->clients = split32(b->clients, i, n);  // closed model: the clients are the load
      loaded = b->clients > 0;
    }
    return loaded;
  }
  return true;
}

}  // namespace

std::string Shard::str() const { return std::to_string(index + 1) + "/" + std::to_string(count); }

Result<Shard> parse_shard(std::string_view text, std::string_view option) {
  const auto bad = [&] {
    return Error("expected i/N with 1 <= i <= N, got \"" + std::string(text) + "\"", std::string(option));
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  const auto number = [](std::string_view s, unsigned& out) {
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  unsigned i = 0, n = 0;
  if (!number(text.substr(0, slash), i) || !number(text.substr(slash + 1), n)) return bad();
  if (n < 1 || i < 1 || i > n) return bad();
  if (n > kMaxShards) {
    return Error("at most " + std::to_string(kMaxShards) + " shards, got \"" + std::string(text) + "\"",
                 std::string(option));
  }
  return Shard{i - 1, n};
}

std::uint64_t shard_count(std::uint64_t total, unsigned index, unsigned count) {
  if (count == 0) return total;
  return total / count + (index < total % count ? 1 : 0);
}

Result<Plan> shard_plan(const Plan& plan, unsigned index, unsigned count) {
  if (count == 0) return Error("shard_plan: count must be at least 1");
  if (index >= count) {
    return Error("shard_plan: index " + std::to_string(index) + " out of range for " + std::to_string(count) +
                 " shards");
  }
  if (count == 1) return plan;
  Plan out = plan;  // scenario_hash stays the unsharded scenario's
  out.max_connections = 0;
  out.max_streams = 0;
  for (auto& pw : out.workloads) {
    if (!split_params(pw, index, count)) {
      // No share of this workload here: kept, with no load windows.
      pw.active.clear();
      pw.arrival_offset = Nanos{};
    }
    size_workload(pw);
    const auto sum = [](std::uint32_t a, std::uint32_t b) {
      return static_cast<std::uint32_t>(
          std::min<std::uint64_t>(std::uint64_t{a} + b, std::numeric_limits<std::uint32_t>::max()));
    };
    out.max_connections = sum(out.max_connections, pw.max_connections);
    out.max_streams = sum(out.max_streams, pw.max_streams);
  }
  return out;
}

}  // namespace h2soak::scenario
