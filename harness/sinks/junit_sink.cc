#include "harness/sinks/junit_sink.h"

#include <map>
#include <vector>

#include "harness/sinks/cells.h"

namespace h2soak::sinks {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
          out += "\xEF\xBF\xBD";  // U+FFFD: XML 1.0 cannot carry this character at all
        } else {
          out += ch;
        }
    }
  }
  return out;
}

namespace {

struct Case {
  std::string name;
  std::string failure_type;     // empty: passed
  std::string failure_message;
  std::string failure_body;
  std::string skipped_message;  // non-empty: skipped
  std::string output;           // non-empty: <system-out> (a passing case with a warning)
};

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + xml_escape(value) + "\"";
}

}  // namespace

std::string render_junit(const compare::Verdict& v) {
  using compare::MetricStatus;
  // Scenario → cases, in the verdict's order (metrics are sorted by scenario).
  std::vector<std::string> order;
  std::map<std::string, std::vector<Case>> suites;
  auto suite = [&](const std::string& scenario) -> std::vector<Case>& {
    auto [it, inserted] = suites.try_emplace(scenario);
    if (inserted) order.push_back(scenario);
    return it->second;
  };

  for (const auto& m : v.metrics) {
    Case c;
    c.name = m.metric;
    Cells cells = cells_of(m);
    if (m.status == MetricStatus::kRegression) {
      c.failure_type = "regression";
      // The first thing a reader of a failed CI job sees: what leaks, per
      // what, when the run could tell; then the rule's own reason.
      c.failure_message = m.metric + ": " + (m.explanation.empty() ? m.reason : m.explanation + "; " + m.reason);
      c.failure_body = "baseline: " + cells.baseline + "\ncurrent:  " + cells.current + "\nchange:   " + cells.change +
                       "\nlimit:    " + cells.limit + "\nwhy:      " + compare::limit_explanation(m) +
                       "\nrule:     " + compare::method_name(m.method) + "\n";
    } else if (m.status == MetricStatus::kMissing) {
      c.skipped_message = m.reason;
    } else if (m.status == MetricStatus::kWarning) {
      c.output = "WARN " + m.metric + ": " + m.reason + "\n";
      if (!m.explanation.empty()) c.output += "explained by: " + m.explanation + "\n";
    }
    suite(m.scenario).push_back(std::move(c));
  }
  for (const auto& t : v.thresholds) {
    Case c;
    c.name = "threshold: " + t.expression;
    if (!t.passed) {
      c.failure_type = "threshold";
      c.failure_message = t.detail.empty() ? "threshold failed" : t.detail;
    }
    suite(t.scenario).push_back(std::move(c));
  }

  std::size_t total = 0, failures = 0, skipped = 0;
  for (const auto& [_, cases] : suites) {
    for (const auto& c : cases) {
      ++total;
      if (!c.failure_type.empty()) ++failures;
      if (!c.skipped_message.empty()) ++skipped;
    }
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", "h2soak compare") + attr("tests", std::to_string(total)) +
         attr("failures", std::to_string(failures)) + attr("errors", "0") + attr("skipped", std::to_string(skipped)) +
         ">\n";
  std::string notes;
  for (const auto& n : v.notes) notes += n + "\n";
  if (order.empty() && !notes.empty()) {
    order.push_back("h2soak");  // a suite to carry the notes
    suites.try_emplace("h2soak");
  }
  bool first = true;
  for (const auto& scenario : order) {
    const auto& cases = suites[scenario];
    std::size_t f = 0, s = 0;
    for (const auto& c : cases) {
      if (!c.failure_type.empty()) ++f;
      if (!c.skipped_message.empty()) ++s;
    }
    out += "  <testsuite" + attr("name", scenario) + attr("tests", std::to_string(cases.size())) +
           attr("failures", std::to_string(f)) + attr("errors", "0") + attr("skipped", std::to_string(s)) + ">\n";
    for (const auto& c : cases) {
      out += "    <testcase" + attr("classname", "h2soak." + scenario) + attr("name", c.name);
      if (c.failure_type.empty() && c.skipped_message.empty() && c.output.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (!c.failure_type.empty()) {
        out += "      <failure" + attr("type", c.failure_type) + attr("message", c.failure_message);
        out += c.failure_body.empty() ? "/>\n" : ">" + xml_escape(c.failure_body) + "</failure>\n";
      }
      if (!c.skipped_message.empty()) out += "      <skipped" + attr("message", c.skipped_message) + "/>\n";
      if (!c.output.empty()) out += "      <system-out>" + xml_escape(c.output) + "</system-out>\n";
      out += "    </testcase>\n";
    }
    // The verdict's notes go to the first suite: the JUnit schema has no
    // place for them on <testsuites>.
    if (first && !notes.empty()) out += "    <system-out>" + xml_escape(notes) + "</system-out>\n";
    first = false;
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace h2soak::sinks
