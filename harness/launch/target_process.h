#pragma once
// The process under test: started by the harness (spawn) or already running
// (attach by pid or pidfile). The runner owns one TargetProcess per run.
//
// Spawned targets run in their own process group with stdin from /dev/null
// and stdout + stderr appended to a log file (normally next to the result
// JSON). stdout goes through a pipe first so that the harness can read the
// first line (the reference server prints its port there when given
// `--port 0`); everything, the first line included, still lands in the log.
// stop() sends SIGTERM to the whole group, waits up to a grace period, then
// sends SIGKILL, and reports how the process ended.
//
// A spawned target never outlives the harness, however the harness ends: a
// small guard process forked at spawn time holds the read end of a pipe whose
// only write end is the harness's. When the harness dies without stopping the
// target (a crash, SIGKILL, the OOM killer), the pipe closes, and the guard
// sends SIGTERM to the target's group, then SIGKILL after 5 s. A normal stop()
// or reap dismisses the guard first.
//
// Attached targets are never signalled: stop() only forgets them. alive()
// notices both death and PID reuse (the process start time is remembered).
//
// Thread-safety: alive(), exit_status() and stop() may be called from
// different threads (runner, watchdog); wait_first_line() from one thread.
// The destructor stops a spawned target that is still running (grace 2 s).

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::launch {

struct SpawnOptions {
  // Exactly one of `command` and `argv`.
  // command: run by /bin/sh -c. A simple command (no ; & | ( ) ` $( or
  // newline, no leading VAR=value) is run as `exec COMMAND`, so the PID the
  // harness samples is the server's, not the shell's. For a compound command,
  // end it with `exec server ...` yourself, or the shell is what gets sampled.
  std::string command;
  // argv: executed directly; argv[0] is looked up in PATH.
  std::vector<std::string> argv;
  std::string log_path;            // required; created or appended to
  std::vector<std::string> env;    // extra "NAME=value" entries on top of the harness's environment
};

// How a process ended.
struct ExitStatus {
  enum class Kind { kExited, kSignaled, kUnknown };
  Kind kind = Kind::kUnknown;
  int code = 0;             // kExited: the exit code
  int signal = 0;           // kSignaled: the signal number
  bool core_dumped = false;
  bool sent_sigterm = false;  // the harness asked it to stop
  bool sent_sigkill = false;  // ... and had to force it after the grace period

  // "exited with code 0", "killed by signal 9 (SIGKILL) after the grace period", ...
  std::string describe() const;
  // Exited 0, or ended by the SIGTERM the harness sent.
  bool clean() const;
};

class TargetProcess {
 public:
  static Result<std::unique_ptr<TargetProcess>> spawn(const SpawnOptions& options);
  // Validates that the process exists (and is not a zombie).
  static Result<std::unique_ptr<TargetProcess>> attach_pid(pid_t pid);
  // Reads a decimal PID from the file (surrounding whitespace allowed), then attach_pid.
  static Result<std::unique_ptr<TargetProcess>> attach_pidfile(const std::string& path);

  ~TargetProcess();
  TargetProcess(const TargetProcess&) = delete;
  TargetProcess& operator=(const TargetProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool spawned() const { return spawned_; }
  const std::string& log_path() const { return log_path_; }
  // "pid 1234 (spawned: h2soak-target --port 0)" for messages.
  std::string describe() const;

  // Spawned targets only: the first line the target wrote to stdout, without
  // the newline. Fails on timeout, or if stdout closed (the target exited)
  // before a full line, naming the exit status when known.
  Result<std::string> wait_first_line(Nanos timeout);
  // wait_first_line, parsed as a TCP port (1..65535).
  Result<int> wait_port_line(Nanos timeout);

  // True while the process runs. For a spawned target this reaps it when it
  // has exited (exit_status() then tells how).
  bool alive();
  std::optional<ExitStatus> exit_status() const;

  // Spawned: SIGTERM to the group, wait up to `grace`, SIGKILL, reap; returns
  // how it ended (also if it had already died). Attached: sends nothing and
  // returns Kind::kUnknown. Idempotent.
  ExitStatus stop(Nanos grace = std::chrono::seconds(5));

 private:
  TargetProcess() = default;
  void copy_stdout();  // the copier thread: pipe -> log, capturing the first line
  bool reap_locked(bool block);
  void finish_copier();
  void start_guard();
  void dismiss_guard();  // under mu_

  pid_t pid_ = -1;
  bool spawned_ = false;
  std::string what_;  // the command, for messages
  std::string log_path_;
  unsigned long long start_time_ = 0;  // attached: /proc/PID/stat field 22, to notice PID reuse

  mutable std::mutex mu_;
  std::optional<ExitStatus> exit_;
  bool stopped_ = false;
  bool sent_term_ = false, sent_kill_ = false;

  // The guard (see the top of this file): its pid and our end of its pipe.
  pid_t guard_pid_ = -1;
  int guard_fd_ = -1;

  // stdout copier
  int pipe_fd_ = -1;
  int log_fd_ = -1;
  std::thread copier_;
  std::mutex line_mu_;
  std::condition_variable line_cv_;
  std::string first_line_;
  bool first_line_done_ = false;
  bool stdout_closed_ = false;
  bool copier_stop_ = false;
};

}  // namespace h2soak::launch
