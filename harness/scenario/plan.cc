#include "harness/scenario/plan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace {

std::uint32_t saturate(std::uint64_t v) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, std::numeric_limits<std::uint32_t>::max()));
}

// "https://h:1/x" → "https://h:1".
std::string origin(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string absolute(const std::string& url_or_path, const std::string& target_url) {
  if (!url_or_path.empty() && url_or_path[0] == '/') return origin(target_url) + url_or_path;
  return url_or_path;
}

// Keeps the first `budget` of the windows (bench `duration`).
std::vector<Window> truncate(const std::vector<Window>& windows, Nanos budget) {
  std::vector<Window> out;
  for (const auto& w : windows) {
    if (budget.count() <= 0) break;
    Nanos len = std::min(w.end - w.start, budget);
    out.push_back({w.start, w.start + len});
    budget -= len;
  }
  return out;
}

}  // namespace

void size_workload(PlannedWorkload& pw) {
  std::uint64_t conns = 0, streams = 0;
  if (const auto* t = std::get_if<TabsWorkload>(&pw.params)) {
    std::uint64_t assets = t->assets == AssetMode::kParse  ? kAssetsPerPageEstimate
                           : t->assets == AssetMode::kList ? t->asset_paths.size()
                                                           : 0;
    conns = std::uint64_t{t->users} * t->connections_per_user;
    streams = std::uint64_t{t->users} * t->tabs_per_user * (1 + assets + (t->sse ? 1 : 0));
  } else if (const auto* s = std::get_if<SseWorkload>(&pw.params)) {
    conns = (std::uint64_t{s->streams} + s->streams_per_connection - 1) / s->streams_per_connection;
    streams = s->streams;
  } else if (const auto* u = std::get_if<UploadWorkload>(&pw.params)) {
    conns = u->connections;
    streams = u->concurrency ? *u->concurrency : u->max_in_flight;
  } else if (const auto* sc = std::get_if<ShortConnectionsWorkload>(&pw.params)) {
    conns = sc->max_in_flight;
    streams = sc->max_in_flight;
  } else if (const auto* id = std::get_if<IdleWorkload>(&pw.params)) {
    conns = id->connections;
    double sending = 1.0 - id->no_tls_handshake - id->no_request;
    streams = static_cast<std::uint64_t>(std::llround(std::max(0.0, sending) * id->connections));
  } else if (const auto* b = std::get_if<BenchWorkload>(&pw.params)) {
    conns = b->clients;
    streams = std::uint64_t{b->clients} * b->max_streams;
  }
  pw.max_connections = saturate(conns);
  pw.max_streams = saturate(streams);
}

std::string substitute_port(std::string_view url, std::uint16_t port) {
  std::string out(url);
  const std::string placeholder = kPortPlaceholder;
  const std::string value = std::to_string(port);
  for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + value.size())) {
    out.replace(at, placeholder.size(), value);
  }
  return out;
}

const PlannedPhase* Plan::phase(std::string_view phase_name) const {
  for (const auto& p : phases) {
    if (p.name == phase_name) return &p;
  }
  return nullptr;
}

const PlannedPhase* Plan::phase_at(Nanos offset) const {
  for (const auto& p : phases) {
    if (offset >= p.start && offset < p.end()) return &p;
  }
  return nullptr;
}

std::string Plan::phase_name_at(double seconds) const {
  if (seconds < 0) return "before load";
  const auto* p = phase_at(std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(seconds)));
  return p != nullptr ? p->name : "after the last phase";
}

namespace {

bool modulated(WorkloadKind kind) { return kind != WorkloadKind::kIdle; }

// Main effects on rows of odd popcount (1, 2, 4, 7, 8, 11, ...): the
// interaction of two workloads (a leak that needs both, such as heap
// fragmentation between retained bodies and page allocations) shows on the
// row a XOR b, of even popcount, so it is never mistaken for a third
// workload's own effect (a resolution IV design). An order of 2K holds K such
// rows.
std::uint32_t order_for(std::uint32_t modulated) {
  std::uint32_t order = 2;
  while (order < 2 * modulated) order *= 2;
  return order;
}

// The k-th (1-based) positive integer of odd popcount.
std::uint32_t walsh_row(std::uint32_t k) {
  std::uint32_t row = 0;
  while (k > 0) {
    ++row;
    if (std::popcount(row) % 2 == 1) --k;
  }
  return row;
}

// `windows` with the interval `cut` removed.
std::vector<Window> cut_out(const std::vector<Window>& windows, Window cut) {
  std::vector<Window> out;
  for (const auto& w : windows) {
    if (w.end <= cut.start || w.start >= cut.end) {
      out.push_back(w);
      continue;
    }
    if (w.start < cut.start) out.push_back({w.start, cut.start});
    if (w.end > cut.end) out.push_back({cut.end, w.end});
  }
  return out;
}

}  // namespace

std::uint32_t attribution_min_slots(std::uint32_t modulated) {
  const std::uint32_t period = 2 * order_for(modulated);
  // An intercept, two columns per workload (its events, its on/off steps),
  // and 2 degrees of freedom left.
  const std::uint32_t need = 2 * modulated + 3;
  return (need + period - 1) / period * period;
}

bool walsh_on(std::uint32_t row, std::uint32_t slot, std::uint32_t order) {
  return std::popcount(row & (slot % order)) % 2 == 0;
}

AttributionLayout attribution_layout(const Scenario& s) {
  AttributionLayout a;
  if (!s.attribution.enabled) return a;
  for (const auto& w : s.workloads) a.modulated += modulated(w.kind()) ? 1 : 0;
  if (a.modulated == 0) return a;
  a.order = order_for(a.modulated);
  const Phase* steady = s.phase(kSteady);
  if (steady == nullptr) return a;
  const auto steady_s = std::chrono::duration_cast<std::chrono::seconds>(steady->duration).count();
  const std::uint32_t need = attribution_min_slots(a.modulated);
  const std::uint32_t period = 2 * a.order;
  auto slots_of = [&](std::int64_t slot_s) {
    return static_cast<std::uint32_t>(steady_s / slot_s) / period * period;
  };
  std::int64_t slot_s = std::chrono::duration_cast<std::chrono::seconds>(s.attribution.slot).count();
  if (slot_s <= 0) {
    // Long slots carry more events above the noise; more slots give the
    // interval more degrees of freedom. One round of the pattern, slots of
    // 1..5 s, shorter when steady is too short for the slots needed.
    slot_s = std::clamp<std::int64_t>(steady_s / period, 1, 5);
    while (slot_s > 1 && slots_of(slot_s) < need) --slot_s;
  }
  a.slot = std::chrono::seconds(slot_s);
  a.slots = slots_of(slot_s);
  if (a.slots < need) a.slots = 0;
  return a;
}

Result<Plan> make_plan(const Scenario& s) {
  if (auto ok = validate_scenario(s); !ok) return ok.error();
  Plan plan;
  plan.scenario_name = s.name;
  plan.source_file = s.source_file;
  plan.scenario_hash = scenario_hash(s);
  plan.target = s.target;
  plan.ready_url = absolute(s.target.ready_url, s.target.url);
  plan.metrics_url = s.sample.metrics_url.empty() ? "" : absolute(s.sample.metrics_url, s.target.url);
  plan.port_from_stdout = s.target.url.find(kPortPlaceholder) != std::string::npos;
  plan.sample = s.sample;

  Nanos at{};
  for (const auto& p : s.phases) {
    plan.phases.push_back({p.name, at, p.duration, p.load});
    if (p.load && p.duration.count() > 0) {
      if (!plan.load_windows.empty() && plan.load_windows.back().end == at) {
        plan.load_windows.back().end = at + p.duration;
      } else {
        plan.load_windows.push_back({at, at + p.duration});
      }
    }
    at += p.duration;
  }
  plan.total_duration = at;
  const PlannedPhase* steady = plan.phase(kSteady);
  const PlannedPhase* cooldown = plan.phase(kCooldown);
  plan.steady = {steady->start, steady->end()};
  plan.cooldown = {cooldown->start, cooldown->end()};
  const Nanos load_end = plan.load_windows.empty() ? Nanos{} : plan.load_windows.back().end;
  const Nanos load_start = plan.load_windows.empty() ? Nanos{} : plan.load_windows.front().start;

  for (const auto& w : s.workloads) {
    PlannedWorkload pw;
    pw.name = w.name;
    pw.kind = w.kind();
    pw.params = w.params;
    pw.active = plan.load_windows;
    pw.close_at = load_end;
    if (const auto* id = std::get_if<IdleWorkload>(&w.params)) {
      pw.close_at = id->hold ? std::min(load_start + *id->hold, plan.total_duration) : plan.total_duration;
    }
    if (const auto* b = std::get_if<BenchWorkload>(&w.params); b && b->duration) {
      pw.active = truncate(plan.load_windows, *b->duration);
      pw.close_at = pw.active.empty() ? load_start : pw.active.back().end;
    }
    size_workload(pw);
    plan.max_connections = saturate(std::uint64_t{plan.max_connections} + pw.max_connections);
    plan.max_streams = saturate(std::uint64_t{plan.max_streams} + pw.max_streams);
    plan.workloads.push_back(std::move(pw));
  }
  plan.thresholds = s.thresholds;
  plan.regression = s.regression;
  plan.modulation = attribution_layout(s);
  if (plan.modulation.slots > 0) {
    std::uint32_t k = 0;
    for (auto& pw : plan.workloads) {
      if (!modulated(pw.kind)) continue;
      const std::uint32_t row = walsh_row(++k);
      for (std::uint32_t slot = 0; slot < plan.modulation.slots; ++slot) {
        const bool on = walsh_on(row, slot / 2, plan.modulation.order);
        pw.pattern.push_back(on ? '+' : '-');
        const Nanos from = plan.steady.start + slot * plan.modulation.slot;
        if (!on) pw.active = cut_out(pw.active, {from, from + plan.modulation.slot});
      }
    }
  }
  return plan;
}

}  // namespace h2soak::scenario
