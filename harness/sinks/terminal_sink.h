#pragma once
// The verdict as an aligned table for a terminal: one row per scenario ×
// metric, then the thresholds, the reasons for each regression, the notes,
// and a one-line summary. Colour (red regressions, green improvements,
// yellow new/missing) only when asked — TerminalSink asks its Output, which
// says yes only for a TTY.

#include <string>

#include "harness/sinks/sink.h"

namespace h2soak::sinks {

std::string render_terminal(const compare::Verdict& verdict, bool color);

class TerminalSink final : public Sink {
 public:
  explicit TerminalSink(Output out) : out_(std::move(out)), color_(out_.wants_color()) {}
  const char* name() const override { return "terminal"; }
  Status write(const compare::Verdict& verdict) override { return out_.put(render_terminal(verdict, color_)); }

 private:
  Output out_;
  bool color_;
};

}  // namespace h2soak::sinks
