// The baseline reader (baseline_from_json after parse_json_text, what
// load_baseline does with a file's text). A baseline that decodes must
// survive saving (the text save_baseline writes) and loading again unchanged.
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.h"
#include "harness/compare/baseline.h"
#include "harness/compare/baseline_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  auto json = compare::parse_json_text(std::string(fuzz::as_text(data, size)), "fuzz.json");
  if (!json) return 0;
  auto baseline = compare::baseline_from_json(*json, "fuzz.json");
  if (!baseline) return 0;
  const nlohmann::json written = compare::baseline_to_json(*baseline);
  auto reread = compare::parse_json_text(written.dump(2, ' ', false, nlohmann::json::error_handler_t::replace),
                                         "written.json");
  H2SOAK_FUZZ_CHECK(reread);
  auto again = compare::baseline_from_json(*reread, "written.json");
  H2SOAK_FUZZ_CHECK(again);
  H2SOAK_FUZZ_CHECK(compare::baseline_to_json(*again) == written);
  return 0;
}
