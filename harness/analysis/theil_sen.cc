#include "harness/analysis/theil_sen.h"

#include <algorithm>
#include <cmath>

namespace h2soak::analysis {
namespace {

// k-th smallest (0-based); reorders v.
double kth(std::vector<double>& v, std::size_t k) {
  k = std::min(k, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

double normal_quantile(double p) {
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) return -normal_quantile(1 - p);
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

std::optional<SlopeFit> theil_sen(const std::vector<double>& x_in, const std::vector<double>& y_in,
                                  double confidence, std::size_t max_points) {
  std::size_t n_in = std::min(x_in.size(), y_in.size());
  if (n_in < 3) return std::nullopt;
  max_points = std::max<std::size_t>(max_points, 3);
  std::vector<double> x, y;
  if (n_in <= max_points) {
    x.assign(x_in.begin(), x_in.begin() + static_cast<std::ptrdiff_t>(n_in));
    y.assign(y_in.begin(), y_in.begin() + static_cast<std::ptrdiff_t>(n_in));
  } else {
    // Evenly spaced indices from first to last.
    x.reserve(max_points);
    y.reserve(max_points);
    for (std::size_t k = 0; k < max_points; ++k) {
      std::size_t i = k * (n_in - 1) / (max_points - 1);
      x.push_back(x_in[i]);
      y.push_back(y_in[i]);
    }
  }
  const std::size_t n = x.size();

  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (x[j] != x[i]) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
  if (slopes.size() < 3) return std::nullopt;

  SlopeFit fit;
  fit.points = n;
  fit.slope = median_of(slopes);
  std::vector<double> resid(n);
  for (std::size_t i = 0; i < n; ++i) resid[i] = y[i] - fit.slope * x[i];
  fit.intercept = median_of(resid);

  // Var(S) with the tie correction for groups of equal y.
  double dn = static_cast<double>(n);
  double var_s = dn * (dn - 1) * (2 * dn + 5);
  std::vector<double> ys = y;
  std::sort(ys.begin(), ys.end());
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && ys[j] == ys[i]) ++j;
    double t = static_cast<double>(j - i);
    if (t > 1) var_s -= t * (t - 1) * (2 * t + 5);
    i = j;
  }
  var_s /= 18;

  // Lag-1 autocorrelation of the detrended residuals (points are in x order).
  std::vector<double> r(n);
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = y[i] - fit.intercept - fit.slope * x[i];
    mean += r[i];
  }
  mean /= dn;
  double num = 0, den = 0;
  for (std::size_t i = 0; i < n; ++i) {
    den += (r[i] - mean) * (r[i] - mean);
    if (i + 1 < n) num += (r[i] - mean) * (r[i + 1] - mean);
  }
  double r1 = den > 0 ? num / den : 0;
  fit.lag1_autocorrelation = r1;
  if (r1 > 0) {
    r1 = std::min(r1, 0.95);
    double factor = 1, power = 1;
    for (std::size_t k = 1; k < n; ++k) {
      power *= r1;
      if (power < 1e-12) break;
      factor += 2 * (1 - static_cast<double>(k) / dn) * power;
    }
    fit.autocorrelation_factor = factor;
    var_s *= factor;
  }
  double c = normal_quantile(0.5 + confidence / 2) * std::sqrt(std::max(var_s, 0.0));
  double big_n = static_cast<double>(slopes.size());
  // 1-based ranks from Sen (1968), converted to 0-based and clamped.
  double m1 = std::round((big_n - c) / 2);
  double m2 = std::round((big_n + c) / 2) + 1;
  auto to_index = [&](double rank) {
    if (rank < 1) rank = 1;
    if (rank > big_n) rank = big_n;
    return static_cast<std::size_t>(rank) - 1;
  };
  fit.ci_low = kth(slopes, to_index(m1));
  fit.ci_high = kth(slopes, to_index(m2));
  return fit;
}

double median_of(std::vector<double>& v) {
  std::size_t n = v.size();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  double hi = *mid;
  if (n % 2) return hi;
  double lo = *std::max_element(v.begin(), mid);
  return (lo + hi) / 2;
}

}  // namespace h2soak::analysis
