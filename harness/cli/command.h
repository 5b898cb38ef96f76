#pragma once
// Subcommands of the `h2soak` binary. Each lives in its own <name>_command.cc
// and registers itself with register_<name>_command(app, slot): it adds a CLI11
// subcommand with its options and, when that subcommand is chosen, stores the
// action to run in `slot`. main() parses the command line, then runs the one
// action that was chosen and exits with its code (see exit_codes.h).
// Actions may throw UsageError for bad input found after parsing (exit 2), and
// OutputError when a file they were asked to write could not be written (exit 3;
// the atomic writer has left any older file of that name as it was).

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace h2soak::cli {

using Action = std::function<int()>;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void register_bench_command(CLI::App& app, Action& slot);
void register_compare_command(CLI::App& app, Action& slot);
void register_baseline_command(CLI::App& app, Action& slot);
void register_run_command(CLI::App& app, Action& slot);
void register_ab_command(CLI::App& app, Action& slot);
void register_baseline_record_command(CLI::App& app, Action& slot);  // after register_baseline_command
void register_analyze_command(CLI::App& app, Action& slot);
void register_merge_command(CLI::App& app, Action& slot);
void register_capacity_command(CLI::App& app, Action& slot);
void register_sample_command(CLI::App& app, Action& slot);

}  // namespace h2soak::cli
