// `h2soak analyze RESULT.json [--steady-until SECONDS] --out FILE`: re-runs
// the analysis of a stored result from its own samples and counts (what the
// runner does at the end of a run) and writes the result again with the new
// analysis. With --steady-until only the first SECONDS of the steady phase are
// judged: how long must a run be before a leak is flagged? (the detection
// matrix's time to detection: ci/detection_matrix.sh). The input is never
// modified; the output is written atomically.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/result/result_json.h"
#include "harness/run/analyze_result.h"

namespace h2soak::cli {
namespace {

struct AnalyzeArgs {
  std::string file;
  std::string out;
  std::optional<double> steady_until;
};

int run_analyze(const AnalyzeArgs& args) {
  auto r = result::read_result(args.file);
  if (!r) throw UsageError(r.error().message());
  if (!r->target.samples) throw UsageError(args.file + ": the result has no samples of the target to analyse");
  run::AnalyzeOptions options;
  options.steady_seconds = args.steady_until;
  run::analyze_result(*r, options);
  if (args.steady_until) r->metadata.extra["analysis_steady_until"] = fmt::format("{:g}", *args.steady_until);
  if (auto st = result::write_result(*r, args.out); !st) {
    throw OutputError(st.error().message());
  }
  std::printf("%s: analysed again%s -> %s\n", args.file.c_str(),
              args.steady_until ? fmt::format(" (first {:g} s of steady)", *args.steady_until).c_str() : "",
              args.out.c_str());
  return kExitPass;
}

}  // namespace

void register_analyze_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Analyse a stored result again from its samples (optionally only the start of steady)");
  cmd->add_option("file", args->file, "RESULT.json")->required();
  cmd->add_option("-o,--out", args->out, "write the re-analysed result here (never the input)")->required();
  cmd->add_option("--steady-until", args->steady_until,
                  "judge only the first SECONDS of the steady phase (slopes and retained bytes)")
      ->check(CLI::PositiveNumber);
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] {
    if (args->out == args->file) throw CLI::ValidationError("--out", "must not be the input file");
    slot = [args] { return run_analyze(*args); };
  });
}

}  // namespace h2soak::cli
