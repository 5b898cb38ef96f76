// The HTML link scanner on a page body. Checks its contract (html_links.h):
// every reported path is a view into the input, a same-origin absolute path
// ("/x", never "//x"), and the scan always ends.
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "harness/workloads/html_links.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view html = fuzz::as_text(data, size);
  std::size_t pos = 0, previous = 0, links = 0;
  std::string_view path;
  while (workloads::next_link(html, pos, path)) {
    H2SOAK_FUZZ_CHECK(pos > previous && pos <= html.size());
    H2SOAK_FUZZ_CHECK(path.data() >= html.data() && path.data() + path.size() <= html.data() + html.size());
    H2SOAK_FUZZ_CHECK(!path.empty() && path[0] == '/' && (path.size() == 1 || path[1] != '/'));
    previous = pos;
    ++links;
  }
  H2SOAK_FUZZ_CHECK(pos == html.size());
  H2SOAK_FUZZ_CHECK(workloads::scan_links(html, [](std::string_view) {}) == links);
  return 0;
}
