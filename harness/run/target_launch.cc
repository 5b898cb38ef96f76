#include "harness/run/target_launch.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <variant>

#include "harness/launch/readiness.h"

namespace h2soak::run {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) {
    if (!s.empty()) s += ' ';
    s += w.find(' ') == std::string::npos ? w : "'" + w + "'";
  }
  return s;
}

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p); }

}  // namespace

std::string find_reference_server() {
  if (const char* env = std::getenv("H2SOAK_TARGET_BIN"); env != nullptr && *env != '\0') return env;
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = '\0';
  const fs::path dir = fs::path(buf).parent_path();
  for (const fs::path& candidate :
       {dir / ".." / "target_server" / "h2soak-target", dir / ".." / ".." / "target_server" / "h2soak-target",
        dir / "h2soak-target"}) {
    if (executable(candidate)) return fs::weakly_canonical(candidate).string();
  }
  return {};
}

std::string LaunchedTarget::describe() const { return process ? process->describe() : "at " + url + " (remote)"; }

Result<LaunchedTarget> launch_target(const scenario::Plan& plan, const LaunchOptions& options) {
  LaunchedTarget t;
  t.url = plan.target.url;
  t.ready_url = plan.ready_url;
  t.metrics_url = plan.metrics_url;
  const auto& process = plan.target.process;

  if (const auto* ref = std::get_if<scenario::SpawnReference>(&process)) {
    std::string binary = options.reference_binary.empty() ? find_reference_server() : options.reference_binary;
    if (binary.empty()) {
      return Error("cannot find the reference server h2soak-target (looked next to the h2soak binary); "
                   "build it (cmake --build BUILD --target h2soak-target) or set H2SOAK_TARGET_BIN");
    }
    launch::SpawnOptions spawn;
    spawn.argv.push_back(binary);
    spawn.argv.insert(spawn.argv.end(), ref->args.begin(), ref->args.end());
    spawn.log_path = options.log_path;
    t.command = join(spawn.argv);
    auto p = launch::TargetProcess::spawn(spawn);
    if (!p) return Error("cannot start the target: " + p.error().message());
    t.process = std::move(*p);
    t.mode = "spawn";
  } else if (const auto* cmd = std::get_if<scenario::SpawnCommand>(&process)) {
    launch::SpawnOptions spawn;
    spawn.argv = cmd->argv;
    spawn.log_path = options.log_path;
    t.command = cmd->command;
    auto p = launch::TargetProcess::spawn(spawn);
    if (!p) return Error("cannot start the target `" + cmd->command + "`: " + p.error().message());
    t.process = std::move(*p);
    t.mode = "spawn";
  } else if (const auto* pid = std::get_if<scenario::AttachPid>(&process)) {
    auto p = launch::TargetProcess::attach_pid(static_cast<pid_t>(pid->pid));
    if (!p) return Error("cannot attach to pid " + std::to_string(pid->pid) + ": " + p.error().message());
    t.process = std::move(*p);
    t.mode = "pid";
  } else if (const auto* pidfile = std::get_if<scenario::AttachPidfile>(&process)) {
    auto p = launch::TargetProcess::attach_pidfile(pidfile->path);
    if (!p) return Error("cannot attach to the pid in " + pidfile->path + ": " + p.error().message());
    t.process = std::move(*p);
    t.mode = "pidfile";
  } else if (std::holds_alternative<scenario::Remote>(process)) {
    t.mode = "remote";
    if (!t.metrics_url.empty()) {
      t.note = "the scenario's metrics URL " + t.metrics_url +
               " is not scraped by a remote run (`h2soak sample` beside the target scrapes it)";
      t.metrics_url.clear();
    }
  }
  // A remote target has no process: only the readiness probe below applies.
  const bool spawned = !t.remote() && t.process->spawned();
  const std::string log_hint = spawned ? " (its output: " + t.process->log_path() + ")" : "";
  if (plan.port_from_stdout && spawned) {  // validation allows {port} with a spawned target only
    auto port = t.process->wait_port_line(plan.target.ready_timeout);
    if (!port) {
      return Error("the target did not print its port on stdout's first line: " + port.error().message() + log_hint);
    }
    const auto p = static_cast<std::uint16_t>(*port);
    t.url = scenario::substitute_port(t.url, p);
    t.ready_url = scenario::substitute_port(t.ready_url, p);
    t.metrics_url = scenario::substitute_port(t.metrics_url, p);
  }

  launch::ProbeOptions probe;
  probe.url = t.ready_url;
  probe.timeout = plan.target.ready_timeout;
  probe.insecure = plan.target.insecure;
  if (auto st = launch::wait_until_ready(probe, [&t] { return t.alive(); }); !st) {
    std::string why = st.error().message();
    if (!t.alive()) {
      if (auto ex = t.process->exit_status()) why = "it " + ex->describe() + " while starting";
    }
    return Error("the target " + t.describe() + " did not become ready at " + t.ready_url + " within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(plan.target.ready_timeout).count()) +
                 " ms: " + why + log_hint);
  }
  return t;
}

sampler::SamplerOptions target_sampler_options(const scenario::Plan& plan, const LaunchedTarget& launched) {
  const Nanos interval = plan.sample.interval;
  sampler::SamplerOptions so;
  so.pid = launched.remote() ? 0 : launched.process->pid();
  so.interval = interval;
  so.pss_every = static_cast<unsigned>(std::max<std::int64_t>(1, plan.sample.pss_interval / interval));
  so.metrics_url = launched.metrics_url;
  if (!so.metrics_url.empty()) so.gauges = plan.sample.gauges;
  so.insecure = plan.target.insecure;
  return so;
}

void describe_target(const LaunchedTarget& launched, result::RunResult& r) {
  r.target.url = launched.url;
  r.target.mode = launched.mode;
  r.target.command = launched.command;
  if (launched.remote()) {
    r.target.pid = 0;
    return;
  }
  const launch::TargetProcess& proc = *launched.process;
  r.target.pid = proc.pid();
  if (proc.spawned()) r.target.log_path = proc.log_path();
}

void stop_target(const scenario::Plan& plan, LaunchedTarget& launched, result::RunResult& r) {
  if (launched.remote() || !launched.process->spawned()) return;
  launch::ExitStatus ex = launched.process->stop(plan.target.stop_grace);
  if (ex.kind == launch::ExitStatus::Kind::kExited) r.target.exit_code = ex.code;
  if (ex.kind == launch::ExitStatus::Kind::kSignaled) r.target.exit_signal = ex.signal;
  r.metadata.extra["target_exit"] = ex.describe();
}

}  // namespace h2soak::run
