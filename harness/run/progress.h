#pragma once
// Live progress of a run on stderr, once a second: phase, elapsed / total and
// ETA, requests per second over the last interval, errors, requests in flight,
// and the target's RSS, threads and fds from the sampler's latest sample.
//
//   on a terminal   one line rewritten in place ("\r" + clear to end of line)
//                   every second, finished with a newline by finish()
//   otherwise       (CI logs) a plain line, no control characters, when the
//                   phase changes and at most every kLogEvery seconds within
//                   a phase: a few lines per scenario, not one per second
//
// Who calls: run_scenario() builds one ProgressState a second from the load
// engine's load::Progress (on the load thread, never concurrently), prints it
// and hands it to RunOptions::on_progress (the Python callback's source);
// finish() after the load returned. format_progress() is pure, for tests.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "harness/sampler/sample.h"

namespace h2soak::run {

struct ProgressState {
  std::string label;              // scenario name, with "run 2/3" when repeated
  std::string phase;              // "" past the end
  double elapsed = 0;             // seconds since load time zero
  double total = 0;               // the plan's total duration, seconds
  double rps = 0;                 // over the last interval
  std::uint64_t errors = 0;       // cumulative, all phases
  std::uint64_t in_flight = 0;
  std::optional<sampler::Sample> target;  // latest sample, if any
};

std::string format_progress(const ProgressState& s);
// Whole seconds left of the plan (never negative), as the line shows them.
double eta_seconds(const ProgressState& s);

class ProgressPrinter {
 public:
  static constexpr double kLogEvery = 10;  // seconds between lines within a phase, off a terminal

  // `out` null: print nothing. `tty`: rewrite one line in place.
  ProgressPrinter(std::FILE* out, bool tty) : out_(out), tty_(tty) {}
  void print(const ProgressState& s);
  void finish();  // ends the in-place line, if any

 private:
  std::FILE* out_;
  bool tty_;
  bool open_line_ = false;
  bool printed_ = false;     // off a terminal: a line was printed,
  std::string last_phase_;   // in this phase,
  double last_elapsed_ = 0;  // at this time

};

}  // namespace h2soak::run
