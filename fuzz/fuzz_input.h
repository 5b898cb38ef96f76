#pragma once
// Shared by the fuzz targets (fuzz/*.cc): the input bound, the view of the
// bytes as text and an invariant check. Inputs above kMaxInput are skipped so
// that a run spends its time on many small inputs rather than a few slow ones;
// every file these parsers read is a few KiB in practice.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace h2soak::fuzz {

inline constexpr std::size_t kMaxInput = 64 * 1024;

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace h2soak::fuzz

// Aborts when an invariant of the code under test is broken; libFuzzer (and
// the replay main) then report the input that broke it.
#define H2SOAK_FUZZ_CHECK(cond)                                                   \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
