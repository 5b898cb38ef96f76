#pragma once
// The seam for deliberate faults (shared/FAILURE_MODES.md). Each fault will live in one file
// of this folder and be switched on by `--fault NAME`; the clean server never reads around
// them. No fault is implemented yet, so known_faults() is empty and main.cc rejects every
// --fault with exit code 2.

#include <string_view>
#include <vector>

namespace h2soak::target {

/// Names accepted by --fault.
inline std::vector<std::string_view> known_faults() { return {}; }

}  // namespace h2soak::target
