#pragma once
// Where a value of a scenario file came from, for messages emitted after
// loading (threshold and regression failures, plan checks).

#include <string>

namespace h2soak::scenario {

// line and col are 1-based; 0 = unknown (a value built in memory, or read
// back from a result file, which does not keep positions).
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
  // "file:line:col" (or just "file" when line is 0).
  std::string str() const;
  bool operator==(const SourcePos&) const = default;
};

}  // namespace h2soak::scenario
