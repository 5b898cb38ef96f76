// Baselines and comparisons over result files, as `h2soak baseline
// record-from` and `h2soak compare` do: record_baseline and compare (the
// verdict as plain Python data), and load_baseline, which returns the
// baseline file as read-only objects (Baseline -> BaselineScenario ->
// BaselineMetric, MachineProfile; compare::Baseline as it is). Objects
// reached from a Baseline are views kept alive by it (reference_internal).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

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

h2soak::compare::Baseline load_baseline_file(const std::string& path) {
  h2soak::Result<h2soak::compare::Baseline> b = [&] {
    py::gil_scoped_release release;
    return h2soak::compare::load_baseline(path);
  }();
  if (!b) raise_result_error(b.error());  // "<path>: what is wrong"
  return std::move(b).value();
}

// A dict name(item) -> object(item) over `items`, each a view kept alive by `owner`.
template <typename Range, typename Name, typename Object>
py::dict views_by_name(const Range& items, Name name, Object object, py::handle owner) {
  py::dict d;
  for (const auto& item : items) {
    d[py::str(name(item))] = py::cast(&object(item), py::return_value_policy::reference_internal, owner);
  }
  return d;
}

void bind_baseline_classes(py::module_& m) {
  namespace cmp = h2soak::compare;
  py::class_<cmp::MachineProfile>(m, "MachineProfile", "The machine a baseline (or run) was recorded on.")
      .def_readonly("hostname", &cmp::MachineProfile::hostname)
      .def_readonly("cpu_model", &cmp::MachineProfile::cpu_model)
      .def_readonly("cores", &cmp::MachineProfile::cores)
      .def_readonly("kernel", &cmp::MachineProfile::kernel)
      .def("__repr__", [](const cmp::MachineProfile& p) {
        return fmt::format("<h2soak.MachineProfile {} {} cores={}>", p.hostname, p.cpu_model, p.cores);
      });

  py::class_<cmp::BaselineMetric>(m, "BaselineMetric",
                                  "One metric of a baseline scenario: the reference (median of the K runs), its "
                                  "spread, and the rule compare applies.")
      .def_readonly("unit", &cmp::BaselineMetric::unit)
      .def_readonly("reference", &cmp::BaselineMetric::reference, "median of the K runs' values")
      .def_readonly("min", &cmp::BaselineMetric::min)
      .def_readonly("max", &cmp::BaselineMetric::max)
      .def_readonly("mad", &cmp::BaselineMetric::mad, "median absolute deviation")
      .def_readonly("sd", &cmp::BaselineMetric::sd, "sample standard deviation")
      .def_property_readonly("spread", &cmp::BaselineMetric::spread,
                             "largest distance of a run from the reference: the noise compare tolerates")
      .def_readonly("values", &cmp::BaselineMetric::values, "the K raw values, in run order")
      .def_property_readonly(
          "cis",
          [](const cmp::BaselineMetric& b) {
            std::vector<std::pair<double, double>> out;
            for (const auto& ci : b.cis) out.emplace_back(ci.lo, ci.hi);
            return out;
          },
          "per-run intervals (lo, hi) of leak estimates; empty otherwise")
      .def_property_readonly("direction", [](const cmp::BaselineMetric& b) { return cmp::direction_name(b.rule.direction); },
                             "\"lower\" or \"higher\" is better")
      .def_property_readonly("kind", [](const cmp::BaselineMetric& b) { return cmp::kind_name(b.rule.kind); },
                             "\"value\" or \"leak\"")
      .def_property_readonly("relative_tolerance", [](const cmp::BaselineMetric& b) { return b.rule.relative_tolerance; },
                             "fraction of |reference|")
      .def_property_readonly("absolute_floor", [](const cmp::BaselineMetric& b) { return b.rule.absolute_floor; },
                             "in the metric's unit; smaller changes never count")
      .def_property_readonly("alpha", [](const cmp::BaselineMetric& b) { return b.rule.alpha; })
      .def_property_readonly("gate", [](const cmp::BaselineMetric& b) { return cmp::gate_name(b.rule.gate); },
                             "\"fail\" or \"warn\"")
      .def("__repr__", [](const cmp::BaselineMetric& b) {
        return fmt::format("<h2soak.BaselineMetric {:.6g} {} (spread {:.6g}, {} runs), {} is better, {}>", b.reference,
                           b.unit, b.spread(), b.values.size(), cmp::direction_name(b.rule.direction),
                           cmp::kind_name(b.rule.kind));
      });

  py::class_<cmp::BaselineScenario>(m, "BaselineScenario", "One scenario of a baseline.")
      .def_readonly("name", &cmp::BaselineScenario::name)
      .def_readonly("hash", &cmp::BaselineScenario::hash, "the scenario hash compare checks")
      .def_property_readonly(
          "metrics",
          [](py::object self) {
            return views_by_name(
                self.cast<const cmp::BaselineScenario&>().metrics, [](const auto& kv) { return kv.first; },
                [](const auto& kv) -> const cmp::BaselineMetric& { return kv.second; }, self);
          },
          "metric name -> BaselineMetric, in name order")
      .def("__repr__", [](const cmp::BaselineScenario& s) {
        return fmt::format("<h2soak.BaselineScenario {}, {} metrics>", s.name, s.metrics.size());
      });

  py::class_<cmp::Baseline>(m, "Baseline", py::dynamic_attr(),
                            "A baseline file (schema h2soak.baseline/v1), read-only; `path` is its file.")
      .def_readonly("created_at", &cmp::Baseline::created_at, "ISO 8601, UTC")
      .def_readonly("h2soak_version", &cmp::Baseline::h2soak_version)
      .def_readonly("git_revision", &cmp::Baseline::git_revision)
      .def_readonly("machine", &cmp::Baseline::machine)
      .def_readonly("runs", &cmp::Baseline::runs, "K: runs per scenario")
      .def_readonly("sources", &cmp::Baseline::sources, "the result files it was recorded from")
      .def_property_readonly("scenario_names",
                             [](const cmp::Baseline& b) {
                               std::vector<std::string> names;
                               for (const auto& s : b.scenarios) names.push_back(s.name);
                               return names;
                             })
      .def_property_readonly(
          "scenarios",
          [](py::object self) {
            return views_by_name(
                self.cast<const cmp::Baseline&>().scenarios, [](const cmp::BaselineScenario& s) { return s.name; },
                [](const cmp::BaselineScenario& s) -> const cmp::BaselineScenario& { return s; }, self);
          },
          "scenario name -> BaselineScenario, in name order")
      .def(
          "scenario",
          [](py::object self, const std::string& name) {
            const auto* s = self.cast<const cmp::Baseline&>().find(name);
            if (s == nullptr) throw py::key_error("no scenario named '" + name + "' in the baseline");
            return py::cast(s, py::return_value_policy::reference_internal, self);
          },
          py::arg("name"), "The scenario `name`; KeyError when absent.")
      .def("__repr__", [](const cmp::Baseline& b) {
        return fmt::format("<h2soak.Baseline {} scenario(s), {} run(s), created {} on {}>", b.scenarios.size(), b.runs,
                           b.created_at, b.machine.hostname);
      });
}

}  // namespace

namespace h2soak::py_binding {

void bind_compare(py::module_& m) {
  bind_baseline_classes(m);
  m.attr("Baseline").attr("path") = py::none();
  m.def(
      "load_baseline",
      [](const py::object& path) {
        const std::string p = py::module_::import("os").attr("fspath")(path).cast<std::string>();
        py::object b = py::cast(load_baseline_file(p));
        b.attr("path") = p;
        return b;
      },
      py::arg("path"),
      "Read a baseline file (schema h2soak.baseline/v1) as a Baseline. Raises ResultError (a ValueError) naming "
      "the file: not found, not JSON, another schema, or the JSON Pointer of a bad field.");
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
