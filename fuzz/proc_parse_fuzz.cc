// The /proc parsers: the input is read as /proc/PID/status, /proc/PID/stat
// and /proc/PID/smaps_rollup in turn (each ignores what it does not know).
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "harness/sampler/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view text = fuzz::as_text(data, size);
  (void)sampler::parse_status(text);
  if (auto stat = sampler::parse_stat(text, 100)) {
    H2SOAK_FUZZ_CHECK(stat->utime >= 0 && stat->stime >= 0);
  }
  (void)sampler::parse_smaps_rollup_pss(text);
  return 0;
}
