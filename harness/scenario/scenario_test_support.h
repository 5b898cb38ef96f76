#pragma once
// Shared by the harness/scenario tests: a map-backed environment and short
// ways to load inline YAML. Test-only; not part of the library.

#include <map>
#include <string>

#include "harness/scenario/loader.h"

namespace h2soak::scenario::test_support {

using std::chrono::milliseconds;
using std::chrono::seconds;

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline Result<Scenario> from_text(const std::string& text, const EnvLookup& env = env_of({})) {
  return load_scenario_text(text, "s.yaml", env);
}

// The full message ("s.yaml:L:C: ...") of a text that must fail.
inline std::string error_of(const std::string& text, const EnvLookup& env = env_of({})) {
  auto r = from_text(text, env);
  if (r.ok()) return "<loaded>";
  return r.error().message();
}

inline const std::string kPhases =
    "phases:\n"
    "  warmup: 1s\n"
    "  steady: 5s\n"
    "  cooldown: 2s\n";

// A valid scenario whose workload list starts on line 6; `workload` lines
// are appended, indented under "  - ".
inline std::string with_workload(const std::string& workload) {
  return kPhases + "workloads:\n" + workload;
}

}  // namespace h2soak::scenario::test_support
