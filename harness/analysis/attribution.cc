#include "harness/analysis/attribution.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

#include "harness/analysis/theil_sen.h"

namespace h2soak::analysis {
namespace {

// Below this, a pivot of the unit-diagonal normal matrix (1 - R² of a column
// on the columns before it) counts as zero.
constexpr double kPivotFloor = 1e-9;

// The median of a copy (median_of reorders its argument).
double median_copy(std::vector<double> v) { return median_of(v); }

bool increasing(const std::vector<double>& v) {
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (!(v[i] < v[i + 1])) return false;  // also false for NaN
  return true;
}

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// "" or why the input cannot be used at all.
std::string check_input(const AttributionInput& in) {
  if (in.edges.size() < 2) return "no slots";
  if (!all_finite(in.edges) || !increasing(in.edges)) return "slot edges are not increasing";
  const std::size_t slots = in.edges.size() - 1;
  if (in.kinds.size() != in.events.size()) return "kinds and event counts differ in number";
  for (std::size_t k = 0; k < in.events.size(); ++k) {
    if (in.events[k].size() != slots) return "event counts of " + in.kinds[k] + " are not one per slot";
    if (!all_finite(in.events[k])) return "event counts of " + in.kinds[k] + " are not finite";
  }
  if (in.t.size() != in.y.size()) return "sample times and values differ in length";
  if (in.t.size() < 2) return "fewer than 2 samples";
  if (!all_finite(in.t) || !increasing(in.t)) return "sample times are not increasing";
  if (!all_finite(in.y)) return "sample values are not finite";
  return "";
}

// level(e) from the header: median of the samples with |t - e| <= h, else
// the interpolation between the samples either side. t.front() <= e <= t.back().
double level_at(const std::vector<double>& t, const std::vector<double>& y, double e, double h) {
  const auto first = std::lower_bound(t.begin(), t.end(), e - h);
  const auto last = std::upper_bound(t.begin(), t.end(), e + h);
  const auto i = static_cast<std::size_t>(first - t.begin());
  const auto j = static_cast<std::size_t>(last - t.begin());
  if (i < j)
    return median_copy(std::vector<double>(y.begin() + static_cast<std::ptrdiff_t>(i),
                                         y.begin() + static_cast<std::ptrdiff_t>(j)));
  // No sample within h: t[i - 1] < e - h and t[i] > e + h (both exist as e is covered).
  const double w = (e - t[i - 1]) / (t[i] - t[i - 1]);
  return y[i - 1] + w * (y[i] - y[i - 1]);
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

using Matrix = std::vector<std::vector<double>>;

// Lower-triangular L with a = L Lᵀ; nullopt when a pivot is below kPivotFloor.
std::optional<Matrix> cholesky(const Matrix& a) {
  const std::size_t p = a.size();
  Matrix l(p, std::vector<double>(p, 0));
  for (std::size_t j = 0; j < p; ++j) {
    double pivot = a[j][j];
    for (std::size_t k = 0; k < j; ++k) pivot -= l[j][k] * l[j][k];
    if (!(pivot >= kPivotFloor)) return std::nullopt;
    l[j][j] = std::sqrt(pivot);
    for (std::size_t i = j + 1; i < p; ++i) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      l[i][j] = s / l[j][j];
    }
  }
  return l;
}

// x with L Lᵀ x = b.
std::vector<double> cholesky_solve(const Matrix& l, std::vector<double> b) {
  const std::size_t p = l.size();
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t k = 0; k < i; ++k) b[i] -= l[i][k] * b[k];
    b[i] /= l[i][i];
  }
  for (std::size_t i = p; i-- > 0;) {
    for (std::size_t k = i + 1; k < p; ++k) b[i] -= l[k][i] * b[k];
    b[i] /= l[i][i];
  }
  return b;
}

struct LeastSquares {
  std::vector<double> coef;      // one per column
  std::vector<double> inv_diag;  // diagonal of (XᵀX)⁻¹, in the columns' own scale
};

// OLS of d on the columns (each nonzero); nullopt when they are collinear.
std::optional<LeastSquares> least_squares(const Matrix& columns, const std::vector<double>& d) {
  const std::size_t p = columns.size();
  std::vector<double> norm(p);
  Matrix z = columns;
  for (std::size_t j = 0; j < p; ++j) {
    norm[j] = std::sqrt(dot(columns[j], columns[j]));
    for (double& v : z[j]) v /= norm[j];
  }
  Matrix a(p, std::vector<double>(p));
  std::vector<double> r(p);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) a[i][j] = dot(z[i], z[j]);
    r[i] = dot(z[i], d);
  }
  auto l = cholesky(a);
  if (!l) return std::nullopt;
  LeastSquares fit;
  std::vector<double> beta = cholesky_solve(*l, r);
  for (std::size_t j = 0; j < p; ++j) {
    std::vector<double> unit(p, 0);
    unit[j] = 1;
    fit.coef.push_back(beta[j] / norm[j]);
    fit.inv_diag.push_back(cholesky_solve(*l, unit)[j] / (norm[j] * norm[j]));
  }
  return fit;
}

Attribution not_separable(std::string why) {
  Attribution a;
  a.why = std::move(why);
  return a;
}

// P(|T| < x) for Student's T with dof degrees of freedom, x >= 0
// (Abramowitz & Stegun 26.7.3, exact for integer dof).
double t_central_probability(double x, int dof) {
  const double theta = std::atan(x / std::sqrt(static_cast<double>(dof)));
  const double s = std::sin(theta), c = std::cos(theta);
  if (dof % 2 == 0) {
    double term = 1, sum = 1;
    for (int k = 2; k <= dof - 2; k += 2) {
      term *= c * c * (k - 1) / k;
      sum += term;
    }
    return s * sum;
  }
  double term = c, sum = dof > 1 ? c : 0;
  for (int k = 3; k <= dof - 2; k += 2) {
    term *= c * c * (k - 1) / k;
    sum += term;
  }
  return 2 / std::numbers::pi * (theta + s * sum);
}

}  // namespace

double student_t_975(int dof) {
  if (dof < 1) return INFINITY;
  if (dof > 200) {
    // Cornish–Fisher expansion around the normal quantile (A&S 26.7.5); its
    // error at 200 dof is far below 1e-9.
    const double z = normal_quantile(0.975), n = dof;
    const double z2 = z * z;
    const double g1 = (z2 + 1) * z / 4;
    const double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
    const double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
    const double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
    return z + (g1 + (g2 + (g3 + g4 / n) / n) / n) / n;
  }
  double lo = 0, hi = 64;  // dof 1: 12.706
  for (int i = 0; i < 64; ++i) {
    const double mid = (lo + hi) / 2;
    if (t_central_probability(mid, dof) < 0.95)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

Attribution attribute(const AttributionInput& in) {
  if (std::string why = check_input(in); !why.empty()) return not_separable(why);
  if (in.edges.front() < in.t.front() || in.edges.back() > in.t.back())
    return not_separable("samples do not cover the slots");
  const std::size_t slots = in.edges.size() - 1, kinds = in.kinds.size();

  std::vector<double> gaps;
  for (std::size_t i = 0; i + 1 < in.t.size(); ++i) gaps.push_back(in.t[i + 1] - in.t[i]);
  const double h = 1.5 * median_of(gaps);  // gaps is ours to reorder
  std::vector<double> level;
  for (double e : in.edges) level.push_back(level_at(in.t, in.y, e, h));
  std::vector<double> d, length;
  for (std::size_t s = 0; s < slots; ++s) {
    d.push_back(level[s + 1] - level[s]);
    length.push_back(in.edges[s + 1] - in.edges[s]);
  }

  // Columns: the slot length (drift), then every kind that has events.
  Matrix columns{length};
  std::vector<std::size_t> column_of(kinds, 0);  // 0: kind left out
  for (std::size_t k = 0; k < kinds; ++k) {
    const auto& e = in.events[k];
    if (std::any_of(e.begin(), e.end(), [](double n) { return n != 0; })) {
      column_of[k] = columns.size();
      columns.push_back(e);
    }
  }
  const std::size_t p = columns.size();
  if (slots < p + 2)
    return not_separable("too few slots: " + std::to_string(slots) + " for " + std::to_string(p) +
                         " fitted columns, need 2 more");
  auto fit = least_squares(columns, d);
  if (!fit) return not_separable("event counts are collinear (no modulation?)");

  Attribution out;
  out.separable = true;
  out.dof = static_cast<int>(slots - p);
  double rss = 0;
  for (std::size_t s = 0; s < slots; ++s) {
    double r = d[s];
    for (std::size_t j = 0; j < p; ++j) r -= fit->coef[j] * columns[j][s];
    rss += r * r;
  }
  const double s2 = rss / out.dof, tq = student_t_975(out.dof);
  auto half_width = [&](std::size_t j) { return tq * std::sqrt(s2 * fit->inv_diag[j]); };

  out.per_second = fit->coef[0];
  out.per_second_ci_low = out.per_second - half_width(0);
  out.per_second_ci_high = out.per_second + half_width(0);
  out.total_growth = level[slots] - level[0];
  out.residual_sd = std::sqrt(s2);
  out.grew = out.total_growth > tq * out.residual_sd * std::sqrt(static_cast<double>(slots));
  const double scale = std::max(std::abs(level[slots]), std::abs(level[0]));
  const bool no_growth = std::abs(out.total_growth) <= 1e-12 * scale;
  for (std::size_t k = 0; k < kinds; ++k) {
    AttributionRow row;
    row.kind = in.kinds[k];
    if (const std::size_t j = column_of[k]; j != 0) {
      row.per_event = fit->coef[j];
      row.ci_low = row.per_event - half_width(j);
      row.ci_high = row.per_event + half_width(j);
      for (double n : in.events[k]) row.events += n;
      row.share = no_growth ? 0 : row.per_event * row.events / out.total_growth;
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace h2soak::analysis
