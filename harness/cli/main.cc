// h2soak: the command-line entry point. Parses the command line, runs the one
// chosen subcommand and maps its outcome to the documented exit codes.

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/version.h"

int main(int argc, char** argv) {
  using namespace h2soak::cli;
  CLI::App app{"h2soak: HTTP/2 load generator and leak-regression harness"};
  app.set_version_flag("--version", std::string("h2soak ") + kVersion);
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);

  Action action;
  register_bench_command(app, action);
  register_compare_command(app, action);
  register_baseline_command(app, action);
  register_run_command(app, action);
  register_ab_command(app, action);
  register_baseline_record_command(app, action);
  register_analyze_command(app, action);
  register_merge_command(app, action);
  register_capacity_command(app, action);
  register_sample_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help/version or the error
    return code == 0 ? kExitPass : kExitUsage;
  }
  if (!action) return kExitUsage;
  try {
    return action();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "h2soak: %s\n", e.what());
    return kExitUsage;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "h2soak: %s\n", e.what());
    return kExitRunFailed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "h2soak: internal error: %s\n", e.what());
    return kExitInternal;
  }
}
