#include "harness/compare/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace h2soak::compare {

double median(std::vector<double> values) {
  assert(!values.empty());
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

double median_absolute_deviation(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double m = median(values);
  std::vector<double> dev;
  dev.reserve(values.size());
  for (double v : values) dev.push_back(std::fabs(v - m));
  return median(std::move(dev));
}

double sample_sd(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

namespace {

// Number of arrangements of n_a + n_b distinct values giving each U of sample
// a, by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
std::vector<double> exact_u_counts(std::size_t n_a, std::size_t n_b) {
  // table[m][n] is a distribution over u; built bottom-up.
  std::vector<std::vector<std::vector<double>>> table(
      n_a + 1, std::vector<std::vector<double>>(n_b + 1));
  for (std::size_t m = 0; m <= n_a; ++m) {
    for (std::size_t n = 0; n <= n_b; ++n) {
      auto& dist = table[m][n];
      dist.assign(m * n + 1, 0.0);
      if (m == 0 || n == 0) {
        dist[0] = 1.0;
        continue;
      }
      // The largest value belongs to a (beats all n of b) or to b.
      const auto& with_a = table[m - 1][n];
      const auto& with_b = table[m][n - 1];
      for (std::size_t u = 0; u < with_a.size(); ++u) dist[u + n] += with_a[u];
      for (std::size_t u = 0; u < with_b.size(); ++u) dist[u] += with_b[u];
    }
  }
  return std::move(table[n_a][n_b]);  // n_a * n_b + 1 entries
}

}  // namespace

MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  assert(!a.empty() && !b.empty());
  MannWhitney r;
  const double n_a = static_cast<double>(a.size());
  const double n_b = static_cast<double>(b.size());

  // Ranks of the pooled sample (midranks for ties) and the tie term.
  std::vector<std::pair<double, int>> pooled;
  pooled.reserve(a.size() + b.size());
  for (double v : a) pooled.emplace_back(v, 0);
  for (double v : b) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  double rank_sum_a = 0;
  double tie_term = 0;  // sum of t^3 - t over tie groups
  bool ties = false;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    double t = static_cast<double>(j - i);
    double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second == 0) rank_sum_a += midrank;
    }
    if (t > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    i = j;
  }
  r.u_a = rank_sum_a - n_a * (n_a + 1) / 2.0;
  r.u_b = n_a * n_b - r.u_a;
  const double u_min = std::min(r.u_a, r.u_b);

  if (!ties && a.size() * b.size() <= 400) {
    auto counts = exact_u_counts(a.size(), b.size());
    double total = 0;
    for (double c : counts) total += c;
    double tail = 0;
    for (std::size_t u = 0; u < counts.size() && static_cast<double>(u) <= u_min + 1e-9; ++u) {
      tail += counts[u];
    }
    r.p_value = std::min(1.0, 2.0 * tail / total);
    r.exact = true;
    return r;
  }

  const double n = n_a + n_b;
  const double mu = n_a * n_b / 2.0;
  const double var = n_a * n_b / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) {
    r.p_value = 1;  // every value equal: no evidence of a difference
    return r;
  }
  double z = (std::fabs(r.u_a - mu) - 0.5) / std::sqrt(var);
  if (z < 0) z = 0;
  r.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

}  // namespace h2soak::compare
