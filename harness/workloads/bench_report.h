#pragma once
// The end-of-run summary of `h2soak bench`, shaped like h2load's so that its
// users find their numbers where they expect them, plus what h2load lacks:
// bytes sent beside bytes received, per-request time to first byte,
// percentiles, dropped requests (open model) and errors by class.

#include <string>

#include "harness/load/bench_workload.h"
#include "harness/load/runner.h"

namespace h2soak::load {

std::string format_bench_summary(const RunOutcome& outcome, const BenchPlan& plan);
// One progress line (no newline): elapsed, req/s over the last second, done, errors, in flight.
std::string format_progress(const Progress& now, const Progress& before);

}  // namespace h2soak::load
