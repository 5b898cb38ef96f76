// h2soak.capacity(urls, **options): `h2soak capacity` from Python, and the
// `capacity` section of a Result (Result.capacity: CapacitySearch with its
// CapacityStage rows), whichever way the Result came (capacity(),
// load_result of a `--json` file).
//
// The keywords become a run::CapacityOptions (py/keywords.h: TypeError for a
// wrong type or an unknown keyword); run::make_capacity_plan() — the CLI's
// own checks, spelt with the keywords — turns it into a plan before any
// socket opens (ValueError "name: what is wrong"). run::run_capacity() then
// runs the search on a worker thread with the GIL released (run_released:
// Ctrl-C ends the stage under way and the search, and is re-raised with the
// partial Result). The Result is the one `h2soak capacity --json` writes
// (run::capacity_plan_result).
#include "py/bindings.h"

#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/result/result_json.h"
#include "harness/run/capacity_plan.h"
#include "harness/util/clock.h"
#include "py/keywords.h"

#ifndef H2SOAK_GIT_REVISION
#define H2SOAK_GIT_REVISION ""
#endif

namespace py = pybind11;
namespace res = h2soak::result;

namespace h2soak::py_binding {
namespace {

// None for NaN: a stage that completed nothing has no percentiles, a search
// that never failed has no upper end.
py::object number_or_none(double v) { return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none()); }

void bind_capacity_section(py::module_& m) {
  py::class_<res::CapacityStage>(m, "CapacityStage",
                                 "One stage of a capacity search: an open-model load at one arrival rate, judged "
                                 "against the objectives. Latencies in µs from the due time (None when no request "
                                 "completed); target_* are None when the target was not sampled.")
      .def_readonly("offered", &res::CapacityStage::offered, "arrivals per second asked for")
      .def_readonly("achieved", &res::CapacityStage::achieved, "completions per second of the measured interval")
      .def_readonly("seconds", &res::CapacityStage::seconds, "the measured interval (shorter when stopped early)")
      .def_readonly("requests", &res::CapacityStage::requests)
      .def_readonly("errors", &res::CapacityStage::errors)
      .def_readonly("dropped", &res::CapacityStage::dropped, "arrivals never sent (the in-flight bound was reached)")
      .def_property_readonly("error_rate", [](const res::CapacityStage& s) { return number_or_none(s.error_rate); },
                             "fraction")
      .def_property_readonly("drop_rate", [](const res::CapacityStage& s) { return number_or_none(s.drop_rate); },
                             "dropped / (started + dropped), fraction")
      .def_property_readonly("p50", [](const res::CapacityStage& s) { return number_or_none(s.p50); })
      .def_property_readonly("p90", [](const res::CapacityStage& s) { return number_or_none(s.p90); })
      .def_property_readonly("p99", [](const res::CapacityStage& s) { return number_or_none(s.p99); })
      .def_property_readonly("p999", [](const res::CapacityStage& s) { return number_or_none(s.p999); })
      .def_readonly("passed", &res::CapacityStage::passed)
      .def_readonly("broken", &res::CapacityStage::broken, "the objective that failed first, as written; '' if passed")
      .def_readonly("detail", &res::CapacityStage::detail)
      .def_readonly("stopped_early", &res::CapacityStage::stopped_early)
      .def_readonly("generator_bound", &res::CapacityStage::generator_bound)
      .def_readonly("target_cpu", &res::CapacityStage::target_cpu, "cores used by the target over the stage")
      .def_readonly("target_rss_peak", &res::CapacityStage::target_rss_peak, "bytes")
      .def_readonly("target_threads_peak", &res::CapacityStage::target_threads_peak)
      .def_readonly("target_fds_peak", &res::CapacityStage::target_fds_peak)
      .def("__repr__", [](const res::CapacityStage& s) {
        return "<h2soak.CapacityStage " + py::str(py::float_(s.offered)).cast<std::string>() + " req/s " +
               (s.passed ? std::string("pass") : "FAIL " + s.broken) + ">";
      });

  py::class_<res::CapacitySearch>(m, "CapacitySearch",
                                  "The search of `h2soak capacity` (docs/capacity.md): the capacity (req/s), its "
                                  "interval [highest pass, lowest fail], why it ended, the first broken objective "
                                  "and every stage in the order run.")
      .def_readonly("capacity", &res::CapacitySearch::capacity, "the highest offered rate that met every objective")
      .def_property_readonly(
          "interval",
          [](const res::CapacitySearch& c) {
            return py::make_tuple(number_or_none(c.interval_low), number_or_none(c.interval_high));
          },
          "(highest passing rate, lowest failing rate); the upper end is None when no stage failed")
      .def_readonly("first_broken", &res::CapacitySearch::first_broken,
                    "the objective that broke at the lowest failing rate ('' when none failed)")
      .def_readonly("stop", &res::CapacitySearch::stop,
                    "refined, max-rate, first-stage-failed, generator-bound, interrupted or target-gone")
      .def_readonly("note", &res::CapacitySearch::note, "the stop in words")
      .def_readonly("objectives", &res::CapacitySearch::objectives, "as written")
      .def_property_readonly(
          "stages",
          [](py::object self) {
            py::list l;
            for (const auto& s : self.cast<const res::CapacitySearch&>().stages) {
              l.append(py::cast(&s, py::return_value_policy::reference_internal, self));
            }
            return l;
          },
          "CapacityStage, in the order run")
      .def("__repr__", [](const res::CapacitySearch& c) {
        return "<h2soak.CapacitySearch " + py::str(py::float_(c.capacity)).cast<std::string>() + " req/s, " + c.stop +
               ">";
      });

  auto result = py::reinterpret_borrow<py::class_<res::RunResult>>(m.attr("Result"));
  result.def_property_readonly(
      "capacity",
      [](py::object self) -> py::object {
        const auto& r = self.cast<const res::RunResult&>();
        if (!r.capacity) return py::none();
        return py::cast(&*r.capacity, py::return_value_policy::reference_internal, self);
      },
      "A capacity search's CapacitySearch (h2soak.capacity, `h2soak capacity --json`); None for other results.");
}

// The keywords as the CLI's options (the checks are make_capacity_plan's).
run::CapacityOptions options_of(const py::handle& urls, KeywordArgs& o) {
  run::CapacityOptions c;
  run::BenchOptions& b = c.bench;
  b.spelling = run::BenchSpelling::kKeywords;
  b.keywords = {"urls", "clients", "max_streams"};
  b.urls = texts_of(urls, "urls");
  const py::object objectives = o.take("objectives");
  if (!objectives.is_none()) c.objectives = texts_of(objectives, "objectives");
  if (auto r = rate_of(o.take("start_rate"), "start_rate"); !r.empty()) c.start_rate = r;
  if (auto r = rate_of(o.take("max_rate"), "max_rate"); !r.empty()) c.max_rate = r;
  // None keeps the CLI's default; 0 is no duration ("stage: must be at least 500ms", no warm-up).
  if (py::object v = o.take("stage"); !v.is_none()) c.stage = duration_of(v, "stage");
  if (c.stage.empty()) c.stage = "0s";
  if (py::object v = o.take("warm_up"); !v.is_none()) c.warmup = duration_of(v, "warm_up");
  if (c.warmup.empty()) c.warmup = "0s";
  c.growth = number_of(o.take("growth"), "growth", c.growth);
  c.refine = static_cast<int>(integer_of(o.take("refine"), "refine", c.refine, INT32_MIN, INT32_MAX));
  b.clients = static_cast<std::uint32_t>(integer_of(o.take("clients"), "clients", 4, 0, UINT32_MAX));
  b.max_streams = static_cast<std::uint32_t>(integer_of(o.take("max_streams"), "max_streams", 16, 0, UINT32_MAX));
  b.threads = static_cast<int>(integer_of(o.take("threads"), "threads", 1, 0, 256));
  b.insecure = flag_of(o.take("insecure"));
  b.h1 = flag_of(o.take("h1"));
  b.headers = headers_of(o.take("headers"));
  if (py::object v = o.take("target_pid"); !v.is_none()) {
    c.target_pid = static_cast<int>(integer_of(v, "target_pid", 0, INT32_MIN, INT32_MAX));
  }
  return c;
}

py::object capacity(const py::object& urls, const py::kwargs& kw) {
  KeywordArgs o(kw, "capacity");
  const run::CapacityOptions options = options_of(urls, o);
  const std::optional<std::string> json = opt_path(o.take("json"));
  o.check_all_taken();
  auto made = run::make_capacity_plan(options);
  if (!made) throw py::value_error(made.error().message());
  const run::CapacityPlan plan = std::move(*made);

  std::atomic<bool> stop{false};
  run::CapacityHooks hooks;
  hooks.interrupt = &stop;
  const double start_unix = unix_seconds();
  const TimePoint start = now();
  result::CapacitySearch search;
  std::unique_ptr<py::error_already_set> pending =
      run_released([&] { search = run::run_capacity(plan, hooks); }, stop, {});

  result::RunResult r = run::capacity_plan_result(plan, search, start_unix, seconds_between(start, now()),
                                                  H2SOAK_VERSION, H2SOAK_GIT_REVISION, python_command_line());
  r.metadata.extra["driver"] = "python";
  if (json) {
    Status st = [&] {
      py::gil_scoped_release release;
      return result::write_result(r, *json);
    }();
    if (!st) raise_result_error(st.error());
  }
  py::object obj = result_object(std::move(r), json.value_or(""));
  const py::object path = obj.attr("path");
  if (pending) reraise_with_results(*pending, obj, path, py::list(), py::list());
  if (search.stop == "target-gone") {
    py::list errors;
    errors.append(search.note);
    raise_run_error(search.note, obj, path, py::list(), errors);
  }
  return obj;
}

constexpr const char* kCapacityDoc = R"doc(capacity(urls, **options) -> Result

`h2soak capacity` from Python (docs/capacity.md): the highest open-model
arrival rate `urls` (a str, or a list of URLs on one scheme://host:port)
sustain within the objectives, and which objective breaks first. Steps the
rate up from start_rate by growth until a stage fails, then bisects the
knee refine times. Returns the Result `h2soak capacity --json` writes:
metadata.scenario_name "capacity", the analysis metric "capacity" and
`.capacity`, a CapacitySearch: capacity (req/s), interval (highest pass,
lowest fail or None), stop, first_broken, objectives and stages (each a
CapacityStage: offered, achieved, p50/p90/p99/p999 in µs, error_rate,
drop_rate, passed, broken, target_cpu, target_rss_peak, ...).

Options (durations are "5s"-style str or seconds, rates "100/s"-style str
or requests per second):
  objectives=None     a str or list of str in the threshold grammar
                      ("p99 < 250ms", "error_rate < 0.1%"); default those two
  start_rate="100/s"  the first stage's rate
  max_rate="100000/s" no stage above it
  stage="5s"          measured length of each stage (at least 500ms)
  warm_up="1s"        warm-up before each stage's measurement
  growth=2            the ramp's factor (> 1)
  refine=3            bisection steps (0..20)
  clients=4           -c: connections (the name h2soak.bench uses)
  max_streams=16      -m: streams per connection (clients x max_streams
                      bound the requests in flight; arrivals past it drop)
  threads=1           -t: generator worker threads (at most clients)
  insecure=False      -k: do not verify the server certificate
  h1=False            HTTP/1.1 (curl) instead of HTTP/2
  headers=None        dict {name: value} or list of "name: value" (-H)
  target_pid=None     sample this process (CPU, RSS, threads, fds) per stage
  json=None           also write the result to this file

The search's end is in .capacity.stop: "refined" and "max-rate" are
finished searches; "first-stage-failed" (capacity 0: lower start_rate) and
"generator-bound" (capacity is a lower bound: h2soak was the bottleneck)
are returned too, as the CLI's exit codes 1 and 5 are not exceptions here.

Raises TypeError for an unknown keyword or a wrong type, ValueError for a
bad value (message "name: what is wrong", checked before any connection),
RunError (a RuntimeError) when the target went away or never answered
(its `result` is the partial Result), ResultError when `json` cannot be
written. The GIL is released while the search runs; Ctrl-C ends it cleanly
and KeyboardInterrupt is re-raised with the partial Result as `.result`.)doc";

}  // namespace

void bind_capacity(py::module_& m) {
  bind_capacity_section(m);
  m.def("capacity", &capacity, py::arg("urls"), kCapacityDoc);
}

}  // namespace h2soak::py_binding
