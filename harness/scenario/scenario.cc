#include "harness/scenario/scenario.h"

namespace h2soak::scenario {

std::string SourcePos::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

const char* to_string(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kTabs: return "tabs";
    case WorkloadKind::kSse: return "sse";
    case WorkloadKind::kUpload: return "upload";
    case WorkloadKind::kShortConnections: return "short_connections";
    case WorkloadKind::kIdle: return "idle";
    case WorkloadKind::kBench: return "bench";
  }
  return "?";
}

const char* to_string(SseLeave leave) {
  switch (leave) {
    case SseLeave::kRst: return "rst";
    case SseLeave::kClose: return "close";
    case SseLeave::kMixed: return "mixed";
  }
  return "?";
}

const char* to_string(SizeDistribution d) {
  switch (d) {
    case SizeDistribution::kUniform: return "uniform";
    case SizeDistribution::kLogNormal: return "lognormal";
  }
  return "?";
}

const char* to_string(Protocol p) {
  switch (p) {
    case Protocol::kH2: return "h2";
    case Protocol::kH1: return "h1";
  }
  return "?";
}

const char* to_string(Direction d) {
  return d == Direction::kLowerIsBetter ? "lower" : "higher";
}

std::vector<std::string> TabsWorkload::default_pages() {
  std::vector<std::string> pages;
  for (int n = 1; n <= 20; ++n) pages.push_back("/page/" + std::to_string(n));
  return pages;
}

const Phase* Scenario::phase(std::string_view phase_name) const {
  for (const auto& p : phases) {
    if (p.name == phase_name) return &p;
  }
  return nullptr;
}

Nanos Scenario::total_duration() const {
  Nanos total{};
  for (const auto& p : phases) total += p.duration;
  return total;
}

Nanos Suite::total_duration() const {
  Nanos total{};
  for (const auto& s : scenarios) total += s.total_duration();
  return total;
}

}  // namespace h2soak::scenario
