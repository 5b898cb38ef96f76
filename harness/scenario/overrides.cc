// Command-line target options applied on top of a loaded scenario.
#include <algorithm>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {

Status apply_overrides(Scenario& s, const TargetOverrides& o) {
  int processes = (o.spawn ? 1 : 0) + (o.pid ? 1 : 0) + (o.pidfile ? 1 : 0) + (o.remote ? 1 : 0);
  if (processes > 1) return Error("--spawn, --pid, --pidfile and --remote are exclusive");
  if (o.spawn) {
    auto p = parse_spawn(*o.spawn);
    if (!p) return Error("--spawn: " + p.error().what());
    s.target.process = std::move(*p);
    if (std::holds_alternative<SpawnReference>(s.target.process)) s.target.insecure = true;
  }
  if (o.pid) {
    if (*o.pid <= 0) return Error("--pid: must be at least 1");
    s.target.process = AttachPid{*o.pid};
  }
  if (o.pidfile) {
    if (o.pidfile->empty()) return Error("--pidfile: must not be empty");
    s.target.process = AttachPidfile{*o.pidfile};
  }
  if (o.remote) {
    if (o.metrics_url) {
      return Error("--metrics-url: a --remote run samples nothing; scrape the gauges with `h2soak sample` beside the target");
    }
    s.target.process = Remote{};
  }
  if (o.extra_args) {
    auto words = split_command(*o.extra_args);
    if (!words) return Error("--target-args: " + words.error().what());
    if (auto* ref = std::get_if<SpawnReference>(&s.target.process)) {
      ref->args.insert(ref->args.end(), words->begin(), words->end());
    } else if (auto* cmd = std::get_if<SpawnCommand>(&s.target.process)) {
      cmd->argv.insert(cmd->argv.end(), words->begin(), words->end());
      cmd->command += " " + *o.extra_args;
    } else {
      return Error("--target-args: the target is attached (pid or pidfile) or remote, not spawned; there is no command to add to");
    }
  }
  if (o.url) s.target.url = *o.url;
  if (o.insecure) s.target.insecure = true;
  if (o.metrics_url) s.sample.metrics_url = *o.metrics_url;
  for (const auto& g : o.gauges) {
    if (std::find(s.sample.gauges.begin(), s.sample.gauges.end(), g) == s.sample.gauges.end()) {
      s.sample.gauges.push_back(g);
    }
  }
  if (o.attribute) s.attribution.enabled = true;
  bool reference = std::holds_alternative<SpawnReference>(s.target.process);
  if (!reference && s.target.url.find(kPortPlaceholder) != std::string::npos) {
    bool spawned = std::holds_alternative<SpawnCommand>(s.target.process);
    if (!spawned) {
      return Error("--target-url is needed: the scenario's url " + s.target.url +
                   " names the port of a spawned reference server, which an attached target does not have");
    }
  }
  if (o.url && o.url->rfind("http://", 0) != 0 && o.url->rfind("https://", 0) != 0) {
    return Error("--target-url: expected http://HOST:PORT or https://HOST:PORT, got '" + *o.url + "'");
  }
  return validate_scenario(s);
}

}  // namespace h2soak::scenario
