#pragma once
// The end-of-run summary of `h2soak bench`, shaped like h2load's so that its
// users find their numbers where they expect them, plus what h2load lacks:
// bytes sent beside bytes received, per-request time to first byte,
// percentiles, dropped requests (open model) and errors by class.

#include <string>

#include "harness/load/runner.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::workloads {

std::string format_bench_summary(const load::RunOutcome& outcome, const BenchPlan& plan);
// One progress line (no newline): elapsed, req/s over the last second, done, errors, in flight.
std::string format_bench_progress(const load::Progress& now, const load::Progress& before);

}  // namespace h2soak::workloads
