// `h2soak capacity`: the highest arrival rate a service sustains within its
// objectives, and which objective breaks first (docs/capacity.md). Parses the
// flags into run::CapacityOptions, which run::make_capacity_plan checks before
// any socket opens (the same path as Python's h2soak.capacity), runs the
// search (run::run_capacity), prints a row per stage as it ends and the
// figure, and writes the result document with --json and the HTML report
// with --report.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/report_output.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/result/result_json.h"
#include "harness/run/capacity_plan.h"
#include "harness/util/clock.h"

namespace h2soak::cli {
namespace {

struct CapacityArgs {
  run::CapacityOptions options;
  std::string json_file;
  std::string report_dir;  // --report DIR: DIR/capacity.json and DIR/report.html (report_output.h)
  bool no_progress = false;
};

std::string ms(double us) { return std::isfinite(us) ? fmt::format("{:.1f}", us / 1000) : "-"; }
std::string mib(const std::optional<std::uint64_t>& b) {
  return b ? fmt::format("{:.1f}", static_cast<double>(*b) / (1 << 20)) : "-";
}
std::string count(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "-"; }

void print_header(bool sampled) {
  std::printf("%5s %10s %10s %9s %9s %9s %7s %7s%s  %s\n", "stage", "offered/s", "achieved/s", "p50 ms", "p99 ms",
              "p999 ms", "errors", "drops", sampled ? "  tgt CPU  RSS MiB threads   fds" : "", "verdict");
  std::fflush(stdout);
}

void print_row(std::size_t index, const result::CapacityStage& s, bool sampled) {
  std::string target;
  if (sampled) {
    target = fmt::format("  {:>7} {:>8} {:>7} {:>5}", s.target_cpu ? fmt::format("{:.2f}", *s.target_cpu) : "-",
                         mib(s.target_rss_peak), count(s.target_threads_peak), count(s.target_fds_peak));
  }
  std::string verdict = s.passed ? "pass" : "FAIL " + s.broken;
  if (s.stopped_early) verdict += " (stopped early)";
  std::printf("%5zu %10.1f %10.1f %9s %9s %9s %7llu %7llu%s  %s\n", index, s.offered, s.achieved, ms(s.p50).c_str(),
              ms(s.p99).c_str(), ms(s.p999).c_str(), static_cast<unsigned long long>(s.errors),
              static_cast<unsigned long long>(s.dropped), target.c_str(), verdict.c_str());
  if (!s.passed && !s.detail.empty()) std::printf("      %s\n", s.detail.c_str());
  std::fflush(stdout);
}

std::string interval_text(const result::CapacitySearch& s) {
  return fmt::format("[{:g}, {}]", s.interval_low,
                     std::isnan(s.interval_high) ? std::string("-") : fmt::format("{:g}", s.interval_high));
}

// Writes the result where --json and --report ask; false when one could not be written.
bool write_outputs(const CapacityArgs& a, const result::RunResult& r) {
  bool ok = true;
  if (!a.json_file.empty()) {
    if (auto st = result::write_result(r, a.json_file); !st) {
      std::fprintf(stderr, "h2soak capacity: %s\n", st.error().message().c_str());
      ok = false;
    }
  }
  if (!a.report_dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(a.report_dir, ec);
    const std::string file = (fs::path(a.report_dir) / "capacity.json").string();
    if (auto st = result::write_result(r, file); !st) {
      std::fprintf(stderr, "h2soak capacity: --report: %s\n", st.error().message().c_str());
      return false;
    }
    ok = write_html_report({a.report_dir, {file}, {}, "", nullptr}) && ok;
  }
  return ok;
}

int run_capacity(const CapacityArgs& a) {
  auto made = run::make_capacity_plan(a.options);
  if (!made) throw UsageError(made.error().message());
  const run::CapacityPlan& plan = *made;
  const bool sampled = plan.target_pid > 0;

  StopOnSignal stop_on_signal;
  run::CapacityHooks hooks;
  hooks.interrupt = stop_on_signal.flag();
  const bool tty = isatty(STDERR_FILENO) == 1 && !a.no_progress;
  std::size_t stage_no = 1;
  if (tty) {
    hooks.on_progress = [&](double rate, const load::Progress& p) {
      std::fprintf(stderr, "\r\033[Kstage %zu at %g req/s: %.0f s %s, %llu done, %llu dropped, %llu in flight",
                   stage_no, rate, p.elapsed_seconds, p.steady ? "steady" : "warm-up",
                   static_cast<unsigned long long>(p.counters.requests_done),
                   static_cast<unsigned long long>(p.counters.requests_dropped),
                   static_cast<unsigned long long>(p.in_flight));
      std::fflush(stderr);
    };
  }
  hooks.on_stage = [&](const result::CapacityStage& st, const run::StageOutcome& o) {
    if (tty) std::fprintf(stderr, "\r\033[K");
    print_row(stage_no++, st, sampled);
    if (!o.generator_note.empty()) std::fprintf(stderr, "WARNING: %s\n", o.generator_note.c_str());
  };

  std::printf("capacity search: %zu URL(s), %d thread(s), %u client(s) x %u stream(s); stages of %s after %s "
              "warm-up from %g req/s (x%g, %d refinements, at most %g req/s)\n",
              plan.plan.urls.size(), plan.bench.threads, plan.plan.clients, plan.plan.max_streams,
              a.options.stage.c_str(), a.options.warmup.c_str(), plan.search.start_rate, plan.search.growth,
              plan.search.refine, plan.search.max_rate);
  std::printf("objectives:");
  for (const auto& t : plan.objectives.list) std::printf(" \"%s\"", t.text.c_str());
  std::printf("; drops < %g %% of arrivals; achieved >= %g %% of offered\n", 100 * plan.objectives.drop_budget,
              100 * plan.objectives.min_achieved);
  print_header(sampled);

  const double start_unix = unix_seconds();
  const TimePoint start = now();
  const result::CapacitySearch s = run::run_capacity(plan, hooks);

  if (s.stop == "generator-bound") {
    std::printf("%s\n", s.note.c_str());
    std::printf("capacity: at least %g req/s (the last stage before the generator became the bottleneck)\n",
                s.capacity);
  } else {
    std::printf("capacity: %g req/s (interval %s), first broken objective: %s\n", s.capacity,
                interval_text(s).c_str(), s.first_broken.empty() ? "none" : s.first_broken.c_str());
    std::printf("search ended: %s (%s)\n", s.stop.c_str(), s.note.c_str());
  }
  std::fflush(stdout);

  if (!a.json_file.empty() || !a.report_dir.empty()) {
    const result::RunResult r = run::capacity_plan_result(plan, s, start_unix, seconds_between(start, now()),
                                                          kVersion, kGitRevision, process_command_line());
    if (!write_outputs(a, r)) return kExitRunFailed;
  }
  if (s.stop == "interrupted" || s.stop == "target-gone") {
    std::fprintf(stderr, "h2soak capacity: %s\n", s.note.c_str());
    return kExitRunFailed;
  }
  if (s.stop == "generator-bound") return kExitGeneratorBound;
  if (s.stop == "first-stage-failed") return kExitRegression;
  return kExitPass;
}

}  // namespace

void register_capacity_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<CapacityArgs>();
  run::CapacityOptions& c = args->options;
  run::BenchOptions& o = c.bench;
  o.clients = 4;
  o.max_streams = 16;
  CLI::App* cmd = app.add_subcommand(
      "capacity", "the highest arrival rate a service sustains within its objectives, and what breaks first");
  cmd->add_option("urls", o.urls, "target URLs (http:// = h2c prior knowledge, https:// = TLS + ALPN h2)")
      ->required();
  cmd->add_option("--objective", c.objectives,
                  "an objective every stage must meet (repeatable; default \"p99 < 250ms\" and "
                  "\"error_rate < 0.1%\"): latency.p50/p90/p99/p999 (or p99 ...), error_rate, drop_rate, rps, ...");
  cmd->add_option("--start-rate", c.start_rate, "the first stage's arrival rate")->capture_default_str();
  cmd->add_option("--max-rate", c.max_rate, "no stage above this rate")->capture_default_str();
  cmd->add_option("--stage", c.stage, "measured length of each stage")->capture_default_str();
  cmd->add_option("--warm-up", c.warmup, "warm-up before each stage's measurement")->capture_default_str();
  cmd->add_option("--growth", c.growth, "the ramp multiplies the rate by this until a stage fails")
      ->capture_default_str();
  cmd->add_option("--refine", c.refine, "bisection steps between the last pass and the first failure")
      ->capture_default_str();
  cmd->add_option("-c,--clients", o.clients, "connections")->capture_default_str();
  cmd->add_option("-m,--max-concurrent-streams", o.max_streams,
                  "streams per connection (c x m bounds requests in flight; arrivals past it are dropped)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o.threads, "generator worker threads")->capture_default_str();
  cmd->add_flag("-k,--insecure", o.insecure, "do not verify the server certificate");
  cmd->add_flag("--h1", o.h1, "use HTTP/1.1 (curl) instead of HTTP/2");
  cmd->add_option("-H,--header", o.headers, "extra request header \"name: value\" (repeatable)");
  auto* pid = cmd->add_option("--target-pid", c.target_pid, "sample this process (RSS, threads, fds, CPU) per stage");
  cmd->add_option("--target-pidfile", c.target_pidfile, "read the process id to sample from this file")
      ->excludes(pid);
  cmd->add_option("--json", args->json_file, "write the result (schema h2soak.result/v1 with a capacity section)");
  cmd->add_option("--report", args->report_dir,
                  "write DIR/capacity.json and the HTML report DIR/report.html: the capacity, the stages and the "
                  "knee plot");
  cmd->add_flag("--no-progress", args->no_progress, "no live progress line on a terminal");
  cmd->footer(std::string(kExitCodesHelp) +
              "  5  capacity: the generator became the bottleneck (a worker thread busy >= 90 %);\n"
              "     the figure is a lower bound that measures h2soak, not the service\n"
              "  capacity exits 1 when not even --start-rate met the objectives\n");
  cmd->callback([args, &slot] { slot = [args] { return run_capacity(*args); }; });
}

}  // namespace h2soak::cli
