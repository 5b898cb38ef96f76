// Typed rows of a Result: VerdictRow (Result.verdict, result::VerdictRow as
// it is) and AttributionRow (Result.attribution: the analysis metrics
// `attribution.<signal>.<workload>` of an attribution run, split into their
// parts; docs/attribution.md).
//
// Reading an attribution metric follows its writer,
// harness/run/attribution_metrics.h: the workload is the last dotted word
// of the name (workload names never contain '.'; "(time)" is the growth per
// second no event explains), the unit is "<signal unit>/<event>", and the
// note starts with the share ("97 % of the steady growth over 230 uploads",
// the estimator's share rounded to a whole percent) — read with strtod as
// compare::explain_by_attribution() does. The rows are plain values (copies).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "harness/run/attribution_metrics.h"
#include "py/bindings.h"

namespace py = pybind11;
namespace res = h2soak::result;

namespace h2soak::py_binding {
namespace {

struct AttributionRow {
  std::string signal;    // "rss", "threads", "fds", "gauge.<name>"
  std::string workload;  // a modulated workload, or "(time)"
  double per_event = 0;  // signal units per event (per second for "(time)")
  std::optional<double> ci_low, ci_high;  // 95 % interval
  std::string unit;      // "bytes/upload", "threads/stream", "bytes/s"
  std::optional<double> share;  // percent of the signal's steady growth; None for "(time)"
  std::string note;

  bool excludes_zero() const { return ci_low && ci_high && (*ci_low > 0 || *ci_high < 0); }
};

// The share at the start of an attribution note, or nullopt.
std::optional<double> share_of(const std::string& note) {
  const char* begin = note.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v)) return std::nullopt;
  if (std::string_view(end).rfind(" % of the steady growth", 0) != 0) return std::nullopt;
  return v;
}

std::optional<AttributionRow> attribution_row(const std::string& name, const res::AnalysisMetric& m) {
  const std::string prefix = run::kAttributionPrefix;
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = name.substr(prefix.size());
  const auto dot = rest.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == rest.size()) return std::nullopt;
  AttributionRow row;
  row.signal = rest.substr(0, dot);
  row.workload = rest.substr(dot + 1);
  row.per_event = m.value;
  row.ci_low = m.ci_low;
  row.ci_high = m.ci_high;
  row.unit = m.unit;
  row.note = m.note;
  if (row.workload != run::kAttributionTime) row.share = share_of(m.note);
  return row;
}

std::string opt_text(const std::optional<double>& v) { return v ? fmt::format("{:.6g}", *v) : "None"; }

std::string repr_verdict(const res::VerdictRow& v) {
  return fmt::format("<h2soak.VerdictRow {} {}: current={:.6g} baseline={} change={} limit='{}' unit={}>", v.metric,
                     v.outcome, v.current, opt_text(v.baseline), opt_text(v.change), v.limit, v.unit);
}

std::string repr_attribution(const AttributionRow& a) {
  return fmt::format("<h2soak.AttributionRow {} {}: {:+.6g} {} [{}, {}] share={}>", a.signal, a.workload,
                     a.per_event, a.unit, opt_text(a.ci_low), opt_text(a.ci_high),
                     a.share ? fmt::format("{:g} %", *a.share) : "None");
}

}  // namespace

py::list attribution_rows(const res::RunResult& r) {
  py::list rows;
  for (const auto& [name, metric] : r.analysis) {
    if (auto row = attribution_row(name, metric)) rows.append(py::cast(std::move(*row)));
  }
  return rows;
}

void bind_result_rows(py::module_& m) {
  py::class_<res::VerdictRow>(m, "VerdictRow",
                              "One row of the baseline comparison stored in a result (Result.verdict). "
                              "Read-only.")
      .def_readonly("metric", &res::VerdictRow::metric)
      .def_readonly("baseline", &res::VerdictRow::baseline, "the baseline's value, or None")
      .def_readonly("current", &res::VerdictRow::current)
      .def_readonly("change", &res::VerdictRow::change,
                    "relative change (current - baseline) / baseline, or None (0.1 = +10 %)")
      .def_readonly("limit", &res::VerdictRow::limit, "the rule as text, e.g. \"+10 % or 2 MiB\"")
      .def_readonly("outcome", &res::VerdictRow::outcome, "\"pass\", \"regression\", \"improved\" or \"failed\"")
      .def_readonly("unit", &res::VerdictRow::unit)
      .def("__repr__", &repr_verdict);

  py::class_<AttributionRow>(m, "AttributionRow",
                             "What one event of a workload leaves behind in one resource signal "
                             "(Result.attribution, docs/attribution.md). Read-only.")
      .def_readonly("signal", &AttributionRow::signal, "\"rss\", \"threads\", \"fds\" or \"gauge.<name>\"")
      .def_readonly("workload", &AttributionRow::workload,
                    "the workload's name, or \"(time)\" for the growth per second no event explains")
      .def_readonly("per_event", &AttributionRow::per_event, "signal units per event (per second for \"(time)\")")
      .def_readonly("ci_low", &AttributionRow::ci_low, "95 % interval, low end (or None)")
      .def_readonly("ci_high", &AttributionRow::ci_high, "95 % interval, high end (or None)")
      .def_readonly("unit", &AttributionRow::unit, "\"<signal unit>/<event>\", e.g. \"bytes/upload\"")
      .def_readonly("share", &AttributionRow::share,
                    "percent of the signal's steady growth these events explain, as the note gives it "
                    "(whole percent); None for \"(time)\"")
      .def_readonly("note", &AttributionRow::note)
      .def_property_readonly("excludes_zero", &AttributionRow::excludes_zero,
                             "True when the interval excludes 0 (the only rows the summary shows)")
      .def("__repr__", &repr_attribution);
}

}  // namespace h2soak::py_binding
