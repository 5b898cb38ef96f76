#pragma once
// The verdict as a Markdown summary (GitHub-flavoured tables), for CI job
// summaries and pull-request comments: a headline with PASS/FAIL, the
// regressions and failed thresholds first, then every metric, then notes.
// Scenario and metric names are code spans; '|' in any cell is escaped.

#include <string>

#include "harness/sinks/sink.h"

namespace h2soak::sinks {

std::string render_markdown(const compare::Verdict& verdict);

// Escapes text for a GFM table cell (| and newlines) outside code spans.
std::string markdown_cell(const std::string& text);

class MarkdownSink final : public Sink {
 public:
  explicit MarkdownSink(Output out) : out_(std::move(out)) {}
  const char* name() const override { return "markdown"; }
  Status write(const compare::Verdict& verdict) override { return out_.put(render_markdown(verdict)); }

 private:
  Output out_;
};

}  // namespace h2soak::sinks
