// `h2soak bench`: h2load's common options with the same meaning, plus an open
// model (--rate, --poisson), per-request logs and a JSON result. Parses and
// validates into a workloads::BenchPlan before any socket opens, runs it on the
// engine (harness/load) and prints an h2load-shaped summary.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/cli/command.h"
#include "harness/cli/exit_codes.h"
#include "harness/cli/run_support.h"
#include "harness/cli/version.h"
#include "harness/load/runner.h"
#include "harness/result/environment.h"
#include "harness/result/result_json.h"
#include "harness/util/fd_limit.h"
#include "harness/util/units.h"
#include "harness/workloads/bench_report.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::cli {
namespace {

struct BenchArgs {
  std::vector<std::string> urls;
  std::uint64_t requests = 1;
  std::uint32_t clients = 1;
  std::uint32_t max_streams = 1;
  int threads = 1;
  std::string duration;
  std::string warmup;
  std::vector<std::string> headers;
  std::string data_file;
  std::string data_size;
  std::string method;
  bool h1 = false;
  std::string active_timeout, inactivity_timeout, request_timeout, connect_timeout = "10s";
  std::uint32_t window_bits = 30, connection_window_bits = 30;
  std::string header_table_size = "4096", max_frame_size = "16384";
  std::string rate;
  bool poisson = false;
  std::uint64_t max_in_flight = 0;
  std::string json_file, log_file;
  bool insecure = false, tls_resume = false, no_progress = false;
  std::string ciphersuites, ca_file;
};

Nanos duration_arg(const std::string& text, const char* flag) {
  if (text.empty()) return Nanos{0};
  auto d = units::parse_duration(text);
  if (!d) throw UsageError(std::string(flag) + ": " + d.error().message());
  return *d;
}

std::uint64_t size_arg(const std::string& text, const char* flag) {
  auto s = units::parse_size(text);
  if (!s) throw UsageError(std::string(flag) + ": " + s.error().message());
  return *s;
}

workloads::BenchPlan make_plan(const BenchArgs& a) {
  workloads::BenchPlan plan;
  for (const auto& text : a.urls) {
    auto url = net::parse_url(text);
    if (!url) throw UsageError(url.error().message());
    if (!plan.urls.empty() && url->origin() != plan.urls.front().origin())
      throw UsageError("all URLs must share scheme, host and port with the first: " + text);
    plan.urls.push_back(*url);
  }
  auto address = net::resolve(plan.urls.front().host, plan.urls.front().port);
  if (!address) throw UsageError(address.error().message());
  plan.address = *address;
  if (a.threads < 1) throw UsageError("-t must be at least 1");
  if (a.clients < 1) throw UsageError("-c must be at least 1");
  if (a.max_streams < 1) throw UsageError("-m must be at least 1");
  if (static_cast<std::uint32_t>(a.threads) > a.clients)
    throw UsageError("-t must not exceed -c (each thread needs a client)");
  const Nanos duration = duration_arg(a.duration, "-D");
  plan.requests = duration.count() > 0 ? 0 : a.requests;
  if (duration.count() == 0 && a.requests == 0) throw UsageError("-n must be at least 1 (or give -D)");
  if (duration.count() == 0 && plan.requests < a.clients && a.rate.empty())
    throw UsageError("-n must be at least -c (every client sends a request)");
  plan.clients = a.clients;
  plan.max_streams = a.max_streams;
  if (!a.data_file.empty() && !a.data_size.empty()) throw UsageError("give -d FILE or --data-size, not both");
  if (!a.data_file.empty()) {
    auto body = net::load_body_file(a.data_file);
    if (!body) throw UsageError(body.error().message());
    plan.body = *body;
  } else if (!a.data_size.empty()) {
    plan.body = net::make_generated_body(size_arg(a.data_size, "--data-size"));
  }
  plan.method = !a.method.empty() ? a.method : plan.body.size() > 0 ? "POST" : "GET";
  for (const auto& h : a.headers) {
    auto colon = h.find(':', h.size() > 0 && h[0] == ':' ? 1 : 0);
    if (colon == std::string::npos || colon == 0) throw UsageError("-H wants \"name: value\", got \"" + h + "\"");
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    plan.headers.emplace_back(h.substr(0, colon), value);
  }
  if (!a.rate.empty()) {
    auto r = units::parse_rate(a.rate);
    if (!r) throw UsageError("--rate: " + r.error().message());
    if (*r <= 0) throw UsageError("--rate must be positive");
    plan.rate = *r;
  } else if (a.poisson) {
    throw UsageError("--poisson needs --rate");
  }
  plan.poisson = a.poisson;
  plan.max_in_flight = a.max_in_flight;
  plan.connect_timeout = duration_arg(a.connect_timeout, "--connect-timeout");
  plan.request_timeout = duration_arg(a.request_timeout, "--request-timeout");
  plan.active_timeout = duration_arg(a.active_timeout, "-T");
  plan.inactivity_timeout = duration_arg(a.inactivity_timeout, "-N");
  if (a.window_bits > 30 || a.connection_window_bits > 30) throw UsageError("-w/-W must be at most 30");
  plan.settings.window_bits = a.window_bits;
  plan.settings.connection_window_bits = a.connection_window_bits;
  plan.settings.header_table_size = static_cast<std::uint32_t>(size_arg(a.header_table_size, "--header-table-size"));
  const auto mfs = size_arg(a.max_frame_size, "--max-frame-size");
  if (mfs < 16384 || mfs > 16777215) throw UsageError("--max-frame-size must be within 16384..16777215");
  plan.settings.max_frame_size = static_cast<std::uint32_t>(mfs);
  plan.settings.max_concurrent_streams = a.max_streams;
  plan.h1 = a.h1;
  plan.insecure = a.insecure;
  plan.tls_resume = a.tls_resume;
  plan.ca_file = a.ca_file;
  return plan;
}

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

result::RunResult make_result(const BenchArgs& a, const workloads::BenchPlan& plan, const load::RunOutcome& out,
                              double start_unix) {
  result::RunResult r;
  r.metadata = result::collect_metadata(kVersion, kGitRevision, own_command_line());
  r.metadata.scenario_name = "bench";
  r.metadata.start_unix = start_unix;
  r.metadata.duration = seconds_between(out.origin, out.end);
  r.metadata.extra["steady_seconds"] = fmt::format("{:.6f}", out.steady_seconds);
  r.status.state = out.interrupted ? result::RunState::kAborted : result::RunState::kCompleted;
  if (out.interrupted) r.status.reason = "interrupted";
  if (out.never_connected) {
    r.status.state = result::RunState::kAborted;
    r.status.reason = "no connection could be established";
  }
  const double warm = seconds_between(out.origin, out.steady_start);
  r.phases.push_back({"warmup", 0, warm});
  r.phases.push_back({"steady", warm, warm + out.steady_seconds});
  result::WorkloadResult w;
  w.name = "bench";
  w.kind = "bench";
  w.params["urls"] = fmt::format("{}", fmt::join(a.urls, " "));
  w.params["clients"] = std::to_string(plan.clients);
  w.params["max_streams"] = std::to_string(plan.max_streams);
  w.params["threads"] = std::to_string(a.threads);
  w.params["requests"] = std::to_string(plan.requests);
  w.params["duration"] = a.duration;
  w.params["rate"] = plan.rate > 0 ? fmt::format("{}", plan.rate) : "";
  w.params["model"] = plan.rate > 0 ? (plan.poisson ? "open-poisson" : "open-constant") : "closed";
  w.params["method"] = plan.method;
  w.params["body_bytes"] = std::to_string(plan.body.size());
  w.phases.push_back({"warmup", out.warmup()});
  w.phases.push_back({"steady", out.steady()});
  r.workloads.push_back(std::move(w));
  r.target.url = a.urls.front();
  r.target.mode = "none";
  return r;
}

int run_bench(const BenchArgs& args) {
  workloads::BenchPlan plan = make_plan(args);
  if (auto st = check_fd_budget(plan.clients + fd_overhead(args.threads), "-c " + std::to_string(plan.clients),
                                raise_fd_limit());
      !st) {
    throw UsageError(st.error().message());
  }
  std::unique_ptr<workloads::RequestLog> log;
  if (!args.log_file.empty()) {
    auto opened = workloads::RequestLog::open(args.log_file);
    if (!opened) throw UsageError(opened.error().message());
    log = std::move(*opened);
    plan.log = log.get();
  }
  load::RunnerOptions options;
  options.threads = args.threads;
  options.duration = duration_arg(args.duration, "-D");
  options.warmup = duration_arg(args.warmup, "--warm-up-time");
  options.tls.insecure = args.insecure;
  options.tls.resume = args.tls_resume;
  options.tls.ciphersuites = args.ciphersuites;
  options.tls.ca_file = args.ca_file;
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
              plan.urls.size(), args.threads, plan.clients, plan.max_streams,
              plan.rate > 0 ? fmt::format(", {:.0f} req/s {}", plan.rate, plan.poisson ? "poisson" : "constant").c_str()
                            : "");
  std::fflush(stdout);

  const double start_unix = unix_seconds();
  plan.log_origin_unix = start_unix;
  const load::RunOutcome out = load::run_workers(options, [&plan](load::Worker& w) {
    return std::make_unique<workloads::BenchWorkload>(w, plan);
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  log.reset();  // flushes (every worker buffer was flushed when its workload was destroyed)

  std::fputs(workloads::format_bench_summary(out, plan).c_str(), stdout);
  std::fflush(stdout);
  if (!args.json_file.empty()) {
    auto st = result::write_result(make_result(args, plan, out, start_unix), args.json_file);
    if (!st) {
      std::fprintf(stderr, "h2soak bench: %s\n", st.error().message().c_str());
      return kExitRunFailed;
    }
  }
  if (out.never_connected) {
    std::fprintf(stderr, "h2soak bench: no connection to %s could be established%s%s\n", args.urls.front().c_str(),
                 out.last_error.empty() ? "" : ": ", out.last_error.c_str());
    return kExitRunFailed;
  }
  return kExitPass;
}

}  // namespace

void register_bench_command(CLI::App& app, Action& slot) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "HTTP/2 benchmark with h2load's options: closed model (-c x -m, -n or -D) or open model (--rate)");
  cmd->add_option("urls", args->urls, "target URLs (http:// = h2c prior knowledge, https:// = TLS + ALPN h2)")
      ->required();
  cmd->add_option("-n,--requests", args->requests, "number of requests (ignored with -D)")->capture_default_str();
  cmd->add_option("-c,--clients", args->clients, "number of concurrent clients (connections)")->capture_default_str();
  cmd->add_option("-m,--max-concurrent-streams", args->max_streams, "max concurrent streams per client")
      ->capture_default_str();
  cmd->add_option("-t,--threads", args->threads, "number of worker threads")->capture_default_str();
  cmd->add_option("-D,--duration", args->duration, "run for this long (\"10s\", \"1m\"), after the warm-up");
  cmd->add_option("--warm-up-time", args->warmup, "warm-up before measuring (with -D or -n)");
  cmd->add_option("-H,--header", args->headers, "extra request header \"name: value\" (repeatable)");
  cmd->add_option("-d,--data", args->data_file, "request body from FILE (method becomes POST)");
  cmd->add_option("--data-size", args->data_size, "generated request body of this size (\"64KiB\")");
  cmd->add_option("--method", args->method, "request method (default GET, POST with a body)");
  cmd->add_flag("--h1", args->h1, "use HTTP/1.1 (curl) instead of HTTP/2");
  cmd->add_option("-T,--connection-active-timeout", args->active_timeout, "max lifetime of a connection");
  cmd->add_option("-N,--connection-inactivity-timeout", args->inactivity_timeout,
                  "close a connection that received nothing for this long");
  cmd->add_option("--request-timeout", args->request_timeout, "abandon a request after this long (counted as timeout)");
  cmd->add_option("--connect-timeout", args->connect_timeout, "TCP + TLS connect timeout")->capture_default_str();
  cmd->add_option("-w,--window-bits", args->window_bits, "stream window 2^N-1")->capture_default_str();
  cmd->add_option("-W,--connection-window-bits", args->connection_window_bits, "connection window 2^N-1")
      ->capture_default_str();
  cmd->add_option("--header-table-size", args->header_table_size, "HPACK decoder table size")->capture_default_str();
  cmd->add_option("--max-frame-size", args->max_frame_size, "SETTINGS_MAX_FRAME_SIZE to accept")
      ->capture_default_str();
  cmd->add_option("--rate", args->rate, "open model: requests per second for the whole run (\"500/s\")");
  cmd->add_flag("--poisson", args->poisson, "open model with exponential inter-arrival times");
  cmd->add_option("--max-in-flight", args->max_in_flight, "open model: bound on requests in flight (default c*m)");
  cmd->add_option("--json", args->json_file, "write the result as JSON (schema h2soak.result/v1)");
  cmd->add_option("--log-file", args->log_file, "one line per request: start, status, connect, TLS, TTFB, total, bytes");
  cmd->add_flag("-k,--insecure", args->insecure, "do not verify the server certificate");
  cmd->add_flag("--tls-resume", args->tls_resume, "resume TLS sessions on new connections");
  cmd->add_option("--tls13-ciphers", args->ciphersuites, "TLS 1.3 ciphersuites (OpenSSL names)");
  cmd->add_option("--ca-file", args->ca_file, "extra CA certificate (PEM) to trust");
  cmd->add_flag("--no-progress", args->no_progress, "no live progress line on a terminal");
  cmd->footer(kExitCodesHelp);
  cmd->callback([args, &slot] { slot = [args] { return run_bench(*args); }; });
}

}  // namespace h2soak::cli
