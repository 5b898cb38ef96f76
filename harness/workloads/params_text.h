#pragma once
// A planned workload's resolved parameters as flat text, for result JSON and
// reports (WorkloadOutcome::params): durations and sizes in the units.h
// forms ("500ms", "64KiB"), ranges as "a..b", lists joined with ",".

#include <map>
#include <string>

#include "harness/scenario/scenario.h"

namespace h2soak::workloads {

std::map<std::string, std::string> describe_params(const scenario::WorkloadParams& params);

}  // namespace h2soak::workloads
