#pragma once
// The result of one run as plain data: what `h2soak run` / `h2soak bench`
// write as JSON (schema "h2soak.result/v1", docs/result-schema.md), what
// analysis and compare read, and what the Python module exposes.
//
// Who fills what: the runner fills metadata, phases, workloads (merged
// WorkloadMetrics after the workers join), target and status; the sampler's
// SampleSeries is moved in as is; analysis adds named metrics to `analysis`;
// compare may add `verdict` rows; the run copies the plan's thresholds in.
// result_json.h turns it into JSON and back.
//
// Units: latencies in microseconds (histograms), times in seconds since the
// run's start unless a name says otherwise, bytes as bytes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/metrics/histogram.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/sampler/sample.h"
#include "harness/scenario/threshold.h"

namespace h2soak::result {

inline constexpr const char* kSchema = "h2soak.result/v1";

// Facts about the harness and the machine; environment.h collects the
// machine part.
struct Metadata {
  std::string h2soak_version;
  std::string git_revision;             // empty when unknown
  std::string host;                     // gethostname()
  std::string kernel;                   // uname: "Linux 6.1.0-18-amd64 #1 SMP ... x86_64"
  std::uint32_t cpu_count = 0;          // online CPUs
  std::string cpu_model;                // "model name" of /proc/cpuinfo; empty if unknown
  std::string scenario_name;
  std::string scenario_hash;            // as computed by harness/scenario; empty for `bench` (not `--shard`)
  std::string scenario_path;            // empty when built in memory
  double start_unix = 0;                // wall clock at run start, seconds since the epoch
  double duration = 0;                  // seconds from run start to the end of the last phase
  std::vector<std::string> command_line;
  std::map<std::string, std::string> extra;  // free-form facts (machine profile, CI job, ...)
};

// Percentiles and moments of one histogram, as printed and compared. Values
// in the histogram's unit (µs for latencies).
struct HistogramSummary {
  std::uint64_t count = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  double mean = 0;
  double sd = 0;
  std::uint64_t p50 = 0;
  std::uint64_t p90 = 0;
  std::uint64_t p99 = 0;
  std::uint64_t p999 = 0;   // p99.9
  std::uint64_t p9999 = 0;  // p99.99
};
HistogramSummary summarize(const metrics::Histogram& h);

// One workload's measurements in one phase.
struct PhaseMetrics {
  std::string phase;  // "warmup", "steady", "cooldown", ...
  metrics::WorkloadMetrics metrics;
};

struct WorkloadResult {
  std::string name;  // unique in the scenario
  std::string kind;  // "tabs", "sse", "upload", "short_connections", "idle", "bench"
  std::map<std::string, std::string> params;  // the workload's settings as text, for the report
  std::vector<PhaseMetrics> phases;           // in phase order

  // The metrics of `phase`, nullptr when absent.
  const metrics::WorkloadMetrics* find_phase(const std::string& phase) const;
};

// The process under load.
struct TargetInfo {
  std::string url;
  std::string mode;     // "spawn", "pid", "pidfile", "none"
  std::string command;  // spawn command line, if spawned
  int pid = 0;
  std::string log_path;             // captured stdout/stderr, if spawned
  std::optional<int> exit_code;     // set when it exited (by itself or when stopped)
  std::optional<int> exit_signal;   // set when it was killed by a signal
  std::optional<sampler::SampleSeries> samples;  // absent when nothing was sampled
};

enum class Direction { kLowerIsBetter, kHigherIsBetter, kNone };
const char* to_string(Direction d);  // "lower", "higher", "none"

// One named analysis metric ("rss.slope_steady", "latency.p99", ...). The
// analysis and compare modules agree on names; the schema only fixes shape.
//
// A run always states `direction` and `leak` (the defaults are what it
// means by saying nothing). Only a file that leaves them out, read back,
// yields nullopt, "not stated" (`leak` is optional in every read, `direction`
// in a summary read: summary_from_json): compare then decides by the
// metric's name (its default rules), and the writer leaves them out again.
struct AnalysisMetric {
  double value = 0;
  std::string unit;  // "bytes/s", "us", "count", "bytes/1000req", ...
  std::optional<Direction> direction = Direction::kNone;
  std::optional<double> ci_low;   // confidence interval, when the estimator gives one
  std::optional<double> ci_high;
  std::optional<bool> leak = false;  // a leak metric: compare applies the interval rules
  std::string note;                  // optional human text
};

// One row of a baseline comparison (written by compare; optional).
struct VerdictRow {
  std::string metric;
  std::optional<double> baseline;
  double current = 0;
  std::optional<double> change;  // relative, (current - baseline) / baseline
  std::string limit;             // the rule as text, e.g. "+10 % or 2 MiB"
  std::string outcome;           // "pass", "regression", "improved", "failed" (threshold)
  std::string unit;
};

// An attribution run's schedule (scenario `attribution:`): from `start`,
// `slots` slots of `slot` seconds; each modulated workload ran in the slots
// its pattern marks '+' and started nothing in those marked '-'.
struct Modulation {
  double start = 0;  // seconds since run start (the start of steady)
  double slot = 0;   // seconds
  std::uint32_t slots = 0;
  std::map<std::string, std::string> patterns;  // workload name -> "+-+-..." (one char per slot)
};

// The generator watching itself: h2soak's own process and worker threads. A
// generator that is CPU-saturated or late on its timers measures itself, not
// the target, so the analysis warns (`warnings`) when either happened.
struct GeneratorWorker {
  std::vector<double> t;        // seconds since run start, end of each ~1 s interval
  std::vector<double> busy;     // the worker thread's CPU time / wall time in the interval
  std::vector<double> lag_max;  // µs, its 100 ms housekeeping timer's worst lateness in the interval
  metrics::Histogram loop_lag;  // µs, that timer's lateness at every tick from steady start
};

struct Generator {
  std::optional<sampler::SampleSeries> samples;  // h2soak's own RSS, threads, fds, CPU (1 s ticks)
  std::vector<GeneratorWorker> workers;          // in worker index order
  std::vector<std::string> warnings;             // analysis: saturated, behind its schedule
};

// `h2soak capacity` (docs/capacity.md): one stage of the search, an open-model
// load at a fixed arrival rate, and how it was judged against the objectives.
// Latencies in µs; NaN when the stage completed no request. Target figures
// are absent when the target was not sampled (no --target-pid/--target-pidfile).
struct CapacityStage {
  double offered = 0;         // arrivals per second asked for
  double achieved = 0;        // requests completed per second of the measured interval
  double seconds = 0;         // measured interval (shorter when stopped early)
  std::uint64_t requests = 0; // completed in the measured interval
  std::uint64_t errors = 0;   // failed + errored + timed-out requests and failed connections (warm-up included)
  std::uint64_t dropped = 0;  // arrivals never started (in flight at the bound), warm-up included
  double error_rate = 0;      // fraction, as the client metric error_rate
  double drop_rate = 0;       // dropped / (started + dropped), fraction
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0;  // µs, from the due time
  bool passed = false;
  std::string broken;         // the objective that failed first, as written; "" when passed
  std::string detail;         // why it failed, for humans
  bool stopped_early = false; // ended before its full duration because an objective was clearly broken
  bool generator_bound = false;  // the generator, not the service, limited the stage
  std::optional<double> target_cpu;             // cores used by the target over the stage
  std::optional<std::uint64_t> target_rss_peak;  // bytes
  std::optional<std::uint64_t> target_threads_peak;
  std::optional<std::uint64_t> target_fds_peak;
};

// The search of `h2soak capacity`: the objectives, the stages in the order run,
// and the figure: `capacity` is the highest offered rate that met every
// objective (0 when none did); it lies in [interval_low, interval_high]
// (interval_high is NaN when no stage failed: the search reached --max-rate).
struct CapacitySearch {
  std::vector<std::string> objectives;  // as written ("latency.p99 < 250ms")
  double capacity = 0;                  // req/s
  double interval_low = 0;              // highest passing rate (= capacity)
  double interval_high = 0;             // lowest failing rate; NaN without one
  std::string first_broken;             // the objective that broke at the lowest failing rate; ""
  std::string stop;                     // why the search ended: "refined", "max-rate", "generator-bound",
                                        // "first-stage-failed", "interrupted", "target-gone"
  std::string note;                     // the stop in words ("generator-bound at 4000 req/s: ...")
  std::vector<CapacityStage> stages;    // in the order run
};

enum class RunState { kCompleted, kTargetDied, kAborted };
const char* to_string(RunState s);  // "completed", "target_died", "aborted"

struct RunStatus {
  RunState state = RunState::kCompleted;
  std::string reason;  // empty when completed
};

struct RunResult {
  Metadata metadata;
  RunStatus status;
  std::vector<sampler::PhaseMark> phases;  // the run's phases, seconds since run start
  std::vector<WorkloadResult> workloads;
  TargetInfo target;
  std::map<std::string, AnalysisMetric> analysis;
  // The scenario's absolute gates, typed (harness/scenario/threshold.h), each
  // with its text as written ("errors == 0"); `pos` is not written to JSON.
  std::vector<scenario::Threshold> thresholds;
  std::vector<VerdictRow> verdict;
  std::optional<Modulation> modulation;  // attribution runs only
  std::optional<Generator> generator;    // absent in results written before h2soak watched itself
  std::optional<CapacitySearch> capacity;  // `h2soak capacity` only
};

}  // namespace h2soak::result
