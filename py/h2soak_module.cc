// The `h2soak` Python module's entry point: its documentation and the
// bind_* calls, one per concern (py/bindings.h). Only wiring lives in py/
// (the logic is in the harness libraries).
#include <pybind11/pybind11.h>

#include "py/bindings.h"

namespace py = pybind11;

namespace {

constexpr const char* kModuleDoc = R"doc(h2soak: HTTP/2 load and leak-regression harness.

Running (the GIL is released while a run is under way):
    run(scenario, *, out_dir=None, threads=2, progress=None, target_url=None,
        spawn=None, pid=None, pidfile=None, reference_binary=None, runs=1)
        -> Result (or a list of Results for runs > 1 or a suite file)
        scenario: a scenario YAML path or a dict with the same keys.
        Raises ScenarioError (ValueError, "file:line:col: message"),
        RunError (run not completed; .result, .result_path, .results),
        KeyboardInterrupt on Ctrl-C after stopping the run cleanly.
    DEFAULT_REFERENCE_BINARY  the h2soak-target built with this module
    bench(url, **options) -> Result
        `h2soak bench` (h2load's options, long names in snake_case:
        requests=, clients=, max_streams=, threads=, duration=, rate=, ...).
        Raises TypeError/ValueError for bad options (before any
        connection), RunError when no connection could be established.
    capacity(urls, **options) -> Result
        `h2soak capacity`: the highest arrival rate within the objectives
        (objectives=, start_rate=, max_rate=, stage=, warm_up=, growth=,
        refine=, connections=, streams=, threads=, target_pid=, ...);
        Result.capacity is the CapacitySearch (capacity, interval, stop,
        first_broken, stages). Same errors as bench.

Results (schema h2soak.result/v1):
    load_result(path) -> Result        loads_result(text, source) -> Result
    Result: status, completed, metadata, phases, workloads / workload(name)
      (Workload.phases -> PhaseMetrics: counters, histograms, series as
      numpy arrays), samples (SampleSeries: t, rss, threads, fds, ... as
      numpy arrays), analysis (name -> Metric), thresholds, verdict
      (list of VerdictRow), attribution (list of AttributionRow),
      capacity (CapacitySearch of a capacity search, else None),
      to_json(), save(path), path.
    Histogram: the harness's log-linear histogram (record, percentile, merge).
    ResultError (ValueError): unreadable, corrupt or other-schema file.

Baselines:
    record_baseline(results, out, force=False)
    compare(results, baseline, allow_hash_mismatch=False, thresholds=[]) -> dict
    load_baseline(path) -> Baseline: scenario_names, scenarios / scenario(name)
      (BaselineScenario: hash, metrics -> BaselineMetric: reference, spread,
      unit, direction, kind, values, ...), machine, runs, created_at, sources.
)doc";

}  // namespace

PYBIND11_MODULE(h2soak, m) {
  m.doc() = kModuleDoc;
  m.attr("__version__") = H2SOAK_VERSION;
  h2soak::py_binding::bind_results(m);
  h2soak::py_binding::bind_result_rows(m);
  h2soak::py_binding::bind_run(m);
  h2soak::py_binding::bind_bench(m);
  h2soak::py_binding::bind_capacity(m);
  h2soak::py_binding::bind_compare(m);
}
