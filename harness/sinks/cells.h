#pragma once
// The text cells every tabular sink shows for a metric verdict, so that the
// terminal, Markdown and JUnit outputs agree to the character.

#include <string>

#include "harness/compare/verdict.h"

namespace h2soak::sinks {

struct Cells {
  std::string scenario;
  std::string metric;
  std::string baseline;  // "101.0 MiB", "-" when absent
  std::string current;
  std::string change;    // "+49.0 MiB (+48.5%)", "-" when absent
  std::string limit;     // "<= 111.1 MiB (spread)" / ">= 900 req/s (tolerance)", "-" when absent
  std::string status;    // "PASS", "REGRESSION", ...
};

Cells cells_of(const compare::MetricVerdict& v);

// A threshold row's observed value and limit, formatted in the metric's unit.
std::string threshold_observed(const compare::ThresholdVerdict& t);

// "FAIL: 1 regression, 1 failed threshold (40 pass, 1 warning, 2 improved, 1 new, 0 missing; ...)"
// or "PASS: ...".
std::string summary_line(const compare::Verdict& v);

}  // namespace h2soak::sinks
