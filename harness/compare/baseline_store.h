#pragma once
// Loading and saving baseline files. Errors are values: the file name is the
// Error's `where`, the message says what is wrong (not found, not JSON and at
// which byte, another schema version, the JSON Pointer of a bad field).
//
// load_baseline only ever opens the file read-only: a comparison never
// modifies a baseline. save_baseline writes atomically (atomic_file.h) and
// refuses to replace an existing file unless `force`, so an existing baseline
// is never lost or half-written. Blocking file I/O: CLI/report stage only.

#include <string>

#include "harness/compare/baseline.h"
#include "harness/util/result.h"

namespace h2soak::compare {

Result<Baseline> load_baseline(const std::string& path);
Status save_baseline(const std::string& path, const Baseline& baseline, bool force);

// Parses JSON text with an error naming `source` and the byte offset.
Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& source);

}  // namespace h2soak::compare
