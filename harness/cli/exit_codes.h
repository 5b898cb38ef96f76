#pragma once
// The process exit codes of every h2soak command (DESIGN.md; README "Exit codes").

namespace h2soak::cli {

enum ExitCode : int {
  kExitPass = 0,        // run finished; no regression, every threshold met
  kExitRegression = 1,  // a regression against the baseline or a failed threshold
  kExitUsage = 2,       // bad usage, invalid scenario or baseline (message names file:line:col)
  kExitRunFailed = 3,   // the run could not be completed (target unreachable, crashed, spawn failed),
                        // or an output file could not be written (any older file is left as it was)
  kExitInternal = 4,    // a bug in h2soak
  kExitGeneratorBound = 5,  // `h2soak capacity` only: the generator, not the service, was the bottleneck
};

inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0  pass: the run finished, no regression, every threshold met\n"
    "  1  regression against the baseline, or a threshold failed\n"
    "  2  bad usage, or an invalid scenario/baseline (the message names file:line:col)\n"
    "  3  the run could not be completed (target unreachable, crashed, spawn failed),\n"
    "     or an output could not be written (an older file of that name is left as it was)\n"
    "  4  internal error\n";

}  // namespace h2soak::cli
