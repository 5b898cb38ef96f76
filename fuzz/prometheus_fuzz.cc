// Prometheus text parser and gauge selectors: the whole input is a scrape,
// and its first line up to the first blank is also read as a selector
// (`name{label="x"}` of the first sample, in a scrape that starts with one).
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "harness/sampler/prometheus.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view text = fuzz::as_text(data, size);
  auto samples = sampler::parse_prometheus(text);
  auto selector = sampler::parse_selector(text.substr(0, text.find_first_of(" \t\n")));
  if (!samples) return 0;
  if (selector) (void)sampler::select(*samples, *selector);
  // Every parsed series can be selected by its bare name.
  for (std::size_t i = 0; i < samples->size() && i < 8; ++i) {
    auto by_name = sampler::parse_selector((*samples)[i].name);
    H2SOAK_FUZZ_CHECK(by_name);
    H2SOAK_FUZZ_CHECK(sampler::select(*samples, *by_name).has_value());
  }
  return 0;
}
