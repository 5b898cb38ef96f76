#pragma once
// Theil–Sen line fit with Sen's (1968) distribution-free confidence interval
// for the slope. Robust: up to ~29 % of the points can be arbitrary outliers
// without moving the estimate, which is what a leak slope needs (a GC pause or
// an allocator trim shows up as a few wild samples, not as a trend).
//
// Slope = median of the pairwise slopes (y_j - y_i) / (x_j - x_i) over i < j
// with x_i != x_j; intercept = median of y - slope * x.
// Interval: with N pairwise slopes sorted and Var(S) the variance of Kendall's
// S under "no trend" (corrected for ties in y, which RSS sampled in pages has
// plenty of), C = z_{(1+confidence)/2} * sqrt(Var(S)); the bounds are the
// round((N - C) / 2)-th and (round((N + C) / 2) + 1)-th smallest slopes
// (1-based, clamped), as in Sen (1968) and R's trend::sens.slope.
// Sen's interval assumes independent residuals, and samples of a process's
// memory are not (allocator steps make runs of equal or similar values). So
// Var(S) is inflated by the Yue & Wang (2004) effective-sample-size factor
//   n/n* = 1 + 2 * sum_{k=1}^{n-1} (1 - k/n) * r1^k
// with r1 the lag-1 autocorrelation of the detrended residuals (only when
// r1 > 0, capped at 0.95); `autocorrelation_factor` reports it. Without this a
// flat-but-steppy RSS gets an interval too narrow to contain 0. Compare rules
// should still pair the interval with an absolute floor.
//
// Cost is O(n²) in time and memory, so the input is first thinned to at most
// max_points evenly spaced points (every k-th sample, keeping the last).

#include <cstddef>
#include <optional>
#include <vector>

namespace h2soak::analysis {

// The median of `v` (the mean of the two middle values for an even count);
// reorders v. v must not be empty.
double median_of(std::vector<double>& v);


struct SlopeFit {
  double slope = 0;      // y units per x unit
  double intercept = 0;
  double ci_low = 0;     // confidence interval of the slope
  double ci_high = 0;
  std::size_t points = 0;  // points used after thinning
  double lag1_autocorrelation = 0;   // of the residuals y - (intercept + slope * x)
  double autocorrelation_factor = 1; // Var(S) multiplier applied (>= 1)
};

// nullopt if fewer than 3 points with distinct x remain. x and y must have the same size.
std::optional<SlopeFit> theil_sen(const std::vector<double>& x, const std::vector<double>& y,
                                  double confidence = 0.95, std::size_t max_points = 600);

// Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
double normal_quantile(double p);

}  // namespace h2soak::analysis
