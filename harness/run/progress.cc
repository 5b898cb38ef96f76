#include "harness/run/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "harness/util/units.h"

namespace h2soak::run {

double eta_seconds(const ProgressState& s) { return std::ceil(std::max(0.0, s.total - s.elapsed)); }

std::string format_progress(const ProgressState& s) {
  std::string line = fmt::format("{} [{:<8}] {:5.1f}s/{:.0f}s ETA {:3.0f}s | {:8.1f} req/s | errors {} | in flight {}",
                                 s.label, s.phase.empty() ? "end" : s.phase, s.elapsed, s.total, eta_seconds(s),
                                 s.rps, s.errors, s.in_flight);
  if (s.target) {
    line += fmt::format(" | target RSS {} threads {} fds {}", units::format_size(s.target->rss), s.target->threads,
                        s.target->fds);
  }
  return line;
}

void ProgressPrinter::print(const ProgressState& s) {
  if (out_ == nullptr) return;
  if (!tty_) {
    if (printed_ && s.phase == last_phase_ && s.elapsed - last_elapsed_ < kLogEvery) return;
    printed_ = true;
    last_phase_ = s.phase;
    last_elapsed_ = s.elapsed;
  }
  const std::string line = format_progress(s);
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s", line.c_str());
    open_line_ = true;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressPrinter::finish() {
  if (out_ != nullptr && open_line_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
  open_line_ = false;
}

}  // namespace h2soak::run
