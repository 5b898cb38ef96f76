#include "harness/cli/run_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>

#include "harness/cli/command.h"
#include "harness/cli/version.h"
#include "harness/scenario/shard.h"
#include "harness/sinks/json_sink.h"
#include "harness/sinks/junit_sink.h"
#include "harness/sinks/markdown_sink.h"
#include "harness/sinks/terminal_sink.h"

namespace h2soak::cli {
namespace {

// The one piece of process-wide state: what a signal handler may touch.
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
  if (g_stop.load()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_stop.store(true);
}

bool stderr_is_tty() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && (term == nullptr || std::string(term) != "dumb");
}

}  // namespace

void add_target_options(CLI::App& cmd, TargetArgs& args, bool with_remote) {
  cmd.add_option("--target-url", args.url, "target URL, replacing the scenario's (e.g. https://127.0.0.1:8443)");
  auto* spawn = cmd.add_option("--spawn", args.spawn,
                               "start this command as the target (\"h2soak-target ...\" = the reference server)");
  auto* pid = cmd.add_option("--pid", args.pid, "attach to a running process (sampled, never stopped)");
  auto* pidfile = cmd.add_option("--pidfile", args.pidfile, "attach to the pid in this file");
  spawn->excludes(pid)->excludes(pidfile);
  pid->excludes(pidfile);
  if (with_remote) {
    auto* remote = cmd.add_flag("--remote", args.remote,
                                "the target runs on another host: drive --target-url only; start, attach and sample "
                                "nothing here (sample it with `h2soak sample` beside it, join with `merge --samples`)");
    remote->excludes(spawn)->excludes(pid)->excludes(pidfile);
  }
  cmd.add_option("--target-args", args.target_args,
                 "words to append to the spawned target's command (e.g. \"--fault fd-leak\")");
  add_sampling_options(cmd, args);
}

void add_attribute_option(CLI::App& cmd, TargetArgs& args) {
  cmd.add_flag("--attribute", args.attribute,
               "switch the workloads on and off in Walsh patterns during steady and estimate what each kind of "
               "traffic leaves behind (per request, stream, upload, connection); see docs/attribution.md");
}

void add_shard_option(CLI::App& cmd, TargetArgs& args) {
  cmd.add_option("--shard", args.shard,
                 "run shard i of N (1 <= i <= N) of the load: each workload's users, streams, connections, "
                 "requests and rates split N ways, arrivals interleaved; the result keeps the scenario hash and "
                 "records the shard (see docs/run.md, Sharding)");
}

void apply_shard(const TargetArgs& args, std::vector<scenario::Plan>& plans, run::RunOptions& options) {
  if (args.shard.empty()) return;
  auto shard = scenario::parse_shard(args.shard);
  if (!shard) throw UsageError(shard.error().message());
  for (auto& plan : plans) {
    auto part = scenario::shard_plan(plan, *shard);
    if (!part) throw UsageError(part.error().message());
    plan = std::move(*part);
  }
  options.extra_metadata["shard"] = shard->str();
}

void add_sampling_options(CLI::App& cmd, TargetArgs& args) {
  cmd.add_option("--metrics-url", args.metrics_url, "Prometheus text endpoint to scrape gauges from");
  cmd.add_option("--gauge", args.gauges, "gauge to record from --metrics-url (repeatable)");
  cmd.add_flag("-k,--insecure", args.insecure,
               "skip TLS certificate verification (a target with a self-signed certificate)");
}

scenario::TargetOverrides overrides_from(const TargetArgs& args) {
  scenario::TargetOverrides o;
  if (!args.url.empty()) o.url = args.url;
  if (!args.spawn.empty()) o.spawn = args.spawn;
  o.pid = args.pid;
  if (!args.pidfile.empty()) o.pidfile = args.pidfile;
  o.remote = args.remote;
  if (!args.metrics_url.empty()) o.metrics_url = args.metrics_url;
  o.gauges = args.gauges;
  o.insecure = args.insecure;
  if (!args.target_args.empty()) o.extra_args = args.target_args;
  o.attribute = args.attribute;
  return o;
}

StopOnSignal::StopOnSignal() {
  g_stop.store(false);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopOnSignal::~StopOnSignal() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>* StopOnSignal::flag() const { return &g_stop; }

std::string default_out_dir(const std::string& what) {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return "out/" + what + "-" + buf;
}

std::vector<std::string> process_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  std::string word;
  for (char c : all) {
    if (c == '\0') {
      argv.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) argv.push_back(word);
  return argv;
}

run::RunOptions base_run_options(const std::string& out_dir, int threads, const std::vector<std::string>& argv,
                                 const std::atomic<bool>* stop_flag, bool quiet) {
  run::RunOptions o;
  o.out_dir = out_dir;
  o.threads = threads;
  o.version = kVersion;
  o.git_revision = kGitRevision;
  o.command_line = argv;
  o.stop_flag = stop_flag;
  o.progress = quiet ? nullptr : stderr;
  o.progress_tty = stderr_is_tty();
  return o;
}

void refuse_existing_baseline(const std::string& out, bool force) {
  struct stat st {};
  if (!force && ::stat(out.c_str(), &st) == 0) {
    throw UsageError(out + ": a baseline already exists; pass --force to replace it");
  }
}

bool write_verdict(const compare::Verdict& verdict, const std::string& summary_md, const std::string& junit,
                   const std::string& json) {
  std::vector<std::unique_ptr<sinks::Sink>> outputs;
  outputs.push_back(std::make_unique<sinks::TerminalSink>(sinks::Output::stream(stdout)));
  if (!summary_md.empty()) outputs.push_back(std::make_unique<sinks::MarkdownSink>(sinks::Output::file(summary_md)));
  if (!junit.empty()) outputs.push_back(std::make_unique<sinks::JUnitSink>(sinks::Output::file(junit)));
  if (!json.empty()) outputs.push_back(std::make_unique<sinks::JsonSink>(sinks::Output::file(json)));
  bool ok = true;
  std::printf("\n");
  for (const auto& sink : outputs) {
    if (auto st = sink->write(verdict); !st) {
      std::fprintf(stderr, "h2soak: cannot write the %s output: %s\n", sink->name(), st.error().message().c_str());
      ok = false;
    }
  }
  std::fflush(stdout);
  return ok;
}

}  // namespace h2soak::cli
