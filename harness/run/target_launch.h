#pragma once
// Getting the scenario's target up before a run: spawn (the reference server
// or any command), attach (pid, pidfile), or nothing but its url (remote);
// for a spawned target whose URL
// has {port}, read the port from its first stdout line and substitute it in
// every URL; then wait for the readiness probe. harness/target does the
// process work; this file decides what to do from the Plan.
//
// Who calls: run_scenario() (runner.h), once per run, before the sampler
// starts. Errors (spawn failed, no port line, not ready in time, target died
// while starting) are what exit code 3 reports; the message names the target
// and points at its log.

#include <memory>
#include <string>

#include "harness/launch/target_process.h"
#include "harness/result/run_result.h"
#include "harness/sampler/sampler.h"
#include "harness/scenario/plan.h"
#include "harness/util/result.h"

namespace h2soak::run {

// Where the reference server binary is: $H2SOAK_TARGET_BIN if set, else
// next to the running h2soak executable (/proc/self/exe): ../target_server/,
// ../../target_server/ (the build tree: build/harness/cli/h2soak and
// build/target_server/h2soak-target), the same folder. Empty when not found.
std::string find_reference_server();

struct LaunchOptions {
  std::string reference_binary;  // for SpawnReference; empty: find_reference_server()
  std::string log_path;          // spawned targets' stdout+stderr
};

struct LaunchedTarget {
  std::unique_ptr<launch::TargetProcess> process;  // null for a remote target
  std::string mode;         // "spawn", "pid", "pidfile", "remote"
  std::string command;      // the spawn command line, for the result
  std::string url;          // every {port} substituted
  std::string ready_url;
  std::string metrics_url;  // "" when no scrape (always for a remote target)
  std::string note;         // what the caller should tell the user ("" mostly)

  bool remote() const { return !process; }
  // A remote target is taken to be alive: nothing here can see it die, the
  // load's connection errors show it.
  bool alive() const { return !process || process->alive(); }
  // "pid 123 (spawned ...)" or "at URL (remote)", for messages.
  std::string describe() const;
};

Result<LaunchedTarget> launch_target(const scenario::Plan& plan, const LaunchOptions& options);

// How the target is sampled: its pid, the plan's interval and PSS cadence,
// the gauges scraped from its metrics URL. The run and the sampler agent
// sample the same way. A remote target: pid 0 (phase marks only, no gauges).
sampler::SamplerOptions target_sampler_options(const scenario::Plan& plan, const LaunchedTarget& launched);

// The result's target section from a launched target (url, mode, command,
// pid, log path of a spawned one; pid 0 for a remote one). The run
// (runner.h) and the sampler agent (sample_agent.h) both write it.
void describe_target(const LaunchedTarget& launched, result::RunResult& r);

// After the load: a spawned target is stopped (SIGTERM, then SIGKILL after
// the plan's stop grace) and its exit recorded in r (target exit code or
// signal, metadata.extra["target_exit"]); an attached or remote one is left running.
void stop_target(const scenario::Plan& plan, LaunchedTarget& launched, result::RunResult& r);

}  // namespace h2soak::run
