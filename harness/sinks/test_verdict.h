#pragma once
// A verdict with one of everything (regression, pass, improved, new,
// missing, a failed and a met threshold, a note) and names that need
// escaping, shared by the sink tests.

#include "harness/compare/verdict.h"
#include "harness/scenario/threshold.h"

namespace h2soak::sinks::testing {

inline compare::RunMetrics run(const std::string& source, double rss, double rps, double weird,
                               bool with_old) {
  compare::RunMetrics r;
  r.source = source;
  r.scenario = "mixed";
  r.scenario_hash = "sha256:aaaa";
  r.machine = {"ci-host", "Test CPU", 2, "Linux"};
  r.metrics["rss.residual"] = {rss, "bytes"};
  r.metrics["throughput.rps"] = {rps, "req/s"};
  r.metrics["gauge.a<b>&\"c'|d"] = {weird, "count"};
  r.metrics["latency.p50"] = {10, "ms"};
  if (with_old) r.metrics["old.metric"] = {1, "count"};
  return r;
}

inline compare::Verdict sample_verdict() {
  constexpr double kMiB = 1024.0 * 1024.0;
  std::vector<compare::RunMetrics> base_runs = {run("b0.json", 100 * kMiB, 1000, 5, true),
                                                run("b1.json", 101 * kMiB, 1010, 5, true),
                                                run("b2.json", 99 * kMiB, 990, 5, true)};
  auto baseline = *compare::build_baseline(base_runs, {});
  auto now = run("now.json", 150 * kMiB, 1500, 5, false);
  now.metrics["new.metric"] = {3, "count"};
  now.metrics["errors.total"] = {2, "count"};
  for (const char* text : {"errors.total == 0", "latency.p50 < 250ms"}) {
    now.thresholds.push_back(*scenario::parse_result_threshold(text));
  }
  now.machine.hostname = "laptop\x01";  // a control character in a note
  auto v = compare::compare_runs(baseline, {now}, {}, "ci/baselines/base.json");
  return *v;
}

}  // namespace h2soak::sinks::testing
