#pragma once
// Where SSE events end in a text/event-stream body, read after read: an event
// ends at a blank line (two line ends in a row; a '\r' before a '\n' is
// ignored, so "\r\n\r\n" counts as "\n\n"). Only the ends are counted, not the
// fields: the sse workload measures arrival times and gaps, not content.
//
// Called with each DATA chunk of a stream, in order; `newline` carries "the
// last byte seen ended a line" from one chunk to the next (false at the start
// of a stream). Pure and allocation-free: memchr finds the line ends, so a
// long data line costs a vectorised scan, not a branch per byte.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace h2soak::workloads {

inline std::uint64_t count_sse_event_ends(const std::uint8_t* data, std::size_t length, bool& newline) {
  std::uint64_t ended = 0;
  const std::uint8_t* p = data;
  const std::uint8_t* const end = data + length;
  while (p < end) {
    const auto* lf = static_cast<const std::uint8_t*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const std::uint8_t* const stop = lf != nullptr ? lf : end;
    // The bytes before this line end (or the chunk's end): anything but '\r'
    // makes the line non-empty.
    bool blank = true;
    for (const std::uint8_t* q = p; q < stop; ++q) {
      if (*q != '\r') {
        blank = false;
        break;
      }
    }
    if (!blank) newline = false;
    if (lf == nullptr) break;
    if (newline) {
      ++ended;
      newline = false;
    } else {
      newline = true;
    }
    p = lf + 1;
  }
  return ended;
}

}  // namespace h2soak::workloads
