#pragma once
// What `h2soak run`, `h2soak baseline record` and `h2soak ab` share on the
// command-line side: the target override flags, SIGINT handling, the default
// output folder, the run options every run gets, and writing a verdict
// through the sinks (terminal on stdout, Markdown / JUnit / JSON files).

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/compare/verdict.h"
#include "harness/run/runner.h"
#include "harness/scenario/loader.h"

namespace h2soak::cli {

struct TargetArgs {
  std::string url;
  std::string spawn;
  std::optional<std::int64_t> pid;
  std::string pidfile;
  bool remote = false;  // --remote (run, baseline record)
  std::string metrics_url;
  std::vector<std::string> gauges;
  bool insecure = false;
  std::string target_args;
  bool attribute = false;  // --attribute (run, baseline record)
  std::string shard;       // --shard i/N (run, baseline record); "" = the whole load
};

// --target-url --spawn --pid --pidfile [--remote] --target-args --metrics-url --gauge --insecure
// (`with_remote` false for a command that must sample a process here)
void add_target_options(CLI::App& cmd, TargetArgs& args, bool with_remote = true);
// The sampling and TLS options alone (--metrics-url --gauge --insecure), for
// commands that name their targets otherwise (`h2soak ab`).
void add_sampling_options(CLI::App& cmd, TargetArgs& args);
// --attribute (run, baseline record): Scenario::attribution on.
void add_attribute_option(CLI::App& cmd, TargetArgs& args);
scenario::TargetOverrides overrides_from(const TargetArgs& args);
// --shard i/N (run, baseline record): run 1/N of every workload's load
// (scenario/shard.h, docs/run.md "Sharding").
void add_shard_option(CLI::App& cmd, TargetArgs& args);
// With --shard: replaces every plan by its shard's plan and records the
// shard in the result metadata (extra["shard"] = "i/N"). Throws UsageError
// on a malformed --shard.
void apply_shard(const TargetArgs& args, std::vector<scenario::Plan>& plans, run::RunOptions& options);

// While alive, SIGINT and SIGTERM set flag() instead of killing the process
// (a second signal restores the default action and kills it).
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  const std::atomic<bool>* flag() const;
};

// "out/<what>-YYYYmmddTHHMMSSZ".
std::string default_out_dir(const std::string& what);

// argv of this process (from /proc/self/cmdline), for the result metadata.
std::vector<std::string> process_command_line();

run::RunOptions base_run_options(const std::string& out_dir, int threads, const std::vector<std::string>& argv,
                                 const std::atomic<bool>* stop_flag, bool quiet);

// Throws UsageError when `out` exists and --force was not given: checked before
// any work, so a refusal never costs a run (the atomic writer checks again).
void refuse_existing_baseline(const std::string& out, bool force);

// Terminal table on stdout, plus the files that are named (empty: skipped).
// Returns false (after a message on stderr) when a file could not be written.
bool write_verdict(const compare::Verdict& verdict, const std::string& summary_md, const std::string& junit,
                   const std::string& json);

}  // namespace h2soak::cli
