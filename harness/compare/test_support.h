#pragma once
// Helpers shared by compare's tests: synthetic runs and a scratch directory.

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness/compare/run_metrics.h"
#include "harness/scenario/threshold.h"

namespace h2soak::compare::testing {

inline MachineProfile test_machine() { return {"ci-host", "Test CPU @ 3GHz", 2, "Linux 6.1.0"}; }

// One run of `scenario` with the given metrics (name, value, unit).
inline RunMetrics make_run(const std::string& scenario, const std::string& source,
                           std::initializer_list<std::pair<std::string, std::pair<double, std::string>>> metrics,
                           const std::string& hash = "sha256:aaaa") {
  RunMetrics r;
  r.source = source;
  r.scenario = scenario;
  r.scenario_hash = hash;
  r.machine = test_machine();
  r.h2soak_version = "0.1.0";
  for (const auto& [name, vu] : metrics) r.metrics[name] = MetricValue{vu.first, vu.second, std::nullopt, std::nullopt};
  return r;
}

// Gates as a result carries them, from their text (the result grammar).
inline std::vector<scenario::Threshold> gates(std::initializer_list<const char*> texts) {
  std::vector<scenario::Threshold> out;
  for (const char* text : texts) out.push_back(*scenario::parse_result_threshold(text));
  return out;
}

// The texts of gates, as written.
inline std::vector<std::string> texts(const std::vector<scenario::Threshold>& gates) {
  std::vector<std::string> out;
  for (const auto& g : gates) out.push_back(g.text);
  return out;
}

// A fresh directory under TMPDIR, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "h2soak-compare-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  const std::string& path() const { return path_; }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_),
                                                  std::filesystem::directory_iterator()));
  }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace h2soak::compare::testing
