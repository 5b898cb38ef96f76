// h2soak's result files as Python objects: Result and its parts (numpy
// arrays for series), the project's histogram, load_result/loads_result.
//
// Ownership: objects reached from a Result (workloads, phase metrics,
// histograms, samples) are views kept alive by the Result
// (reference_internal); numpy arrays are fresh copies.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "harness/metrics/histogram.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/result/result_json.h"
#include "harness/result/run_result.h"
#include "py/bindings.h"

namespace py = pybind11;
using h2soak::metrics::Histogram;
using h2soak::metrics::WorkloadMetrics;
using h2soak::py_binding::raise_result_error;
namespace res = h2soak::result;
namespace smp = h2soak::sampler;

namespace {


template <typename T, typename F>
py::array_t<T> column(const std::vector<smp::Sample>& samples, F get) {
  py::array_t<T> a(static_cast<py::ssize_t>(samples.size()));
  auto w = a.template mutable_unchecked<1>();
  for (std::size_t i = 0; i < samples.size(); ++i) w(static_cast<py::ssize_t>(i)) = get(samples[i]);
  return a;
}

py::dict histogram_summary(const Histogram& h) {
  const res::HistogramSummary s = res::summarize(h);
  py::dict d;
  d["count"] = s.count;
  d["min"] = s.min;
  d["max"] = s.max;
  d["mean"] = s.mean;
  d["sd"] = s.sd;
  d["p50"] = s.p50;
  d["p90"] = s.p90;
  d["p99"] = s.p99;
  d["p99.9"] = s.p999;
  d["p99.99"] = s.p9999;
  return d;
}

py::list phases_list(const std::vector<smp::PhaseMark>& phases) {
  py::list l;
  for (const auto& p : phases) {
    py::dict d;
    d["name"] = p.name;
    d["start"] = p.start;
    d["end"] = p.end;
    l.append(d);
  }
  return l;
}

py::dict counters_dict(const h2soak::metrics::Counters& c) {
  // The same nested layout as the JSON file (docs/result-schema.md).
  return py::module_::import("json").attr("loads")(
      res::workload_metrics_to_json([&] {
        WorkloadMetrics m;
        m.counters = c;
        return m;
      }())["counters"].dump());
}

py::dict series_dict(const h2soak::metrics::IntervalSeries& s) {
  const auto& pts = s.points();
  const auto n = static_cast<py::ssize_t>(pts.size());
  py::array_t<std::int64_t> second(n);
  py::array_t<std::uint64_t> done(n), errors(n), in(n), out(n), inflight(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& p = pts[static_cast<std::size_t>(i)];
    second.mutable_at(i) = i;
    done.mutable_at(i) = p.requests_done;
    errors.mutable_at(i) = p.errors;
    in.mutable_at(i) = p.bytes_in;
    out.mutable_at(i) = p.bytes_out;
    inflight.mutable_at(i) = p.in_flight;
  }
  py::dict d;
  d["second"] = second;
  d["requests_done"] = done;
  d["errors"] = errors;
  d["bytes_in"] = in;
  d["bytes_out"] = out;
  d["in_flight"] = inflight;
  return d;
}

res::RunResult load(const std::string& path) {
  h2soak::Result<res::RunResult> r = [&] {
    py::gil_scoped_release release;
    return res::read_result(path);
  }();
  if (!r) raise_result_error(r.error());
  return std::move(r).value();
}

res::RunResult loads(const std::string& text, const std::string& source) {
  h2soak::Result<res::RunResult> r = [&] {
    py::gil_scoped_release release;
    return res::parse_result(text, source);
  }();
  if (!r) raise_result_error(r.error());
  return std::move(r).value();
}

void bind_histogram(py::module_& m) {
  py::class_<Histogram>(m, "Histogram", R"doc(
HDR-style log-linear histogram of non-negative integers (h2soak records
latencies in microseconds). About 3 significant digits, fixed memory, exact
merge; min and max are exact. Values above MAX_VALUE (1 h in µs) are recorded
as MAX_VALUE and counted in `saturated`.)doc")
      .def(py::init<>())
      .def_readonly_static("MAX_VALUE", &Histogram::kMaxValue)
      .def_readonly_static("SUB_BUCKETS", &Histogram::kSubBuckets)
      .def_property_readonly_static("BUCKET_COUNT", [](py::object) { return Histogram::bucket_count(); })
      .def(
          "record",
          [](Histogram& h, std::int64_t value, std::int64_t count) {
            if (value < 0 || count < 0) throw py::value_error("value and count must be >= 0");
            h.record(static_cast<std::uint64_t>(value), static_cast<std::uint64_t>(count));
          },
          py::arg("value"), py::arg("count") = 1, "Record `value` `count` times.")
      .def(
          "record_many",
          [](Histogram& h, py::array_t<double, py::array::c_style | py::array::forcecast> values) {
            auto v = values.unchecked();
            const py::ssize_t n = values.size();
            const double* data = values.data();
            for (py::ssize_t i = 0; i < n; ++i) {
              if (!(data[i] >= 0)) throw py::value_error("values must be >= 0 and not NaN");
            }
            py::gil_scoped_release release;
            for (py::ssize_t i = 0; i < n; ++i) {
              const double x = data[i];
              h.record(x >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(x));
            }
            (void)v;
          },
          py::arg("values"), "Record every value of an array-like (truncated to integers).")
      .def("merge", &Histogram::merge, py::arg("other"), "Add every value of `other` (exact).")
      .def("reset", &Histogram::reset)
      .def("percentile", &Histogram::value_at_percentile, py::arg("p"),
           "The value at percentile p in [0, 100]; p=0 is min, p=100 is max (exact).")
      .def(
          "percentiles",
          [](const Histogram& h, const std::vector<double>& ps) {
            std::vector<std::uint64_t> out;
            for (double p : ps) out.push_back(h.value_at_percentile(p));
            return out;
          },
          py::arg("ps"))
      .def_property_readonly("count", &Histogram::count)
      .def_property_readonly("saturated", &Histogram::saturated)
      .def_property_readonly("min", &Histogram::min)
      .def_property_readonly("max", &Histogram::max)
      .def_property_readonly("mean", &Histogram::mean)
      .def_property_readonly("stddev", &Histogram::stddev)
      .def_property_readonly("sum", &Histogram::sum)
      .def("summary", &histogram_summary, "count, min, max, mean, sd, p50, p90, p99, p99.9, p99.99")
      .def("to_sparse",
           [](const Histogram& h) {
             std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
             for (const auto& b : h.to_sparse()) out.emplace_back(b.index, b.count);
             return out;
           },
           "Non-empty buckets as (index, count), ascending (the JSON encoding).")
      .def_static(
          "from_sparse",
          [](const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets, std::uint64_t min,
             std::uint64_t max, double sum, std::uint64_t saturated) {
            std::vector<Histogram::Bucket> b;
            for (const auto& [i, c] : buckets) b.push_back({i, c});
            Histogram h;
            if (!h.from_sparse(b, min, max, sum, saturated)) {
              throw py::value_error("inconsistent sparse histogram (index out of range, not ascending, "
                                    "zero count, or min/max/saturated outside their buckets)");
            }
            return h;
          },
          py::arg("buckets"), py::arg("min"), py::arg("max"), py::arg("sum"), py::arg("saturated") = 0)
      .def_static("bucket_index", &Histogram::bucket_index)
      .def_static("bucket_lowest", &Histogram::bucket_lowest)
      .def_static("bucket_highest", &Histogram::bucket_highest)
      .def("__eq__", [](const Histogram& a, const Histogram& b) { return a == b; })
      .def("__len__", [](const Histogram& h) { return h.count(); })
      .def("__copy__", [](const Histogram& h) { return Histogram(h); })
      .def("__deepcopy__", [](const Histogram& h, py::dict) { return Histogram(h); })
      .def("__repr__", [](const Histogram& h) {
        return "<h2soak.Histogram count=" + std::to_string(h.count()) + " min=" + std::to_string(h.min()) +
               " p50=" + std::to_string(h.value_at_percentile(50)) +
               " p99=" + std::to_string(h.value_at_percentile(99)) + " max=" + std::to_string(h.max()) + ">";
      });
}

void bind_result(py::module_& m) {
  py::class_<WorkloadMetrics>(m, "PhaseMetrics", "One workload's counters, histograms and series in one phase.")
      .def(py::init<>())
      .def_property_readonly("counters", [](const WorkloadMetrics& w) { return counters_dict(w.counters); })
      .def_property_readonly(
          "histograms",
          [](py::object self) {
            const auto& w = self.cast<const WorkloadMetrics&>();
            py::dict d;
            auto ref = [&](const Histogram& h) { return py::cast(&h, py::return_value_policy::reference_internal, self); };
            d["request_total"] = ref(w.request_total);
            d["ttfb"] = ref(w.ttfb);
            d["connect"] = ref(w.connect);
            d["tls_handshake"] = ref(w.tls_handshake);
            for (const auto& [name, h] : w.extra_histograms) d[py::str(name)] = ref(h);
            return d;
          },
          "request_total, ttfb, connect, tls_handshake (µs) and the workload's extra histograms by name.")
      .def_readonly("extra_counters", &WorkloadMetrics::extra_counters)
      .def_property_readonly("series", [](const WorkloadMetrics& w) { return series_dict(w.series); },
                             "Per-second arrays: second (since run start), requests_done, errors, bytes_in, "
                             "bytes_out, in_flight.")
      .def("merge", &WorkloadMetrics::merge, py::arg("other"))
      .def("copy", [](const WorkloadMetrics& w) { return WorkloadMetrics(w); });

  py::class_<res::WorkloadResult>(m, "Workload")
      .def_readonly("name", &res::WorkloadResult::name)
      .def_readonly("kind", &res::WorkloadResult::kind)
      .def_readonly("params", &res::WorkloadResult::params)
      .def_property_readonly("phase_names",
                             [](const res::WorkloadResult& w) {
                               std::vector<std::string> out;
                               for (const auto& p : w.phases) out.push_back(p.phase);
                               return out;
                             })
      .def_property_readonly(
          "phases",
          [](py::object self) {
            const auto& w = self.cast<const res::WorkloadResult&>();
            py::dict d;
            for (const auto& p : w.phases) {
              d[py::str(p.phase)] = py::cast(&p.metrics, py::return_value_policy::reference_internal, self);
            }
            return d;
          },
          "Phase name -> PhaseMetrics, in phase order.")
      .def(
          "merged",
          [](const res::WorkloadResult& w, std::optional<std::vector<std::string>> phases) {
            WorkloadMetrics out;
            for (const auto& p : w.phases) {
              if (!phases || std::find(phases->begin(), phases->end(), p.phase) != phases->end()) {
                out.merge(p.metrics);
              }
            }
            return out;
          },
          py::arg("phases") = py::none(), "The phases' metrics merged (all phases when None).")
      .def("__repr__", [](const res::WorkloadResult& w) {
        return "<h2soak.Workload " + w.name + " (" + w.kind + "), " + std::to_string(w.phases.size()) + " phases>";
      });

  py::class_<smp::SampleSeries>(m, "SampleSeries", "The target's samples; every column is a numpy array.")
      .def_readonly("pid", &smp::SampleSeries::pid)
      .def_readonly("interval", &smp::SampleSeries::interval)
      .def_readonly("metrics_url", &smp::SampleSeries::metrics_url)
      .def_readonly("gauge_names", &smp::SampleSeries::gauge_names)
      .def_readonly("fds_readable", &smp::SampleSeries::fds_readable)
      .def_readonly("scrape_failures", &smp::SampleSeries::scrape_failures)
      .def_readonly("late_ticks", &smp::SampleSeries::late_ticks)
      .def_readonly("target_vanished", &smp::SampleSeries::target_vanished)
      .def_readonly("vanished_at", &smp::SampleSeries::vanished_at)
      .def_property_readonly("phases", [](const smp::SampleSeries& s) { return phases_list(s.phases); })
      .def("__len__", [](const smp::SampleSeries& s) { return s.samples.size(); })
      .def_property_readonly("t", [](const smp::SampleSeries& s) {
        return column<double>(s.samples, [](const smp::Sample& x) { return x.t; });
      }, "seconds since run start")
      .def_property_readonly("rss", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.rss; });
      }, "VmRSS, bytes")
      .def_property_readonly("hwm", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.hwm; });
      }, "VmHWM, bytes")
      .def_property_readonly("rss_anon", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.rss_anon; });
      }, "RssAnon, bytes")
      .def_property_readonly("pss", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.pss; });
      }, "Pss, bytes (0 where not read)")
      .def_property_readonly("threads", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.threads; });
      })
      .def_property_readonly("fds", [](const smp::SampleSeries& s) {
        return column<std::uint64_t>(s.samples, [](const smp::Sample& x) { return x.fds; });
      })
      .def_property_readonly("utime", [](const smp::SampleSeries& s) {
        return column<double>(s.samples, [](const smp::Sample& x) { return x.utime; });
      }, "cumulative user CPU seconds")
      .def_property_readonly("stime", [](const smp::SampleSeries& s) {
        return column<double>(s.samples, [](const smp::Sample& x) { return x.stime; });
      }, "cumulative system CPU seconds")
      .def_property_readonly(
          "gauges",
          [](const smp::SampleSeries& s) {
            std::set<std::string> names(s.gauge_names.begin(), s.gauge_names.end());
            for (const auto& x : s.samples) {
              for (const auto& [k, v] : x.gauges) names.insert(k);
            }
            py::dict d;
            for (const auto& name : names) {
              d[py::str(name)] = column<double>(s.samples, [&](const smp::Sample& x) {
                auto it = x.gauges.find(name);
                return it == x.gauges.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
              });
            }
            return d;
          },
          "gauge name -> float array, NaN on ticks without a value");

  py::class_<res::TargetInfo>(m, "Target")
      .def_readonly("url", &res::TargetInfo::url)
      .def_readonly("mode", &res::TargetInfo::mode)
      .def_readonly("command", &res::TargetInfo::command)
      .def_readonly("pid", &res::TargetInfo::pid)
      .def_readonly("log_path", &res::TargetInfo::log_path)
      .def_readonly("exit_code", &res::TargetInfo::exit_code)
      .def_readonly("exit_signal", &res::TargetInfo::exit_signal)
      .def_property_readonly(
          "samples",
          [](py::object self) -> py::object {
            const auto& t = self.cast<const res::TargetInfo&>();
            if (!t.samples) return py::none();
            return py::cast(&*t.samples, py::return_value_policy::reference_internal, self);
          },
          "SampleSeries, or None when nothing was sampled");

  py::class_<res::AnalysisMetric>(m, "Metric", "A named analysis metric.")
      .def_readonly("value", &res::AnalysisMetric::value)
      .def_readonly("unit", &res::AnalysisMetric::unit)
      .def_property_readonly("direction",
                             [](const res::AnalysisMetric& a) -> std::optional<std::string> {
                               if (!a.direction) return std::nullopt;  // not stated in the file
                               return res::to_string(*a.direction);
                             })
      .def_readonly("ci_low", &res::AnalysisMetric::ci_low)
      .def_readonly("ci_high", &res::AnalysisMetric::ci_high)
      .def_readonly("leak", &res::AnalysisMetric::leak)
      .def_readonly("note", &res::AnalysisMetric::note)
      .def("__repr__", [](const res::AnalysisMetric& a) {
        return "<h2soak.Metric " + std::to_string(a.value) + " " + a.unit + ", " + (a.direction ? res::to_string(*a.direction) : "direction not stated") + ">";
      });

  py::class_<res::RunResult>(m, "Result", py::dynamic_attr(),
                             "One run's result (schema h2soak.result/v1); `path` is its JSON file (None for "
                             "loads_result).")
      .def_property_readonly("schema", [](const res::RunResult&) { return std::string(res::kSchema); })
      .def_property_readonly("metadata",
                             [](const res::RunResult& r) {
                               return py::module_::import("json").attr("loads")(res::to_json(r)["metadata"].dump());
                             })
      .def_property_readonly("status", [](const res::RunResult& r) { return res::to_string(r.status.state); },
                             "completed, target_died or aborted")
      .def_property_readonly("status_reason", [](const res::RunResult& r) { return r.status.reason; })
      .def_property_readonly("completed",
                             [](const res::RunResult& r) { return r.status.state == res::RunState::kCompleted; })
      .def_property_readonly("phases", [](const res::RunResult& r) { return phases_list(r.phases); })
      .def_property_readonly(
          "workloads",
          [](py::object self) {
            const auto& r = self.cast<const res::RunResult&>();
            py::list l;
            for (const auto& w : r.workloads) l.append(py::cast(&w, py::return_value_policy::reference_internal, self));
            return l;
          })
      .def(
          "workload",
          [](py::object self, const std::string& name) -> py::object {
            const auto& r = self.cast<const res::RunResult&>();
            for (const auto& w : r.workloads) {
              if (w.name == name) return py::cast(&w, py::return_value_policy::reference_internal, self);
            }
            throw py::key_error("no workload named '" + name + "'");
          },
          py::arg("name"))
      .def_property_readonly(
          "target",
          [](py::object self) {
            return py::cast(&self.cast<const res::RunResult&>().target, py::return_value_policy::reference_internal,
                            self);
          })
      .def_property_readonly(
          "samples",
          [](py::object self) -> py::object {
            const auto& r = self.cast<const res::RunResult&>();
            if (!r.target.samples) return py::none();
            return py::cast(&*r.target.samples, py::return_value_policy::reference_internal, self);
          },
          "Shortcut for target.samples")
      .def_property_readonly(
          "analysis",
          [](py::object self) {
            const auto& r = self.cast<const res::RunResult&>();
            py::dict d;
            for (const auto& [k, v] : r.analysis) {
              d[py::str(k)] = py::cast(&v, py::return_value_policy::reference_internal, self);
            }
            return d;
          })
      .def_property_readonly(
          "thresholds",
          [](const res::RunResult& r) {
            std::vector<std::string> texts;
            for (const auto& t : r.thresholds) texts.push_back(t.text);
            return texts;
          },
          "The scenario's thresholds as written (\"errors == 0\").")
      .def_property_readonly(
          "verdict",
          [](py::object self) {
            const auto& r = self.cast<const res::RunResult&>();
            py::list l;
            for (const auto& v : r.verdict) l.append(py::cast(&v, py::return_value_policy::reference_internal, self));
            return l;
          },
          "The baseline comparison stored in the result: a list of VerdictRow (empty when none).")
      .def_property_readonly("attribution", &h2soak::py_binding::attribution_rows,
                             "An attribution run's attribution.<signal>.<workload> metrics as a list of "
                             "AttributionRow, in name order (empty for other runs).")
      .def("to_json", [](const res::RunResult& r) { return res::to_json(r).dump(); },
           "The result as JSON text (schema h2soak.result/v1).")
      .def(
          "save",
          [](const res::RunResult& r, const std::string& path) {
            h2soak::Status s = [&] {
              py::gil_scoped_release release;
              return res::write_result(r, path);
            }();
            if (!s) raise_result_error(s.error());
          },
          py::arg("path"), "Write atomically (temporary file + rename).")
      .def("__repr__", [](const res::RunResult& r) {
        return "<h2soak.Result " + r.metadata.scenario_name + " " + res::to_string(r.status.state) + ", " +
               std::to_string(r.workloads.size()) + " workloads>";
      });
}

}  // namespace

namespace h2soak::py_binding {
namespace {
// Raised for unreadable, corrupt or incompatible result files.
PyObject* g_result_error = nullptr;
}  // namespace

void raise_result_error(const Error& e) {
  PyErr_SetString(g_result_error, e.message().c_str());
  throw py::error_already_set();
}

void bind_results(py::module_& m) {
  m.attr("SCHEMA") = res::kSchema;
  g_result_error = PyErr_NewExceptionWithDoc(
      "h2soak.ResultError", "A result file could not be read: unreadable, corrupt, or another schema.",
      PyExc_ValueError, nullptr);
  m.attr("ResultError") = py::handle(g_result_error);

  bind_histogram(m);
  bind_result(m);

  m.attr("Result").attr("path") = py::none();
  m.def(
      "load_result",
      [](py::object path) {
        const std::string p = py::module_::import("os").attr("fspath")(path).cast<std::string>();
        py::object r = py::cast(load(p));
        r.attr("path") = p;
        return r;
      },
      py::arg("path"),
        "Read a result JSON file. Raises ResultError naming the file and the JSON path of a bad field.");
  m.def("loads_result", &loads, py::arg("text"), py::arg("source") = "<string>",
        "Parse result JSON text; `source` names it in errors.");
}

}  // namespace h2soak::py_binding
