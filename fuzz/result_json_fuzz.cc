// Both reads of result files in harness/result: the full one (parse_result)
// and the summary one that compare's adapter uses (run_metrics_from_json). A
// result that decodes must survive writing (the text write_result writes) and
// reading again unchanged.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.h"
#include "harness/compare/baseline_store.h"
#include "harness/compare/result_adapter.h"
#include "harness/result/result_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string text(fuzz::as_text(data, size));

  if (auto json = compare::parse_json_text(text, "fuzz.json")) {
    (void)compare::run_metrics_from_json(*json, "fuzz.json");
  }

  auto decoded = result::parse_result(text, "fuzz.json");
  if (!decoded) return 0;
  const nlohmann::json written = result::to_json(*decoded);
  auto again = result::parse_result(written.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                    "written.json");
  H2SOAK_FUZZ_CHECK(again);
  H2SOAK_FUZZ_CHECK(result::to_json(*again) == written);
  return 0;
}
