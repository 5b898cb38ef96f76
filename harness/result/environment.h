#pragma once
// Facts about the machine for result metadata: host name, kernel (uname),
// online CPU count, CPU model. Cheap; call once per run on the runner's thread.

#include <string>
#include <vector>

#include "harness/result/run_result.h"

namespace h2soak::result {

// Fills host, kernel, cpu_count and cpu_model, the given version/revision and command
// line, and start_unix = now. Leaves the scenario fields empty.
Metadata collect_metadata(std::string version, std::string git_revision,
                          std::vector<std::string> command_line);

}  // namespace h2soak::result
