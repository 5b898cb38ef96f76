#pragma once
// Pure parsers for the /proc files the sampler reads. Each takes the file's
// text and returns a plain struct; no I/O, so tests feed them fixture files
// (harness/sampler/testdata/, copied from real /proc output on Linux 6.x).
// Memory is returned in bytes, CPU in seconds.

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/util/result.h"

namespace h2soak::sampler {

// From /proc/PID/status.
struct StatusFields {
  char state = '?';            // first letter of "State:" (R, S, D, Z, X, ...)
  bool has_memory = false;     // false for zombies and kernel threads (no Vm* lines)
  std::uint64_t rss = 0;       // VmRSS, bytes
  std::uint64_t hwm = 0;       // VmHWM, bytes
  std::uint64_t rss_anon = 0;  // RssAnon, bytes
  std::uint64_t threads = 0;   // Threads
};
// Fails only if the text has no "Threads:" line (not a status file at all).
Result<StatusFields> parse_status(std::string_view text);

// From /proc/PID/stat. The comm field is "(name)" where name may itself hold
// spaces and parentheses; the parser takes the LAST ')' in the line as its end.
struct StatFields {
  int pid = 0;
  std::string comm;            // without the parentheses
  char state = '?';
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  double utime = 0;            // seconds = ticks / ticks_per_second
  double stime = 0;
  std::uint64_t num_threads = 0;
};
// ticks_per_second: sysconf(_SC_CLK_TCK), 100 on Linux.
Result<StatFields> parse_stat(std::string_view text, long ticks_per_second);

// Pss from /proc/PID/smaps_rollup, bytes.
Result<std::uint64_t> parse_smaps_rollup_pss(std::string_view text);

}  // namespace h2soak::sampler
