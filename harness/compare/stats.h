#pragma once
// Small-sample statistics for baselines and comparisons. Pure functions over
// plain vectors; no state, safe from any thread.

#include <cstddef>
#include <vector>

namespace h2soak::compare {

// Median; the mean of the two middle values for an even count. Requires a
// non-empty input.
double median(std::vector<double> values);

// Median absolute deviation from the median (unscaled). 0 for one value.
double median_absolute_deviation(const std::vector<double>& values);

// Sample standard deviation (n - 1 denominator); 0 for fewer than two values.
double sample_sd(const std::vector<double>& values);

struct MannWhitney {
  double u_a = 0;        // U statistic of sample a: pairs (a_i, b_j) with a_i > b_j (+0.5 per tie)
  double u_b = 0;        // U of sample b; u_a + u_b = n_a * n_b
  double p_value = 1;    // two-sided
  bool exact = false;    // exact null distribution (no ties, small samples) vs normal approximation
};

// Two-sided Mann–Whitney U test of samples a and b (each non-empty).
// Exact distribution when there are no ties and n_a * n_b <= 400; otherwise
// the normal approximation with tie correction and continuity correction
// (as scipy.stats.mannwhitneyu). When every value is equal, p = 1.
//
// The smallest two-sided p reachable is 2 / C(n_a + n_b, n_a): 0.1 for 3 vs 3,
// 0.029 for 4 vs 4, 0.008 for 5 vs 5 — hence kMinRunsForMannWhitney.
MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// Below this many runs on either side a two-sided test at alpha = 0.05 can
// never reject (benchstat's rule), so comparisons use interval rules instead.
inline constexpr std::size_t kMinRunsForMannWhitney = 4;

}  // namespace h2soak::compare
