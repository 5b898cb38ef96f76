#include "harness/sinks/markdown_sink.h"

#include "harness/compare/format.h"
#include "harness/sinks/cells.h"

namespace h2soak::sinks {

namespace {

// A code span whose content cannot end it or break the table.
std::string code(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c == '`') {
      s += '\'';
    } else if (c == '|') {
      s += "\\|";
    } else if (c == '\n' || c == '\r') {
      s += ' ';
    } else {
      s += c;
    }
  }
  return "`" + s + "`";
}

std::string metric_row(const compare::MetricVerdict& m) {
  Cells c = cells_of(m);
  const bool bad = m.status == compare::MetricStatus::kRegression;
  std::string status = bad ? "**" + c.status + "**" : c.status;
  return "| " + code(c.scenario) + " | " + code(c.metric) + " | " + markdown_cell(c.baseline) + " | " +
         markdown_cell(c.current) + " | " + markdown_cell(c.change) + " | " + markdown_cell(c.limit) + " | " +
         status + " |\n";
}

constexpr const char* kMetricHeader =
    "| Scenario | Metric | Baseline | Current | Change | Limit | Status |\n"
    "|---|---|--:|--:|--:|--:|---|\n";

}  // namespace

std::string markdown_cell(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c == '|') {
      s += "\\|";
    } else if (c == '\n' || c == '\r') {
      s += "<br>";
    } else if (c == '<') {
      s += "&lt;";
    } else if (c == '>') {
      s += "&gt;";
    } else if (c == '*' || c == '_' || c == '\\' || c == '`') {
      s += '\\';
      s += c;
    } else {
      s += c;
    }
  }
  return s;
}

std::string render_markdown(const compare::Verdict& v) {
  using compare::MetricStatus;
  std::string out = "## h2soak compare: " + markdown_cell(summary_line(v)) + "\n\n";
  out += "Baseline " + code(v.baseline_source.empty() ? "(in memory)" : v.baseline_source);
  if (!v.baseline_created_at.empty()) {
    const auto& m = v.baseline_machine;
    out += ", recorded " + markdown_cell(v.baseline_created_at) + " on " + code(m.hostname) + " (" +
           markdown_cell(m.cpu_model.empty() ? "CPU model unknown" : m.cpu_model) + ", " +
           std::to_string(m.cores) + " cores)";
  }
  out += "; " + std::to_string(v.result_sources.size()) + " result file(s).\n\n";

  const bool any_regression = v.count(MetricStatus::kRegression) > 0;
  if (any_regression || v.failed_thresholds() > 0) {
    out += "### Failures\n\n";
    for (const auto& m : v.metrics) {
      if (m.status != MetricStatus::kRegression) continue;
      out += "- " + code(m.scenario) + " " + code(m.metric) + ": " + markdown_cell(m.reason) + " (" +
             compare::method_name(m.method) + " rule)\n";
      if (!m.explanation.empty()) out += "  - explained by: " + markdown_cell(m.explanation) + "\n";
    }
    for (const auto& t : v.thresholds) {
      if (t.passed) continue;
      out += "- " + code(t.scenario) + " threshold " + code(t.expression) + ": " + markdown_cell(t.detail) + "\n";
    }
    out += "\n";
  }

  if (v.count(MetricStatus::kWarning) > 0) {
    out += "### Warnings (do not fail the job)\n\n";
    for (const auto& m : v.metrics) {
      if (m.status != MetricStatus::kWarning) continue;
      out += "- " + code(m.scenario) + " " + code(m.metric) + ": " + markdown_cell(m.reason) + "\n";
      if (!m.explanation.empty()) out += "  - explained by: " + markdown_cell(m.explanation) + "\n";
    }
    out += "\n";
  }

  if (!v.metrics.empty()) {
    out += "### Metrics\n\n";
    out += kMetricHeader;
    for (const auto& m : v.metrics) out += metric_row(m);
    out += "\n";
  }

  if (!v.thresholds.empty()) {
    out += "### Thresholds\n\n| Scenario | Threshold | Observed | Status |\n|---|---|--:|---|\n";
    for (const auto& t : v.thresholds) {
      out += "| " + code(t.scenario) + " | " + code(t.expression) + " | " + markdown_cell(threshold_observed(t)) +
             " | " + (t.passed ? "PASS" : "**FAILED**") + " |\n";
    }
    out += "\n";
  }

  if (!v.notes.empty()) {
    out += "### Notes\n\n";
    for (const auto& n : v.notes) out += "- " + markdown_cell(n) + "\n";
    out += "\n";
  }
  return out;
}

}  // namespace h2soak::sinks
