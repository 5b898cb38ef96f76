// `h2soak capacity`: the highest arrival rate a service sustains within its
// objectives, and which objective breaks first (docs/capacity.md). Parses the
// flags into the bench options of one stage (run::make_bench_plan checks them
// before any socket opens) and the search's options, runs the search
// (run::search_capacity) with one engine stage per rate
// (run::run_capacity_stage), prints a row per stage as it ends and the
// figure, and writes the result document with --json.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/result/result_json.h"
#include "harness/run/bench.h"
#include "harness/run/capacity.h"
#include "harness/run/capacity_stage.h"
#include "harness/util/atomic_file.h"
#include "harness/util/clock.h"
#include "harness/util/text.h"
#include "harness/util/units.h"

namespace h2soak::cli {
namespace {

struct CapacityArgs {
  run::BenchOptions bench;
  std::vector<std::string> objectives;
  std::string start_rate = "100/s", max_rate = "100000/s", stage = "5s", warmup = "1s";
  double growth = 2;
  int refine = 3;
  std::optional<int> target_pid;
  std::string target_pidfile;
  std::string json_file;
  bool no_progress = false;
};

std::vector<std::string> own_command_line() {
  std::vector<std::string> argv;
  auto text = read_file("/proc/self/cmdline");
  if (!text) return argv;
  std::string arg;
  for (char ch : *text) {
    if (ch == 0) {
      argv.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(ch);
    }
  }
  return argv;
}

double rate_of(const std::string& flag, const std::string& text) {
  auto r = units::parse_rate(text);
  if (!r) throw UsageError(flag + ": " + r.error().message());
  return *r;
}

Nanos duration_of(const std::string& flag, const std::string& text) {
  auto d = units::parse_duration(text);
  if (!d) throw UsageError(flag + ": " + d.error().message());
  return *d;
}

int target_pid_of(const CapacityArgs& a) {
  if (a.target_pid) {
    if (*a.target_pid <= 0) throw UsageError("--target-pid must be a process id");
    return *a.target_pid;
  }
  if (a.target_pidfile.empty()) return 0;
  auto text = read_file(a.target_pidfile);
  if (!text) throw UsageError("--target-pidfile: " + text.error().message());
  const std::string_view t = trim(*text);
  int pid = 0;
  for (char c : t) {
    if (c < '0' || c > '9' || pid > 100'000'000) throw UsageError("--target-pidfile " + a.target_pidfile + ": not a pid");
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0) throw UsageError("--target-pidfile " + a.target_pidfile + ": not a pid");
  return pid;
}

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

int run_capacity(const CapacityArgs& a) {
  run::SearchOptions search;
  search.start_rate = rate_of("--start-rate", a.start_rate);
  search.max_rate = rate_of("--max-rate", a.max_rate);
  search.growth = a.growth;
  search.refine = a.refine;
  if (auto st = run::check_search_options(search); !st) throw UsageError(st.error().message());
  auto objectives = run::make_objectives(a.objectives);
  if (!objectives) throw UsageError(objectives.error().message());
  const Nanos stage = duration_of("--stage", a.stage);
  const Nanos warmup = duration_of("--warm-up", a.warmup);
  if (stage < std::chrono::milliseconds(500)) throw UsageError("--stage must be at least 500ms");
  const int pid = target_pid_of(a);

  // One stage is `h2soak bench --rate R -D stage --warm-up-time W`; the rate is set per stage.
  run::BenchOptions bench = a.bench;
  bench.duration = a.stage;
  bench.warmup = a.warmup;
  bench.rate = a.start_rate;
  auto made = run::make_bench_plan(bench);
  if (!made) throw UsageError(made.error().message());
  const workloads::BenchPlan plan = std::move(*made);

  StopOnSignal stop_on_signal;
  run::CapacityStageOptions so;
  so.plan = &plan;
  so.bench = &bench;
  so.runner = run::bench_runner_options(bench);
  so.stage = stage;
  so.warmup = warmup;
  so.target_pid = pid;
  so.interrupt = stop_on_signal.flag();
  const bool tty = isatty(STDERR_FILENO) == 1 && !a.no_progress;
  std::size_t stage_no = 1;
  if (tty) {
    so.on_progress = [&](double rate, const load::Progress& p) {
      std::fprintf(stderr, "\r\033[Kstage %zu at %g req/s: %.0f s %s, %llu done, %llu dropped, %llu in flight",
                   stage_no, rate, p.elapsed_seconds, p.steady ? "steady" : "warm-up",
                   static_cast<unsigned long long>(p.counters.requests_done),
                   static_cast<unsigned long long>(p.counters.requests_dropped),
                   static_cast<unsigned long long>(p.in_flight));
      std::fflush(stderr);
    };
  }

  std::printf("capacity search: %zu URL(s), %d thread(s), %u client(s) x %u stream(s); stages of %s after %s "
              "warm-up from %g req/s (x%g, %d refinements, at most %g req/s)\n",
              plan.urls.size(), a.bench.threads, plan.clients, plan.max_streams, a.stage.c_str(), a.warmup.c_str(),
              search.start_rate, search.growth, search.refine, search.max_rate);
  std::printf("objectives:");
  for (const auto& t : objectives->list) std::printf(" \"%s\"", t.text.c_str());
  std::printf("; drops < %g %% of arrivals; achieved >= %g %% of offered\n", 100 * objectives->drop_budget,
              100 * objectives->min_achieved);
  print_header(pid > 0);

  const double start_unix = unix_seconds();
  const TimePoint start = now();
  const result::CapacitySearch s = run::search_capacity(
      search, *objectives, [&](double rate) { return run::run_capacity_stage(so, *objectives, rate); },
      [&](const result::CapacityStage& st, const run::StageOutcome& o) {
        if (tty) std::fprintf(stderr, "\r\033[K");
        print_row(stage_no++, st, pid > 0);
        if (!o.generator_note.empty()) std::fprintf(stderr, "WARNING: %s\n", o.generator_note.c_str());
      });

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

  if (!a.json_file.empty()) {
    run::CapacityRunInfo info;
    info.urls = bench.urls;
    info.target_mode = a.target_pid ? "pid" : a.target_pidfile.empty() ? "none" : "pidfile";
    info.target_pid = pid;
    info.start_unix = start_unix;
    info.duration = seconds_between(start, now());
    info.version = kVersion;
    info.git_revision = kGitRevision;
    info.command_line = own_command_line();
    info.params = {{"start_rate", a.start_rate},
                   {"max_rate", a.max_rate},
                   {"stage", a.stage},
                   {"warm_up", a.warmup},
                   {"growth", fmt::format("{:g}", a.growth)},
                   {"refine", std::to_string(a.refine)},
                   {"clients", std::to_string(plan.clients)},
                   {"max_streams", std::to_string(plan.max_streams)},
                   {"threads", std::to_string(a.bench.threads)},
                   {"protocol", plan.h1 ? "h1" : "h2"}};
    const result::RunResult r = run::capacity_result(s, info);
    if (auto st = result::write_result(r, a.json_file); !st) {
      std::fprintf(stderr, "h2soak capacity: %s\n", st.error().message().c_str());
      return kExitRunFailed;
    }
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
  run::BenchOptions& o = args->bench;
  o.clients = 4;
  o.max_streams = 16;
  CLI::App* cmd = app.add_subcommand(
      "capacity", "the highest arrival rate a service sustains within its objectives, and what breaks first");
  cmd->add_option("urls", o.urls, "target URLs (http:// = h2c prior knowledge, https:// = TLS + ALPN h2)")
      ->required();
  cmd->add_option("--objective", args->objectives,
                  "an objective every stage must meet (repeatable; default \"p99 < 250ms\" and "
                  "\"error_rate < 0.1%\"): latency.p50/p90/p99/p999 (or p99 ...), error_rate, drop_rate, rps, ...");
  cmd->add_option("--start-rate", args->start_rate, "the first stage's arrival rate")->capture_default_str();
  cmd->add_option("--max-rate", args->max_rate, "no stage above this rate")->capture_default_str();
  cmd->add_option("--stage", args->stage, "measured length of each stage")->capture_default_str();
  cmd->add_option("--warm-up", args->warmup, "warm-up before each stage's measurement")->capture_default_str();
  cmd->add_option("--growth", args->growth, "the ramp multiplies the rate by this until a stage fails")
      ->capture_default_str();
  cmd->add_option("--refine", args->refine, "bisection steps between the last pass and the first failure")
      ->capture_default_str();
  cmd->add_option("-c,--clients", o.clients, "connections")->capture_default_str();
  cmd->add_option("-m,--max-concurrent-streams", o.max_streams,
                  "streams per connection (c x m bounds requests in flight; arrivals past it are dropped)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o.threads, "generator worker threads")->capture_default_str();
  cmd->add_flag("-k,--insecure", o.insecure, "do not verify the server certificate");
  cmd->add_flag("--h1", o.h1, "use HTTP/1.1 (curl) instead of HTTP/2");
  cmd->add_option("-H,--header", o.headers, "extra request header \"name: value\" (repeatable)");
  auto* pid = cmd->add_option("--target-pid", args->target_pid, "sample this process (RSS, threads, fds, CPU) per stage");
  cmd->add_option("--target-pidfile", args->target_pidfile, "read the process id to sample from this file")
      ->excludes(pid);
  cmd->add_option("--json", args->json_file, "write the result (schema h2soak.result/v1 with a capacity section)");
  cmd->add_flag("--no-progress", args->no_progress, "no live progress line on a terminal");
  cmd->footer(std::string(kExitCodesHelp) +
              "  5  capacity: the generator became the bottleneck (a worker thread busy >= 90 %);\n"
              "     the figure is a lower bound that measures h2soak, not the service\n"
              "  capacity exits 1 when not even --start-rate met the objectives\n");
  cmd->callback([args, &slot] { slot = [args] { return run_capacity(*args); }; });
}

}  // namespace h2soak::cli
