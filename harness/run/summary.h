#pragma once
// The readable end-of-run summary of one RunResult for a terminal:
//
//   test_many_tabs  completed in 8.0 s  (result: out/test_many_tabs.json)
//   workload   kind   requests   req/s  errors     p50      p99
//   tabs       tabs       1234   246.8       0   1.2ms    8.9ms
//   target: pid 1234, RSS slope +1.2 KiB/s [-3.0, 4.1] KiB/s, retained 12 KiB/1k req,
//           residual RSS +0.3 MiB threads +0 fds +0, peak RSS 14 MiB threads 3 fds 40,
//           CPU 45.1 us/request; gauge ... slope/residual/peak
//
// Pure; the CLI prints it to stdout after each run.

#include <string>

#include "harness/result/run_result.h"

namespace h2soak::run {

std::string render_summary(const result::RunResult& r, const std::string& result_path);

}  // namespace h2soak::run
