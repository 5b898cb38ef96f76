#include "harness/sinks/terminal_sink.h"

#include <algorithm>
#include <array>
#include <vector>

#include "harness/compare/format.h"
#include "harness/sinks/cells.h"

namespace h2soak::sinks {

namespace {

constexpr const char* kRed = "\x1b[31;1m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kReset = "\x1b[0m";

const char* color_of(compare::MetricStatus s) {
  switch (s) {
    case compare::MetricStatus::kRegression: return kRed;
    case compare::MetricStatus::kImproved: return kGreen;
    case compare::MetricStatus::kNew:
    case compare::MetricStatus::kMissing:
    case compare::MetricStatus::kWarning: return kYellow;
    case compare::MetricStatus::kPass: return nullptr;
  }
  return nullptr;
}

// Display width in columns: UTF-8 continuation bytes take no column.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void pad(std::string& out, const std::string& cell, std::size_t w, bool right) {
  std::string fill(w > width(cell) ? w - width(cell) : 0, ' ');
  out += right ? fill + cell : cell + fill;
}

// Appends rows as an aligned table; `colors` (one per row, may be null) wraps
// the whole row so that padding stays correct.
template <std::size_t N>
void table(std::string& out, const std::array<const char*, N>& header, const std::array<bool, N>& right,
           const std::vector<std::array<std::string, N>>& rows, const std::vector<const char*>& colors) {
  std::array<std::size_t, N> w{};
  for (std::size_t i = 0; i < N; ++i) w[i] = width(header[i]);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < N; ++i) w[i] = std::max(w[i], width(row[i]));
  }
  auto line = [&](const std::array<std::string, N>& cells, const char* color) {
    std::string l;
    for (std::size_t i = 0; i < N; ++i) {
      if (i > 0) l += "  ";
      pad(l, cells[i], i + 1 == N ? 0 : w[i], right[i]);
    }
    out += color != nullptr ? color + l + kReset : l;
    out += '\n';
  };
  std::array<std::string, N> h;
  for (std::size_t i = 0; i < N; ++i) h[i] = header[i];
  line(h, nullptr);
  for (std::size_t r = 0; r < rows.size(); ++r) line(rows[r], colors[r]);
}

}  // namespace

std::string render_terminal(const compare::Verdict& v, bool color) {
  std::string out;
  out += "h2soak compare: " + std::to_string(v.result_sources.size()) + " result file(s) against " +
         (v.baseline_source.empty() ? std::string("the baseline") : v.baseline_source);
  if (!v.baseline_created_at.empty()) out += " (recorded " + v.baseline_created_at + " on " + v.baseline_machine.hostname + ")";
  out += "\n\n";

  if (!v.metrics.empty()) {
    std::vector<std::array<std::string, 7>> rows;
    std::vector<const char*> colors;
    for (const auto& m : v.metrics) {
      Cells c = cells_of(m);
      rows.push_back({c.scenario, c.metric, c.baseline, c.current, c.change, c.limit, c.status});
      colors.push_back(color ? color_of(m.status) : nullptr);
    }
    table<7>(out, {"SCENARIO", "METRIC", "BASELINE", "CURRENT", "CHANGE", "LIMIT", "STATUS"},
             {false, false, true, true, true, true, false}, rows, colors);
  }

  if (!v.thresholds.empty()) {
    out += "\n";
    std::vector<std::array<std::string, 4>> rows;
    std::vector<const char*> colors;
    for (const auto& t : v.thresholds) {
      rows.push_back({t.scenario, t.expression, threshold_observed(t), t.passed ? "PASS" : "FAILED"});
      colors.push_back(color && !t.passed ? kRed : nullptr);
    }
    table<4>(out, {"SCENARIO", "THRESHOLD", "OBSERVED", "STATUS"}, {false, false, true, false}, rows, colors);
  }

  bool header = false;
  for (const auto& m : v.metrics) {
    if (m.status != compare::MetricStatus::kRegression) continue;
    if (!header) out += "\nRegressions:\n";
    header = true;
    out += "  " + m.scenario + " " + m.metric + ": " + m.reason + " [" + compare::method_name(m.method) + "]\n";
    if (!m.explanation.empty()) out += "    explained by: " + m.explanation + "\n";
  }
  for (const auto& t : v.thresholds) {
    if (t.passed) continue;
    if (!header) out += "\nRegressions:\n";
    header = true;
    out += "  " + t.scenario + " threshold \"" + t.expression + "\": " + t.detail + "\n";
  }
  header = false;
  for (const auto& m : v.metrics) {
    if (m.status != compare::MetricStatus::kWarning) continue;
    if (!header) out += "\nWarnings (do not fail the job):\n";
    header = true;
    out += "  " + m.scenario + " " + m.metric + ": " + m.reason + " [" + compare::method_name(m.method) + "]\n";
    if (!m.explanation.empty()) out += "    explained by: " + m.explanation + "\n";
  }
  if (!v.notes.empty()) {
    out += "\nNotes:\n";
    for (const auto& n : v.notes) out += "  - " + n + "\n";
  }
  std::string summary = summary_line(v);
  out += "\n";
  out += color ? std::string(v.failed() ? kRed : kGreen) + summary + kReset : summary;
  out += "\n";
  return out;
}

}  // namespace h2soak::sinks
