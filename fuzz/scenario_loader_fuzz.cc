// Scenario loader: ${ENV} substitution, YAML decoding with units, thresholds
// and regression rules, validation, planning and the canonical hash, on the
// text of a scenario file. A one-line input is also given to the scalar
// parsers directly (units, thresholds, spawn commands), where a mutation of
// "250ms" or "latency.p99 < 250ms" need not survive YAML to reach them.
//
// The environment is a fixed map, so a run never depends on the machine; a
// suite is decoded but its scenario files are not read (load_scenario_text
// stops at "this is a suite"), so nothing outside the input is opened.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "harness/scenario/loader.h"
#include "harness/util/units.h"

namespace h2soak::fuzz {
namespace {

std::optional<std::string> fixed_env(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kEnv = {
      {"H2SOAK_TARGET_URL", "http://127.0.0.1:8080"},
      {"H2SOAK_TARGET_SPAWN", "h2soak-target --threads 1"},
      {"PORT", "8080"},
      {"USERS", "4"},
      {"DURATION", "30s"},
      {"EMPTY", ""},
  };
  auto it = kEnv.find(name);
  if (it == kEnv.end()) return std::nullopt;
  return it->second;
}

void scalar_parsers(std::string_view line) {
  if (auto d = units::parse_duration(line)) units::format_duration(*d);
  if (auto s = units::parse_size(line)) units::format_size(*s);
  if (auto r = units::parse_rate(line)) units::format_rate(*r);
  (void)units::parse_duration_range(line);
  (void)units::parse_size_range(line);
  (void)scenario::parse_quantity(line);
  (void)scenario::parse_threshold(line, {"tabs", "sse"});
  (void)scenario::parse_spawn(line);
}

}  // namespace
}  // namespace h2soak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view text = fuzz::as_text(data, size);
  if (size <= 256 && text.find('\n') == std::string_view::npos) fuzz::scalar_parsers(text);

  auto loaded = scenario::load_scenario_text(text, "fuzz.yaml", fuzz::fixed_env, "/fuzz");
  if (!loaded) {
    (void)loaded.error().message();  // "file:line:col: ...", mapped back through ${ENV}
    return 0;
  }
  // What the loader returns is valid and plannable (loader.h).
  H2SOAK_FUZZ_CHECK(scenario::validate_scenario(*loaded));
  H2SOAK_FUZZ_CHECK(scenario::make_plan(*loaded));
  H2SOAK_FUZZ_CHECK(scenario::canonical_form(*loaded).starts_with("schema=h2soak.scenario/v1\n"));
  H2SOAK_FUZZ_CHECK(scenario::scenario_hash(*loaded).size() == 64);
  return 0;
}
