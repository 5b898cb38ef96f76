#include "harness/run/route_check.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace h2soak::run {
namespace {

// The scenario keys that hold the paths a workload kind requests, with their
// values as run (long lists shortened).
std::string route_keys(const result::WorkloadResult& w) {
  auto param = [&w](const char* key) -> std::string {
    auto it = w.params.find(key);
    if (it == w.params.end()) return {};
    std::string value = it->second.size() > 48 ? it->second.substr(0, 45) + "..." : it->second;
    return fmt::format("`{}` (now {})", key, value);
  };
  std::vector<std::string> keys;
  if (w.kind == "tabs") {
    for (const char* key : {"pages", "login_path", "sse_path"}) {
      if (auto k = param(key); !k.empty()) keys.push_back(k);
    }
    keys.push_back("the assets its pages link");
  } else {
    if (auto k = param(w.kind == "bench" ? "paths" : "path"); !k.empty()) keys.push_back(k);
  }
  if (keys.empty()) return "the workload's paths";
  return fmt::format("{}", fmt::join(keys, ", "));
}

}  // namespace

RouteChecks check_routes(const result::RunResult& r, const std::vector<std::string>& loaded_phases) {
  RouteChecks out;
  for (const auto& w : r.workloads) {
    std::uint64_t succeeded = 0, client_errors = 0, done = 0;
    for (const auto& p : w.phases) {
      if (std::find(loaded_phases.begin(), loaded_phases.end(), p.phase) == loaded_phases.end()) continue;
      const auto& c = p.metrics.counters;
      succeeded += c.requests_succeeded;
      client_errors += c.status_class[3];
      done += c.requests_done;
    }
    if (client_errors == 0) continue;
    const std::string what = fmt::format("workload '{}' ({})", w.name, w.kind);
    if (succeeded == 0) {
      compare::ThresholdVerdict v;
      v.scenario = r.metadata.scenario_name;
      v.expression = "routes of " + what + " answered";
      v.metric = "errors";
      v.passed = false;
      v.detail = fmt::format(
          "every one of its {} answered requests got a 4xx status: the target does not serve what the "
          "workload asks for; set {} to the target's routes",
          done, route_keys(w));
      out.failed.push_back(std::move(v));
    } else {
      out.notes.push_back(fmt::format("{}: {} of {} answers were 4xx; check {} against the target's routes",
                                      what, client_errors, done, route_keys(w)));
    }
  }
  return out;
}

}  // namespace h2soak::run
