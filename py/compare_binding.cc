// Baselines and comparisons over result files, as `h2soak baseline
// record-from` and `h2soak compare` do: record_baseline and compare (the
// verdict as plain Python data).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/compare/baseline_store.h"
#include "harness/compare/result_adapter.h"
#include "harness/compare/verdict.h"
#include "py/bindings.h"

namespace py = pybind11;
using h2soak::py_binding::raise_result_error;

namespace {

template <typename T>
py::object opt(const std::optional<T>& v) {
  return v ? py::cast(*v) : py::none();
}

// compare_runs' Verdict as plain Python data (lists of dicts), so scripts and
// reports can use it without more bindings.
py::dict verdict_dict(const h2soak::compare::Verdict& v) {
  namespace cmp = h2soak::compare;
  py::list metrics;
  for (const auto& m : v.metrics) {
    py::dict d;
    d["scenario"] = m.scenario;
    d["metric"] = m.metric;
    d["unit"] = m.unit;
    d["baseline"] = opt(m.baseline);
    d["current"] = opt(m.current);
    d["change_abs"] = opt(m.change_abs);
    d["change_pct"] = opt(m.change_pct);
    d["limit"] = opt(m.limit);
    d["current_ci"] = m.current_ci ? py::make_tuple(m.current_ci->lo, m.current_ci->hi) : py::object(py::none());
    d["p_value"] = opt(m.p_value);
    d["baseline_runs"] = m.baseline_runs;
    d["current_runs"] = m.current_runs;
    d["method"] = cmp::method_name(m.method);
    d["status"] = cmp::status_name(m.status);
    d["reason"] = m.reason;
    metrics.append(d);
  }
  py::list thresholds;
  for (const auto& t : v.thresholds) {
    py::dict d;
    d["scenario"] = t.scenario;
    d["expression"] = t.expression;
    d["metric"] = t.metric;
    d["unit"] = t.unit;
    d["observed"] = opt(t.observed);
    d["limit"] = opt(t.limit);
    d["passed"] = t.passed;
    d["detail"] = t.detail;
    thresholds.append(d);
  }
  py::dict out;
  out["failed"] = v.failed();
  out["baseline"] = v.baseline_source;
  out["baseline_created_at"] = v.baseline_created_at;
  out["results"] = v.result_sources;
  out["metrics"] = metrics;
  out["thresholds"] = thresholds;
  out["notes"] = v.notes;
  return out;
}

py::dict compare_files(const std::vector<std::string>& results, const std::string& baseline_path,
                       bool allow_hash_mismatch, const std::vector<std::string>& thresholds) {
  namespace cmp = h2soak::compare;
  h2soak::Result<cmp::Verdict> verdict = [&]() -> h2soak::Result<cmp::Verdict> {
    py::gil_scoped_release release;
    auto baseline = cmp::load_baseline(baseline_path);
    if (!baseline) return baseline.error();
    std::vector<cmp::RunMetrics> runs;
    for (const auto& path : results) {
      auto run = cmp::load_run_metrics(path);
      if (!run) return run.error();
      runs.push_back(std::move(run).value());
    }
    cmp::CompareOptions options;
    options.allow_hash_mismatch = allow_hash_mismatch;
    options.thresholds = thresholds;
    return cmp::compare_runs(*baseline, runs, options, baseline_path);
  }();
  if (!verdict) raise_result_error(verdict.error());
  return verdict_dict(*verdict);
}

// Records a baseline from result files, as `h2soak baseline record` does
// from the results of its K runs.
void record_baseline(const std::vector<std::string>& results, const std::string& out, bool force) {
  namespace cmp = h2soak::compare;
  h2soak::Status s = [&]() -> h2soak::Status {
    py::gil_scoped_release release;
    std::vector<cmp::RunMetrics> runs;
    for (const auto& path : results) {
      auto run = cmp::load_run_metrics(path);
      if (!run) return run.error();
      runs.push_back(std::move(run).value());
    }
    cmp::BuildOptions options;
    options.h2soak_version = H2SOAK_VERSION;
    auto baseline = cmp::build_baseline(runs, options);
    if (!baseline) return baseline.error();
    return cmp::save_baseline(out, *baseline, force);
  }();
  if (!s) raise_result_error(s.error());
}

}  // namespace

namespace h2soak::py_binding {

void bind_compare(py::module_& m) {
  m.def("record_baseline", &record_baseline, py::arg("results"), py::arg("out"), py::arg("force") = false,
        "Build a baseline (median and spread per metric) from result files and write it atomically to `out`; "
        "refuses to replace an existing file unless force=True. Raises ResultError.");
  m.def("compare", &compare_files, py::arg("results"), py::arg("baseline"),
        py::arg("allow_hash_mismatch") = false, py::arg("thresholds") = std::vector<std::string>{},
        R"doc(Compare result files with a baseline file, as `h2soak compare` does.

Returns a dict: failed (bool, what makes `h2soak compare` exit 1), metrics (one
dict per scenario x metric: baseline, current, change_pct, limit, method,
status PASS/REGRESSION/IMPROVED/NEW/MISSING, reason, ...), thresholds, notes.
Raises ResultError for unreadable/corrupt files, another schema, or a
scenario hash that differs from the baseline's. Never modifies the baseline.)doc");
}

}  // namespace h2soak::py_binding
