#pragma once
// Whether each workload reached the routes its scenario names, so that a
// suite pointed at another service never passes silently: a workload whose
// every answer was a 4xx (404 Not Found, 405 Method Not Allowed ...) measured
// nothing of what it was meant to, and the check fails naming the scenario key
// that holds the path (`path:` of an sse/upload/short_connections/idle
// workload, `pages:`/`login_path:`/`sse_path:` of tabs, `paths:` of bench).
// A workload with some 4xx answers among successes gets a note instead (the
// `errors` metric and thresholds already count them).
//
// Pure; judge() (gate.h) adds the checks to the verdict next to the thresholds.

#include <string>
#include <vector>

#include "harness/compare/threshold.h"
#include "harness/result/run_result.h"

namespace h2soak::run {

struct RouteChecks {
  std::vector<compare::ThresholdVerdict> failed;  // one per workload that reached none of its routes
  std::vector<std::string> notes;
};

// `loaded_phases`: the names of the phases that carry load (counts are summed
// over them).
RouteChecks check_routes(const result::RunResult& r, const std::vector<std::string>& loaded_phases);

}  // namespace h2soak::run
