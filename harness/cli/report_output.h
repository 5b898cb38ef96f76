#pragma once
// `--report DIR` of `h2soak run`, `h2soak merge` and `h2soak ab`: the HTML
// page a person reads, written after the verdict. The verdict goes to
// DIR/verdict.json (h2soak.verdict/v1), then reports/plot_run.py renders
// DIR/report.html (self-contained: the verdict table first, then each
// scenario's tables and plots) from the run's result files — for `merge`,
// the merged result; for `ab`, A's and B's results as the two sides of an
// A/B report.
//
// Where the script is: $H2SOAK_REPORTS_DIR, else the reports/ folder of the
// source tree h2soak was built from. The interpreter: $H2SOAK_PYTHON, else
// Debian's /usr/bin/python3 (it needs python3-matplotlib and python3-numpy,
// which ci/deps.sh installs). A missing script or a failed render is an
// error on stderr and `false`: the run's verdict and results stand.

#include <string>
#include <vector>

#include "harness/compare/verdict.h"

namespace h2soak::cli {

struct ReportRequest {
  std::string dir;                      // created if missing
  std::vector<std::string> results;     // result files (A's for an A/B report)
  std::vector<std::string> b_results;   // B's result files (ab only)
  std::string baseline;                 // the baseline file compared with, or ""
  const compare::Verdict* verdict = nullptr;
};

// Writes DIR/verdict.json and DIR/report.html and prints "report: DIR/report.html";
// false (with the reason on stderr) when either could not be written.
bool write_html_report(const ReportRequest& request);

}  // namespace h2soak::cli
