#pragma once
// The `h2soak` Python module, one file per concern; PYBIND11_MODULE
// (h2soak_module.cc) calls the bind_* functions in the order below. Only
// wiring lives in py/ (the logic is in the harness libraries).
//
//   result_binding.cc   Histogram, Result and its parts, load_result, ResultError
//   compare_binding.cc  record_baseline, compare
//   run_binding.cc      run, ScenarioError, RunError

#include <pybind11/pybind11.h>

#include "harness/util/result.h"

namespace h2soak::py_binding {

// Histogram, Result (with its workloads, phase metrics, samples, analysis),
// load_result, loads_result and the ResultError exception.
void bind_results(pybind11::module_& m);

// record_baseline and compare over result files (after bind_results: they
// raise ResultError).
void bind_compare(pybind11::module_& m);

// run(), ScenarioError, RunError and DEFAULT_REFERENCE_BINARY (after
// bind_results: run returns Result objects).
void bind_run(pybind11::module_& m);

// Raises h2soak.ResultError (a ValueError) with the error's message.
[[noreturn]] void raise_result_error(const Error& e);

}  // namespace h2soak::py_binding
