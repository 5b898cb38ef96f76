#pragma once
// A/B comparison of paired runs (`h2soak ab`): A and B ran alternately
// (A B A B ...), so each pair shares the machine's state of the moment and
// drift cancels out in the pair's difference.
//
// For every gated metric (gate.h) of a scenario, over the K pairs:
//   d_i = B_i − A_i, r_i = B_i / A_i (when every A_i ≠ 0)
//   allowance = max(relative tolerance × |median A|, absolute floor)  (rules
//   as for a baseline: compare::default_rule, the result's hints, the
//   scenario's regression rules)
//   REGRESSION when median(d) is beyond the allowance in the bad direction;
//   for a leak metric whose B runs all carry an interval, the median of
//   (B_i's bound nearest to A_i − A_i) must be beyond it (B's interval lies
//   wholly on the bad side). IMPROVED mirrors it; else PASS.
// The verdict reuses compare::Verdict (baseline = median A, current =
// median B, change = median of the pairs) so that every sink prints it; the
// scenario's thresholds are checked on the B runs.

#include <vector>

#include "harness/compare/verdict.h"
#include "harness/run/gate.h"
#include "harness/util/result.h"

namespace h2soak::run {

// a[i] and b[i] are pair i (same scenario order in both).
Result<compare::Verdict> compare_pairs(const std::vector<FinishedRun>& a, const std::vector<FinishedRun>& b);

}  // namespace h2soak::run
