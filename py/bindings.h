#pragma once
// The `h2soak` Python module, one file per concern; PYBIND11_MODULE
// (h2soak_module.cc) calls the bind_* functions in the order below. Only
// wiring lives in py/ (the logic is in the harness libraries).
//
//   result_binding.cc       Histogram, Result and its parts, load_result, ResultError
//   result_rows_binding.cc  VerdictRow, AttributionRow (Result.verdict, Result.attribution)
//   compare_binding.cc      record_baseline, compare, load_baseline and the Baseline classes
//   run_binding.cc          run, ScenarioError, RunError; the released-GIL loop shared with bench
//   keywords.cc             keyword arguments as the CLI's option text (bench, capacity)
//   bench_binding.cc        bench
//   capacity_binding.cc     capacity, CapacitySearch, CapacityStage (Result.capacity)

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/result/run_result.h"
#include "harness/util/result.h"

namespace h2soak::py_binding {

// Histogram, Result (with its workloads, phase metrics, samples, analysis),
// load_result, loads_result and the ResultError exception.
void bind_results(pybind11::module_& m);

// VerdictRow and AttributionRow, the element types of Result.verdict and
// Result.attribution.
void bind_result_rows(pybind11::module_& m);

// Result.attribution: one AttributionRow per `attribution.<signal>.<workload>`
// analysis metric of `r` (docs/attribution.md), in name order; empty for a
// run without attribution.
pybind11::list attribution_rows(const result::RunResult& r);

// record_baseline, compare and load_baseline over result and baseline files
// (after bind_results: they raise ResultError).
void bind_compare(pybind11::module_& m);

// run(), ScenarioError, RunError and DEFAULT_REFERENCE_BINARY (after
// bind_results: run returns Result objects).
void bind_run(pybind11::module_& m);

// bench() (after bind_run: it raises RunError).
void bind_bench(pybind11::module_& m);

// capacity(), CapacitySearch, CapacityStage and Result.capacity (after
// bind_run: it raises RunError).
void bind_capacity(pybind11::module_& m);

// Raises h2soak.ResultError (a ValueError) with the error's message.
[[noreturn]] void raise_result_error(const Error& e);

// --- shared by run, bench and capacity (run_binding.cc) ---

// A Result object owning `r`, its `path` attribute set (None when empty).
pybind11::object result_object(result::RunResult&& r, const std::string& path);

// None, or the path of a str / os.PathLike.
std::optional<std::string> opt_path(const pybind11::object& o);

// sys.executable followed by sys.argv, for the result metadata.
std::vector<std::string> python_command_line();

// Runs `work` on a new thread while the calling thread, GIL released, wakes
// every 200 ms and, GIL held, checks for Ctrl-C and calls `poll` (may be
// empty; once more after `work` ends). Ctrl-C or an exception from `poll`
// sets `stop` — `work` must then end soon — and is returned, to be re-raised
// (reraise_with_results) once the caller has collected what `work` produced;
// otherwise returns null. Rethrows what `work` throws. Needs the GIL.
std::unique_ptr<pybind11::error_already_set> run_released(const std::function<void()>& work,
                                                          std::atomic<bool>& stop,
                                                          const std::function<void()>& poll);

// Re-raises `pending` with the attributes result (partial Result or None),
// result_path, results (completed Results) and errors (list of str).
[[noreturn]] void reraise_with_results(pybind11::error_already_set& pending, const pybind11::object& partial,
                                       const pybind11::object& partial_path, const pybind11::list& results,
                                       const pybind11::list& errors);

// Raises h2soak.RunError(message) with the same attributes.
[[noreturn]] void raise_run_error(const std::string& message, const pybind11::object& partial,
                                  const pybind11::object& partial_path, const pybind11::list& results,
                                  const pybind11::list& errors);

}  // namespace h2soak::py_binding
