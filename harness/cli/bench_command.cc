// `h2soak bench`: h2load's common options with the same meaning, plus an open
// model (--rate, --poisson), per-request logs and a JSON result. Parses the
// flags into run::BenchOptions, which run::make_bench_plan() checks into a
// workloads::BenchPlan before any socket opens (harness/run/bench.h, shared with
// Python's h2soak.bench), runs it on the engine (harness/load), prints an
// h2load-shaped summary and the generator's warnings (saturated, late).

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/load/runner.h"
#include "harness/result/result_json.h"
#include "harness/run/bench.h"
#include "harness/run/start_barrier.h"
#include "harness/workloads/bench_report.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::cli {
namespace {

// The options make_bench_plan() checks, and what only the CLI has: the output
// files and the progress line.
struct BenchArgs {
  run::BenchOptions options;
  std::string json_file, log_file;
  bool no_progress = false;
};

std::vector<std::string> own_command_line() {
  std::vector<std::string> argv;
  std::FILE* f = std::fopen("/proc/self/cmdline", "rb");
  if (!f) return argv;
  std::string arg;
  for (int ch; (ch = std::fgetc(f)) != EOF;) {
    if (ch == 0) {
      argv.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(ch));
    }
  }
  std::fclose(f);
  return argv;
}

int run_bench(const BenchArgs& args) {
  const run::BenchOptions& o = args.options;
  auto made = run::make_bench_plan(o);
  if (!made) throw UsageError(made.error().message());
  auto start_at = run::bench_start_at(o, unix_seconds());
  if (!start_at) throw UsageError(start_at.error().message());
  const std::optional<double> at = *start_at;
  workloads::BenchPlan plan = std::move(*made);
  std::unique_ptr<workloads::RequestLog> log;
  if (!args.log_file.empty()) {
    auto opened = workloads::RequestLog::open(args.log_file);
    if (!opened) throw UsageError(opened.error().message());
    log = std::move(*opened);
    plan.log = log.get();
  }
  load::RunnerOptions options = run::bench_runner_options(o);
  // SIGINT or SIGTERM ends the run early and still prints the summary; a second one kills.
  StopOnSignal stop_on_signal;
  options.stop_flag = stop_on_signal.flag();
  const bool tty = isatty(STDERR_FILENO) == 1 && !args.no_progress;
  load::Progress last;
  if (tty) {
    options.on_progress = [&](const load::Progress& p) {
      std::fprintf(stderr, "\r\033[K%s", workloads::format_bench_progress(p, last).c_str());
      std::fflush(stderr);
      last = p;
    };
  }
  std::printf("starting benchmark: %zu URL(s), %d thread(s), %u client(s), %u max concurrent stream(s)%s\n",
              plan.urls.size(), o.threads, plan.clients, plan.max_streams,
              plan.rate > 0 ? fmt::format(", {:.0f} req/s {}", plan.rate, plan.poisson ? "poisson" : "constant").c_str()
                            : "");
  std::fflush(stdout);

  // Shards started together (docs/run.md, "Sharding a bench"): the load starts at the barrier.
  if (!run::wait_for_bench_start(at, options.stop_flag)) {
    std::fprintf(stderr, "h2soak bench: stopped before --start-at\n");
    return kExitRunFailed;
  }
  const double start_unix = unix_seconds();
  plan.log_origin_unix = start_unix;
  const load::RunOutcome out = load::run_workers(options, [&plan](load::Worker& w) {
    return std::make_unique<workloads::BenchWorkload>(w, plan);
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  log.reset();  // flushes (every worker buffer was flushed when its workload was destroyed)

  std::fputs(workloads::format_bench_summary(out, plan).c_str(), stdout);
  std::fflush(stdout);
  result::RunResult r = run::bench_result(o, plan, out, start_unix, kVersion, kGitRevision, own_command_line());
  run::record_start_at(at, start_unix, r.metadata.extra);
  for (const auto& w : r.generator->warnings) std::fprintf(stderr, "WARNING: %s\n", w.c_str());
  if (!args.json_file.empty()) {
    auto st = result::write_result(r, args.json_file);
    if (!st) {
      std::fprintf(stderr, "h2soak bench: %s\n", st.error().message().c_str());
      return kExitRunFailed;
    }
  }
  if (out.never_connected) {
    std::fprintf(stderr, "h2soak bench: no connection to %s could be established%s%s\n", o.urls.front().c_str(),
                 out.last_error.empty() ? "" : ": ", out.last_error.c_str());
    return kExitRunFailed;
  }
  return kExitPass;
}

}  // namespace

void register_bench_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<BenchArgs>();
  run::BenchOptions& o = args->options;
  CLI::App* cmd = app.add_subcommand(
      "bench", "HTTP/2 benchmark with h2load's options: closed model (-c x -m, -n or -D) or open model (--rate)");
  cmd->add_option("urls", o.urls, "target URLs (http:// = h2c prior knowledge, https:// = TLS + ALPN h2)")
      ->required();
  cmd->add_option("-n,--requests", o.requests, "number of requests (ignored with -D)")->capture_default_str();
  cmd->add_option("-c,--clients", o.clients, "number of concurrent clients (connections)")->capture_default_str();
  cmd->add_option("-m,--max-concurrent-streams", o.max_streams, "max concurrent streams per client")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o.threads, "number of worker threads")->capture_default_str();
  cmd->add_option("-D,--duration", o.duration, "run for this long (\"10s\", \"1m\"), after the warm-up");
  cmd->add_option("--warm-up-time", o.warmup, "warm-up before measuring (with -D or -n)");
  cmd->add_option("-H,--header", o.headers, "extra request header \"name: value\" (repeatable)");
  cmd->add_option("-d,--data", o.data_file, "request body from FILE (method becomes POST)");
  cmd->add_option("--data-size", o.data_size, "generated request body of this size (\"64KiB\")");
  cmd->add_option("--method", o.method, "request method (default GET, POST with a body)");
  cmd->add_flag("--h1", o.h1, "use HTTP/1.1 (curl) instead of HTTP/2");
  cmd->add_option("-T,--connection-active-timeout", o.active_timeout, "max lifetime of a connection");
  cmd->add_option("-N,--connection-inactivity-timeout", o.inactivity_timeout,
                  "close a connection that received nothing for this long");
  cmd->add_option("--request-timeout", o.request_timeout, "abandon a request after this long (counted as timeout)");
  cmd->add_option("--connect-timeout", o.connect_timeout, "TCP + TLS connect timeout")->capture_default_str();
  cmd->add_option("-w,--window-bits", o.window_bits, "stream window 2^N-1")->capture_default_str();
  cmd->add_option("-W,--connection-window-bits", o.connection_window_bits, "connection window 2^N-1")
      ->capture_default_str();
  cmd->add_option("--header-table-size", o.header_table_size, "HPACK decoder table size")->capture_default_str();
  cmd->add_option("--max-frame-size", o.max_frame_size, "SETTINGS_MAX_FRAME_SIZE to accept")
      ->capture_default_str();
  cmd->add_option("--rate", o.rate, "open model: requests per second for the whole run (\"500/s\")");
  cmd->add_flag("--poisson", o.poisson, "open model with exponential inter-arrival times");
  cmd->add_option("--max-in-flight", o.max_in_flight, "open model: bound on requests in flight (default c*m)");
  cmd->add_option("--json", args->json_file, "write the result as JSON (schema h2soak.result/v1)");
  cmd->add_option("--log-file", args->log_file, "one line per request: start, status, connect, TLS, TTFB, total, bytes");
  cmd->add_flag("-k,--insecure", o.insecure, "do not verify the server certificate");
  cmd->add_flag("--tls-resume", o.tls_resume, "resume TLS sessions on new connections");
  cmd->add_option("--tls13-ciphers", o.ciphersuites, "TLS 1.3 ciphersuites (OpenSSL names)");
  cmd->add_option("--ca-file", o.ca_file, "extra CA certificate (PEM) to trust");
  cmd->add_flag("--no-progress", args->no_progress, "no live progress line on a terminal");
  cmd->add_option("--shard", o.shard,
                  "run shard i of N (1 <= i <= N) of the load: -c, -n, --rate and --max-in-flight split N ways, "
                  "arrivals interleaved; the --json result carries the whole run's options for `h2soak merge` "
                  "(see docs/run.md, Sharding a bench)");
  cmd->add_option("--start-at", o.start_at,
                  "start the load at this wall-clock time (UNIX_SECONDS, or +S from now): shards started together");
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_bench(*args); }; });
}

}  // namespace h2soak::cli
