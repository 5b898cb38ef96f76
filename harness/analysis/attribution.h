#pragma once
// Attribution of a resource's growth to kinds of events, for a run whose
// workloads were switched on and off during steady in slots following Walsh
// patterns (Plan::modulation, harness/scenario/plan.h), so the per-slot event
// counts of the kinds are not collinear. Answers "how many bytes (threads,
// fds, gauge units) does one upload leave behind", with a 95 % interval, and
// how much of the total growth each kind explains. Pure: no I/O, no clock.
// Who calls: add_attribution_metrics() (harness/run/attribution_metrics.h),
// once per resource signal (RSS bytes, thread count, fd count or a gauge),
// with the slot edges and the events each workload started per slot.
//
// Response per slot s: d_s = level(edges[s+1]) - level(edges[s]), where
// level(e) is the median of the samples with |t - e| <= h, h = 1.5 * the
// median sample spacing (about 3 samples around the edge); when no sample is
// that close, the linear interpolation between the samples either side. An
// edge outside [t.front(), t.back()] makes the input not separable. Centred
// on the edge, the level counts the events of either slot where they fall; a
// level that follows an on/off state switched at the edge (what a workload
// holds while it runs) is caught part-way, and is the caller's to model as a
// column of steps (+1 on, -1 off at that slot's start).
// Model, ordinary least squares over the S slots:
//   d_s = c * len_s + sum_k b_k * events[k][s] + noise
// with len_s the slot length, so c is a drift in y units per second (growth no
// event explains) and b_k the change of y per event of kind k. A kind with no
// events at all is left out of the fit and reported as 0 with interval [0, 0].
// The columns are scaled to unit norm and the normal equations solved by
// Cholesky; a pivot (1 - R² of a column on the ones before it) below 1e-9
// means the counts are collinear (no modulation) and the input not separable.
// Residual degrees of freedom dof = S - fitted columns, at least 2; the
// intervals are estimate ± t_{0.975,dof} * se with the covariance
// s² (XᵀX)⁻¹, s² = RSS / dof. They assume independent d_s: right for a
// signal that moves in steps (random-walk noise). White noise on the levels
// makes consecutive d_s anti-correlated (-0.5), and events close to an edge
// land in the level of the neighbouring slot; both narrow the interval of a
// pattern that flips every slot, or of a kind with a large effect, to about
// 85 % coverage in attribution_test's setup.
// share_k = b_k * (events of k) / total growth, total growth = level(last
// edge) - level(first edge); 0 when the growth is 0 (relative to the level).

#include <string>
#include <vector>

namespace h2soak::analysis {

struct AttributionInput {
  std::vector<double> edges;               // S+1 slot edges, seconds since run start, increasing
  std::vector<std::string> kinds;          // K event kinds (e.g. workload names)
  std::vector<std::vector<double>> events; // [K][S]: events of kind k started in slot s
  std::vector<double> t;                   // resource samples: time (s, increasing)
  std::vector<double> y;                   // resource samples: value, same length as t
};

struct AttributionRow {
  std::string kind;
  double per_event = 0;             // change of y per event of this kind
  double ci_low = 0, ci_high = 0;   // 95 % two-sided t interval
  double events = 0;                // total events of this kind over all slots
  double share = 0;                 // per_event * events / total_growth; 0 if the growth is 0
};

struct Attribution {
  bool separable = false;  // false: bad input, too few slots or collinear counts; rows then empty
  std::string why;         // reason when !separable, in plain words
  std::vector<AttributionRow> rows;  // one per kind, input order
  // Drift: y units per second not explained by events, with its interval.
  double per_second = 0, per_second_ci_low = 0, per_second_ci_high = 0;
  double total_growth = 0;  // level(last edge) - level(first edge)
  int dof = 0;              // residual degrees of freedom: S - fitted columns
  double residual_sd = 0;   // sqrt(RSS / dof): the noise of one slot's change
  // The growth over the slots stands out of the noise: total_growth exceeds
  // t_{0.975,dof} * residual_sd * sqrt(S), what S slots of noise alone would
  // add up to. Without it there is nothing to attribute (a flat signal's
  // rows only fit its wiggles).
  bool grew = false;
};

// Not separable (and every other field zero) when: there is no slot, the
// edges or sample times are not increasing, events is not K x S, t and y
// differ in length or hold fewer than 2 samples, the samples do not cover the
// edges, dof < 2, or the counts are collinear.
Attribution attribute(const AttributionInput& in);

// Student-t 0.975 quantile (two-sided 95 %) for dof >= 1: bisection on the
// exact t CDF for integer dof (Abramowitz & Stegun 26.7.3) up to 200 dof, the
// Cornish–Fisher expansion (26.7.5) above. +infinity for dof < 1.
double student_t_975(int dof);

}  // namespace h2soak::analysis
