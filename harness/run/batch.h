#pragma once
// Several runs in a row: every scenario of a file (a scenario or a suite),
// each repeated K times, one after another — what `h2soak run`, `h2soak
// baseline record` and (per pair) `h2soak ab` execute.
//
//   load_plans()  scenario or suite file → validated Plans, with the
//                 command line's target overrides applied to every scenario
//                 (errors: file:line:col, or the flag's name; exit code 2)
//   run_batch()   runs them; result files are OUT/<scenario>.json, or
//                 OUT/<scenario>.run<k>.json when K > 1; the terminal summary
//                 of each run goes to `summary_out` as soon as it is done
//
// Nothing here evaluates a verdict: gate.h does, from BatchResult::finished.

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "harness/run/gate.h"
#include "harness/run/runner.h"
#include "harness/scenario/loader.h"
#include "harness/util/result.h"

namespace h2soak::run {

struct LoadedPlans {
  std::string suite_name;  // "" for a single scenario
  std::vector<scenario::Plan> plans;
};

Result<LoadedPlans> load_plans(const std::string& path, const scenario::TargetOverrides& overrides);

struct BatchOptions {
  int runs = 1;                   // K repetitions of each scenario
  RunOptions run;                 // out_dir, binaries, metadata, progress; stem/label set per run
  std::FILE* summary_out = stdout;  // per-run summaries; null: none
  // Prefix of the file stems ("a." for A/B runs); the repetition suffix and
  // the scenario name follow.
  std::string stem_prefix;
  int run_offset = 0;             // numbering of repetitions starts at run_offset + 1
};

struct BatchResult {
  std::deque<RunOutcome> outcomes;   // in run order (stable addresses for `finished`)
  std::vector<FinishedRun> finished; // the completed runs, pointing into outcomes and the plans
  bool incomplete = false;           // some run did not start or did not complete (exit code 3)
  bool interrupted = false;          // the caller's stop flag was set
  std::vector<std::string> errors;   // one line per run that did not complete
};

// `plans` must outlive the result (FinishedRun points into it).
BatchResult run_batch(const std::vector<scenario::Plan>& plans, const BatchOptions& options);

}  // namespace h2soak::run
