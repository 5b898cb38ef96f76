#include "harness/run/merge.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "harness/run/analyze_result.h"
#include "harness/run/batch.h"
#include "harness/run/bench.h"
#include "harness/run/clock_probe.h"
#include "harness/run/generator_check.h"
#include "harness/run/sample_agent.h"
#include "harness/scenario/loader.h"
#include "harness/scenario/shard.h"
#include "harness/workloads/params_text.h"

namespace h2soak::run {
namespace {

// An input with its shard tag, in shard order after validation.
struct Tagged {
  const MergeInput* input = nullptr;
  std::optional<scenario::Shard> shard;  // absent: an unsharded result (a lone input only)
  std::string label() const { return shard ? input->source + " (shard " + shard->str() + ")" : input->source; }
};

Result<std::vector<Tagged>> tag_shards(const std::vector<MergeInput>& inputs) {
  std::vector<Tagged> tagged;
  for (const auto& in : inputs) {
    Tagged t;
    t.input = &in;
    const auto& extra = in.result.metadata.extra;
    if (auto role = extra.find("role"); role != extra.end() && role->second == kSamplerRole) {
      return Error("a sampler agent's result (`h2soak sample`; metadata.extra.role = \"sampler\"), not a shard's: "
                   "pass it with --samples FILE",
                   in.source);
    }
    if (auto it = extra.find("shard"); it != extra.end()) {
      auto shard = scenario::parse_shard(it->second);
      if (!shard) return Error("metadata.extra.shard: " + shard.error().message(), in.source);
      t.shard = *shard;
    } else if (inputs.size() > 1) {
      return Error("not a shard's result (no metadata.extra.shard): with more than one file, every file must be "
                   "written by `h2soak run --shard i/N` (or `bench --shard i/N`)",
                   in.source);
    }
    tagged.push_back(t);
  }
  if (tagged.size() == 1 && !tagged.front().shard) return tagged;  // unsharded: merges into itself

  const Tagged& first = tagged.front();
  const unsigned n = first.shard->count;
  for (const auto& t : tagged) {
    if (t.shard->count != n) {
      return Error(fmt::format("shard {} is one of {} shards, but {} is shard {} of {}: shards of different "
                               "splits do not merge",
                               t.shard->str(), t.shard->count, first.input->source, first.shard->str(), n),
                   t.input->source);
    }
  }
  std::stable_sort(tagged.begin(), tagged.end(),
                   [](const Tagged& a, const Tagged& b) { return a.shard->index < b.shard->index; });
  for (std::size_t i = 1; i < tagged.size(); ++i) {
    if (tagged[i].shard->index == tagged[i - 1].shard->index) {
      return Error("shard " + tagged[i].shard->str() + " given twice (also " + tagged[i - 1].input->source + ")",
                   tagged[i].input->source);
    }
  }
  std::string missing;
  std::size_t next = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (next < tagged.size() && tagged[next].shard->index == i) {
      ++next;
    } else {
      missing += (missing.empty() ? "" : ", ") + scenario::Shard{i, n}.str();
    }
  }
  if (!missing.empty()) {
    std::string have;
    for (const auto& t : tagged) have += (have.empty() ? "" : ", ") + t.label();
    return Error("shard " + missing + " missing (given: " + have + ")");
  }
  return tagged;
}

// Bench shards merge only with bench shards.
Status same_kind(const MergeInput& a, const MergeInput& b) {
  if (is_bench_shard(a.result) == is_bench_shard(b.result)) return {};
  return Error(fmt::format("{} a `h2soak bench --shard` result, but {} {}: bench shards and scenario shards do not "
                           "merge",
                           is_bench_shard(b.result) ? "is" : "is not", a.source,
                           is_bench_shard(a.result) ? "is" : "is not"),
               b.source);
}

Status same_scenario(const MergeInput& a, const MergeInput& b) {
  const auto& ma = a.result.metadata;
  const auto& mb = b.result.metadata;
  if (is_bench_shard(a.result) && ma.scenario_hash != mb.scenario_hash) {
    return Error(fmt::format("bench options (hash {}) differ from {}'s (hash {}): shards of different `h2soak bench` "
                             "options do not merge",
                             mb.scenario_hash, a.source, ma.scenario_hash),
                 b.source);
  }
  if (ma.scenario_hash != mb.scenario_hash || ma.scenario_name != mb.scenario_name) {
    return Error(fmt::format("scenario \"{}\" (hash {}) is not {}'s \"{}\" (hash {}): results of different "
                             "scenarios, or of two versions of one, do not merge",
                             mb.scenario_name, mb.scenario_hash, a.source, ma.scenario_name, ma.scenario_hash),
                 b.source);
  }
  return {};
}

// An input's time zero on the sampler's clock: its own start_unix plus the
// clock offset it measured against the sampler agent (`run --clock-from`,
// clock_probe.h), when it did.
double aligned_start(const MergeInput& in) {
  return in.result.metadata.start_unix + recorded_clock_offset(in.result.metadata.extra).value_or(0.0);
}

Status within_skew(const MergeInput& reference, const MergeInput& other, double max_skew) {
  const double d = aligned_start(other) - aligned_start(reference);
  if (std::fabs(d) > max_skew) {
    return Error(fmt::format("started {:.3f} s {} {}: shards must start within {:g} s of each other "
                             "(--max-clock-skew; are the machines' clocks synchronised?)",
                             std::fabs(d), d > 0 ? "after" : "before", reference.source, max_skew),
                 other.source);
  }
  return {};
}

// `s` moved by `shift` seconds (rounded); points before 0 go to second 0.
metrics::IntervalSeries shifted(const metrics::IntervalSeries& s, std::int64_t shift) {
  if (shift == 0) return s;
  metrics::IntervalSeries out = s;  // keeps the overflow count
  out.assign({});
  const auto& pts = s.points();
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const std::int64_t to = static_cast<std::int64_t>(i) + shift;
    // Past the 7-day bound: nullptr, counted in the overflow like any late event.
    metrics::IntervalPoint* p = out.at_second(static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(to, 0, metrics::IntervalSeries::kMaxSeconds)));
    if (p == nullptr) continue;
    const metrics::IntervalPoint& q = pts[i];
    p->requests_done += q.requests_done;
    p->started += q.started;
    p->errors += q.errors;
    p->bytes_in += q.bytes_in;
    p->bytes_out += q.bytes_out;
    // In flight is a level, not a count: seconds folded into second 0 keep the highest.
    p->in_flight = to < 0 ? std::max(p->in_flight, q.in_flight) : q.in_flight;
  }
  return out;
}

std::size_t phase_rank(const std::vector<sampler::PhaseMark>& phases, const std::string& name) {
  auto it = std::find_if(phases.begin(), phases.end(), [&](const auto& m) { return m.name == name; });
  return static_cast<std::size_t>(it - phases.begin());  // unknown phases last
}

Status merge_workloads(const MergeInput& in, const std::vector<result::WorkloadResult>& workloads, std::int64_t shift,
                       std::vector<result::WorkloadResult>& into) {
  for (const auto& w : workloads) {
    auto it = std::find_if(into.begin(), into.end(), [&](const auto& m) { return m.name == w.name; });
    if (it == into.end()) {
      result::WorkloadResult fresh;
      fresh.name = w.name;
      fresh.kind = w.kind;
      fresh.params = w.params;
      into.push_back(std::move(fresh));
      it = std::prev(into.end());
    } else if (it->kind != w.kind) {
      return Error("workload \"" + w.name + "\" is of kind " + w.kind + " here but " + it->kind + " in another shard",
                   in.source);
    }
    for (const auto& p : w.phases) {
      auto pit = std::find_if(it->phases.begin(), it->phases.end(), [&](const auto& m) { return m.phase == p.phase; });
      if (pit == it->phases.end()) {
        it->phases.push_back({p.phase, metrics::WorkloadMetrics{}});
        pit = std::prev(it->phases.end());
      }
      metrics::WorkloadMetrics m = p.metrics;
      m.series = shifted(p.metrics.series, shift);
      pit->metrics.merge(m);
    }
  }
  return {};
}

void shift_samples(sampler::SampleSeries& s, double d) {
  for (auto& x : s.samples) x.t += d;
  for (auto& m : s.phases) {
    m.start += d;
    if (m.end >= 0) m.end += d;
  }
  if (s.vanished_at >= 0) s.vanished_at += d;
}

// Bench shards: the steady phase from the earliest shard's steady start to
// the latest one's end (bench_result()'s marks), on the merged axis.
void span_bench_steady(const std::vector<Tagged>& tagged, double origin, result::RunResult& out) {
  double start = std::numeric_limits<double>::infinity(), end = -start;
  for (const auto& t : tagged) {
    const double d = aligned_start(*t.input) - origin;
    for (const auto& m : t.input->result.phases) {
      if (m.name != "steady") continue;
      start = std::min(start, std::max(0.0, d + m.start));
      end = std::max(end, d + m.end);
    }
  }
  if (!(start <= end)) return;
  for (auto& m : out.phases) {
    if (m.name == "warmup") m.end = start;
    if (m.name == "steady") {
      m.start = start;
      m.end = end;
    }
  }
  out.metadata.extra["steady_seconds"] = fmt::format("{:.6f}", end - start);
}

}  // namespace

Result<result::RunResult> merge_shards(const std::vector<MergeInput>& shards, const MergeOptions& options) {
  if (shards.empty()) return Error("nothing to merge: no result files");
  for (std::size_t i = 1; i < shards.size(); ++i) {
    if (auto st = same_kind(shards.front(), shards[i]); !st) return st.error();
    if (auto st = same_scenario(shards.front(), shards[i]); !st) return st.error();
  }
  auto tagged = tag_shards(shards);
  if (!tagged) return tagged.error();
  const MergeInput& first = *tagged->front().input;  // shard 1
  for (const auto& t : *tagged) {
    if (auto st = within_skew(first, *t.input, options.max_clock_skew); !st) return st.error();
  }

  // The samples' source: its clock is the merged result's.
  const MergeInput* sampled = options.samples;
  std::string sampled_label;
  if (sampled != nullptr) {
    if (auto st = same_scenario(first, *sampled); !st) return Error("--samples: " + st.error().what(), sampled->source);
    if (!sampled->result.target.samples || sampled->result.target.samples->samples.empty()) {
      return Error("--samples: the result has no samples of the target", sampled->source);
    }
    if (auto st = within_skew(first, *sampled, options.max_clock_skew); !st) return st.error();
    sampled_label = sampled->source;
  } else {
    for (const auto& t : *tagged) {
      const auto& s = t.input->result.target.samples;
      if (s && !s->samples.empty()) {
        sampled = t.input;
        sampled_label = t.label();
        break;
      }
    }
  }
  const MergeInput& reference = sampled != nullptr ? *sampled : first;
  const double origin = aligned_start(reference);

  result::RunResult out;
  out.metadata = first.result.metadata;
  out.metadata.start_unix = origin;
  out.metadata.extra.erase("shard");
  for (const char* stale : {"analysis_notes", "analysis_steady_until", "target_exit", "clock_from", "clock_offset_ms",
                            "clock_uncertainty_ms", "clock_error"}) {
    out.metadata.extra.erase(stale);
  }
  if (auto it = reference.result.metadata.extra.find("target_exit"); it != reference.result.metadata.extra.end()) {
    out.metadata.extra["target_exit"] = it->second;
  }
  out.phases = reference.result.phases;
  out.target = reference.result.target;
  if (sampled == nullptr) out.target.samples.reset();
  out.modulation = first.result.modulation;

  std::string sources, clocks;
  for (const auto& t : *tagged) {
    const MergeInput& in = *t.input;
    const double d = aligned_start(in) - origin;
    MergeBody loaded;  // streaming: this input's alone, dropped after the fold
    if (options.bodies) {
      auto body = options.bodies(in);
      if (!body) return body.error();
      loaded = std::move(*body);
    }
    const auto& workloads = options.bodies ? loaded.workloads : in.result.workloads;
    if (auto st = merge_workloads(in, workloads, std::llround(d), out.workloads); !st) return st.error();
    out.metadata.duration = std::max(out.metadata.duration, in.result.metadata.duration);

    if (in.result.generator) {
      if (!out.generator) {
        out.generator.emplace();
        if (in.result.generator->samples) {
          // h2soak's own process: one of them (shard 1's, or the first that has one).
          out.generator->samples = in.result.generator->samples;
          shift_samples(*out.generator->samples, d);
        }
      }
      for (auto w : options.bodies ? loaded.generator_workers : in.result.generator->workers) {
        for (auto& t_end : w.t) t_end += d;
        out.generator->workers.push_back(std::move(w));
      }
    }
    if (in.result.status.state != result::RunState::kCompleted && out.status.state == result::RunState::kCompleted) {
      out.status.state = in.result.status.state;
      out.status.reason = t.label() + ": " + in.result.status.reason;
    }
    sources += (sources.empty() ? "" : ", ") + t.label();
    if (auto offset = recorded_clock_offset(in.result.metadata.extra)) {
      clocks += fmt::format("{}{} {:+.3f}", clocks.empty() ? "" : ", ", t.label(), *offset * 1000.0);
    }
  }
  if (!clocks.empty()) out.metadata.extra["merged_clock_offsets_ms"] = clocks;
  if (options.samples != nullptr && options.samples->result.status.state != result::RunState::kCompleted &&
      out.status.state == result::RunState::kCompleted) {
    out.status.state = options.samples->result.status.state;
    out.status.reason = options.samples->source + " (samples): " + options.samples->result.status.reason;
  }
  if (is_bench_shard(first.result)) span_bench_steady(*tagged, origin, out);
  for (auto& w : out.workloads) {
    std::stable_sort(w.phases.begin(), w.phases.end(), [&](const auto& a, const auto& b) {
      return phase_rank(out.phases, a.phase) < phase_rank(out.phases, b.phase);
    });
  }
  const std::size_t n = tagged->size();
  out.metadata.extra["merged_from"] = tagged->front().shard ? fmt::format("{} shard{}", n, n == 1 ? "" : "s")
                                                            : "1 result (not sharded)";
  out.metadata.extra["merged_sources"] =
      sources + "; samples: " + (sampled != nullptr ? sampled_label : "none (no input sampled the target)");
  return out;
}

Result<scenario::Plan> merged_plan(const std::string& scenario_file, const result::RunResult& merged) {
  scenario::TargetOverrides overrides;
  overrides.attribute = merged.modulation.has_value();
  auto loaded = load_plans(scenario_file, overrides);
  if (!loaded) return loaded.error();
  const std::string& name = merged.metadata.scenario_name;
  for (auto& plan : loaded->plans) {
    if (plan.scenario_name != name) continue;
    if (plan.scenario_hash != merged.metadata.scenario_hash) {
      return Error("scenario \"" + name + "\" now has hash " + plan.scenario_hash + " but the shards ran hash " +
                       merged.metadata.scenario_hash + ": the file changed since the run (pass the scenario the "
                       "shards ran with --scenario)",
                   scenario_file);
    }
    return std::move(plan);
  }
  return Error("has no scenario named \"" + name + "\" (the shards' scenario)", scenario_file);
}

void finish_merged(const scenario::Plan& plan, result::RunResult& merged) {
  for (auto& w : merged.workloads) {
    auto it = std::find_if(plan.workloads.begin(), plan.workloads.end(), [&](const auto& p) { return p.name == w.name; });
    if (it != plan.workloads.end()) w.params = workloads::describe_params(it->params);
  }
  merged.analysis.clear();
  merged.thresholds.clear();
  merged.verdict.clear();
  merged.metadata.extra.erase("analysis_notes");
  analyze_for_plan(plan, merged);
}

bool is_bench_shard(const result::RunResult& r) { return r.metadata.extra.count("bench_plan") > 0; }

Status finish_merged_bench(result::RunResult& merged) {
  const auto& extra = merged.metadata.extra;
  const auto text = extra.find("bench_plan");
  if (text == extra.end()) return Error("not a merge of `h2soak bench --shard` results (no metadata.extra.bench_plan)");
  if (scenario::text_hash(text->second) != merged.metadata.scenario_hash) {
    return Error("metadata.extra.bench_plan does not match metadata.scenario_hash " + merged.metadata.scenario_hash +
                 ": the shards' results were changed after their runs");
  }
  auto whole = parse_bench_plan_text(text->second);
  if (!whole) return whole.error();
  for (auto& w : merged.workloads) {
    for (auto& [key, value] : w.params) {
      if (auto it = whole->find(key); it != whole->end()) value = it->second;
    }
  }
  merged.analysis.clear();
  merged.thresholds.clear();
  merged.verdict.clear();
  if (merged.generator) {
    auto steady =
        std::find_if(merged.phases.begin(), merged.phases.end(), [](const auto& m) { return m.name == "steady"; });
    const sampler::PhaseMark mark = steady != merged.phases.end() ? *steady : sampler::PhaseMark{"steady", 0, -1};
    merged.generator->warnings = check_generator(*merged.generator, mark, merged.metadata.cpu_count, merged.analysis);
  }
  return {};
}

}  // namespace h2soak::run
