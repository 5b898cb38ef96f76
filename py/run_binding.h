#pragma once
// `h2soak.run` and its exceptions (ScenarioError, RunError): the scenario
// runner (harness/run) wired into the Python module.
//
// Who calls: PYBIND11_MODULE in h2soak_module.cc, once, after the Result
// class is registered (run returns Result objects).

#include <pybind11/pybind11.h>

namespace h2soak::py_binding {

// Adds run(), ScenarioError, RunError and DEFAULT_REFERENCE_BINARY to `m`.
void bind_run(pybind11::module_& m);

}  // namespace h2soak::py_binding
