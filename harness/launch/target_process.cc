#include "harness/launch/target_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "harness/util/fd_limit.h"

extern char** environ;

namespace h2soak::launch {
namespace {

constexpr std::size_t kMaxFirstLine = 4096;

std::string errno_text(int e) { return std::strerror(e); }

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// A command the shell can `exec` directly: no lists, pipes, subshells,
// substitutions, and no leading variable assignment.
bool is_simple_command(const std::string& cmd) {
  if (cmd.find_first_of(";&|()`\n") != std::string::npos) return false;
  if (cmd.find("$(") != std::string::npos) return false;
  auto b = cmd.find_first_not_of(" \t");
  if (b == std::string::npos) return false;
  auto e = cmd.find_first_of(" \t", b);
  std::string first = cmd.substr(b, e == std::string::npos ? std::string::npos : e - b);
  if (first.find('=') != std::string::npos) return false;
  // Shell builtins and keywords cannot be exec'd.
  static const char* const kShellWords[] = {
      "exec", "exit", "cd", "export", "trap", "set", "unset", ".", ":", "eval", "readonly", "return",
      "shift", "times", "ulimit", "umask", "wait", "read", "alias", "if", "while", "until", "for",
      "case", "{", "!", "source", "local", "break", "continue", "command", "type", "hash", "getopts"};
  for (const char* w : kShellWords)
    if (first == w) return false;
  return true;
}

// /proc/PID/stat: state (field 3) and starttime (field 22). nullopt if gone.
struct ProcState {
  char state = '?';
  unsigned long long start_time = 0;
};
std::optional<ProcState> read_proc_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  ProcState st;
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 3) st.state = field.empty() ? '?' : field[0];
    if (i == 22) st.start_time = std::strtoull(field.c_str(), nullptr, 10);
  }
  return st;
}

ExitStatus from_wait_status(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.kind = ExitStatus::Kind::kExited;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.kind = ExitStatus::Kind::kSignaled;
    s.signal = WTERMSIG(status);
    s.core_dumped = WCOREDUMP(status);
  }
  return s;
}

}  // namespace

std::string ExitStatus::describe() const {
  std::string out;
  switch (kind) {
    case Kind::kExited: out = "exited with code " + std::to_string(code); break;
    case Kind::kSignaled:
      out = "killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
      if (core_dumped) out += ", core dumped";
      break;
    case Kind::kUnknown: out = "exit status unknown"; break;
  }
  if (sent_sigkill) out += " after SIGTERM and the grace period";
  else if (sent_sigterm) out += " after SIGTERM";
  return out;
}

bool ExitStatus::clean() const {
  if (kind == Kind::kExited) return code == 0;
  return kind == Kind::kSignaled && signal == SIGTERM && sent_sigterm;
}

Result<std::unique_ptr<TargetProcess>> TargetProcess::spawn(const SpawnOptions& o) {
  if (o.command.empty() == o.argv.empty()) return Error("spawn needs exactly one of a command or an argv");
  if (o.log_path.empty()) return Error("spawn needs a log file path");

  std::vector<std::string> args;
  std::string what;
  if (!o.command.empty()) {
    std::string cmd = is_simple_command(o.command) ? "exec " + o.command : o.command;
    args = {"/bin/sh", "-c", cmd};
    what = o.command;
  } else {
    args = o.argv;
    for (const auto& a : o.argv) what += (what.empty() ? "" : " ") + a;
  }

  int log_fd = ::open(o.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Error("cannot open target log: " + errno_text(errno), o.log_path);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(log_fd);
    return Error("pipe: " + errno_text(e));
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, log_fd, 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM})
    sigaddset(&defaults, sig);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so stop() can signal everything it starts
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  std::vector<char*> envp;
  // The extra entries override inherited ones of the same name (getenv
  // returns the first match, so the inherited one must go).
  auto overridden = [&](const char* entry) {
    std::string_view inherited(entry);
    for (const auto& extra : o.env) {
      auto eq = extra.find('=');
      std::string_view name = std::string_view(extra).substr(0, eq);
      if (inherited.size() > name.size() && inherited.substr(0, name.size()) == name &&
          inherited[name.size()] == '=')
        return true;
    }
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!overridden(*e)) envp.push_back(*e);
  env_store = o.env;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = 0;
  {
    const ChildFdLimit child_limit;  // the target inherits the limit h2soak started with, not its raised one
    rc = ::posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  }
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    ::close(log_fd);
    return Error("cannot start target: " + errno_text(rc), what);
  }

  std::unique_ptr<TargetProcess> t(new TargetProcess());
  t->pid_ = pid;
  t->spawned_ = true;
  t->what_ = what;
  t->log_path_ = o.log_path;
  t->pipe_fd_ = pipe_fds[0];
  t->log_fd_ = log_fd;
  t->copier_ = std::thread([p = t.get()] { p->copy_stdout(); });
  t->start_guard();
  return t;
}

Result<std::unique_ptr<TargetProcess>> TargetProcess::attach_pid(pid_t pid) {
  if (pid <= 0) return Error("invalid pid " + std::to_string(pid));
  if (::kill(pid, 0) != 0 && errno != EPERM) return Error("no process with pid " + std::to_string(pid));
  auto st = read_proc_state(pid);
  if (!st) return Error("no process with pid " + std::to_string(pid) + " in /proc");
  if (st->state == 'Z' || st->state == 'X') return Error("process " + std::to_string(pid) + " has already exited");
  std::unique_ptr<TargetProcess> t(new TargetProcess());
  t->pid_ = pid;
  t->spawned_ = false;
  t->what_ = "attached";
  t->start_time_ = st->start_time;
  return t;
}

Result<std::unique_ptr<TargetProcess>> TargetProcess::attach_pidfile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error("cannot read pidfile: " + errno_text(errno), path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto b = text.find_first_not_of(" \t\r\n");
  auto e = text.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return Error("pidfile is empty", path);
  std::string_view digits(text.data() + b, e - b + 1);
  long pid = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || p != digits.data() + digits.size() || pid <= 0)
    return Error("pidfile does not hold a process id: '" + std::string(digits) + "'", path);
  auto t = attach_pid(static_cast<pid_t>(pid));
  if (!t) return Error(t.error().message(), path);
  return t;
}

namespace {

// Runs in the child of a fork() from a process with threads: only
// async-signal-safe calls from here on.
[[noreturn]] void run_guard(int read_fd, pid_t group) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  // A Ctrl-C reaches the whole foreground group; the harness handles it and
  // stops the target itself, so the guard must outlive the signal.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) ::sigaction(sig, &ignore, nullptr);
  if (read_fd != 0) {
    ::dup2(read_fd, 0);
  }
  // Hold nothing of the harness's (sockets, files, other guards' pipes).
  ::syscall(SYS_close_range, 1U, ~0U, 0U);
  char byte;
  ssize_t n;
  do {
    n = ::read(0, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1) ::_exit(0);  // dismissed: the harness stopped or reaped the target
  // The harness is gone and the target is not stopped.
  ::kill(-group, SIGTERM);
  timespec tick{0, 100'000'000};
  for (int i = 0; i < 50 && ::kill(-group, 0) == 0; ++i) ::nanosleep(&tick, nullptr);
  ::kill(-group, SIGKILL);
  ::_exit(0);
}

}  // namespace

void TargetProcess::start_guard() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;  // no guard: the destructor still stops the target
  pid_t g = ::fork();
  if (g == 0) run_guard(fds[0], pid_);
  ::close(fds[0]);
  if (g < 0) {
    ::close(fds[1]);
    return;
  }
  guard_pid_ = g;
  guard_fd_ = fds[1];
}

void TargetProcess::dismiss_guard() {
  if (guard_pid_ < 0) return;
  char byte = 'x';
  while (::write(guard_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(guard_fd_);
  int status;
  while (::waitpid(guard_pid_, &status, 0) < 0 && errno == EINTR) {
  }
  guard_pid_ = guard_fd_ = -1;
}

TargetProcess::~TargetProcess() {
  if (spawned_) (void)stop(std::chrono::seconds(2));
  finish_copier();
}

std::string TargetProcess::describe() const {
  return "pid " + std::to_string(pid_) + (spawned_ ? " (spawned: " + what_ + ")" : " (attached)");
}

void TargetProcess::copy_stdout() {
  char buf[16384];
  for (;;) {
    {
      std::lock_guard lock(line_mu_);
      if (copier_stop_) break;
    }
    pollfd p{pipe_fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, 100);
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    ssize_t n = ::read(pipe_fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(log_fd_, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;  // a full disk must not block the target: keep draining the pipe
      off += w;
    }
    std::lock_guard lock(line_mu_);
    if (!first_line_done_) {
      std::string_view chunk(buf, static_cast<std::size_t>(n));
      auto nl = chunk.find('\n');
      first_line_.append(chunk.substr(0, nl));
      if (nl != std::string_view::npos || first_line_.size() >= kMaxFirstLine) {
        if (!first_line_.empty() && first_line_.back() == '\r') first_line_.pop_back();
        first_line_done_ = true;
        line_cv_.notify_all();
      }
    }
  }
  std::lock_guard lock(line_mu_);
  stdout_closed_ = true;
  line_cv_.notify_all();
}

void TargetProcess::finish_copier() {
  if (!copier_.joinable()) return;
  {
    // Give the copier a moment to see EOF and flush what the target wrote last;
    // a grandchild holding stdout open must not keep us here.
    std::unique_lock lock(line_mu_);
    line_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stdout_closed_; });
    copier_stop_ = true;
  }
  copier_.join();
  if (pipe_fd_ >= 0) ::close(pipe_fd_);
  if (log_fd_ >= 0) ::close(log_fd_);
  pipe_fd_ = log_fd_ = -1;
}

Result<std::string> TargetProcess::wait_first_line(Nanos timeout) {
  if (!spawned_) return Error("the first stdout line is only available for a spawned target");
  bool closed = false;
  {
    std::unique_lock lock(line_mu_);
    bool got = line_cv_.wait_for(lock, timeout, [this] { return first_line_done_ || stdout_closed_; });
    if (first_line_done_) return first_line_;
    closed = got && stdout_closed_;
  }
  if (closed) {
    // The target closed stdout, almost always because it exited: say how.
    for (int i = 0; i < 50 && alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto st = exit_status();
    return Error("target closed its stdout before printing a line" +
                     (st ? " (" + st->describe() + ")" : std::string()) + "; see " + log_path_,
                 describe());
  }
  return Error("no line on the target's stdout within " +
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
                   " ms; see " + log_path_,
               describe());
}

Result<int> TargetProcess::wait_port_line(Nanos timeout) {
  auto line = wait_first_line(timeout);
  if (!line) return line.error();
  std::string_view s = *line;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  int port = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || p != s.data() + s.size() || port <= 0 || port > 65535)
    return Error("expected a port number as the first line of stdout, got '" + *line + "'", describe());
  return port;
}

bool TargetProcess::reap_locked(bool block) {
  if (exit_) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    // Whatever the target started in its group and left behind goes with it.
    // Done at once: the group id cannot be reused while a member lives, and
    // the leader's PID is not handed out again within microseconds.
    ::kill(-pid_, SIGKILL);
    dismiss_guard();
    exit_ = from_wait_status(status);
    exit_->sent_sigterm = sent_term_;
    exit_->sent_sigkill = sent_kill_;
    return true;
  }
  if (r < 0 && errno == ECHILD) {  // reaped elsewhere (e.g. a SIGCHLD handler): the status is lost
    dismiss_guard();
    exit_ = ExitStatus{};
    return true;
  }
  return false;
}

bool TargetProcess::alive() {
  std::lock_guard lock(mu_);
  if (spawned_) return !reap_locked(false);
  if (::kill(pid_, 0) != 0 && errno != EPERM) return false;
  auto st = read_proc_state(pid_);
  return st && st->state != 'Z' && st->state != 'X' && st->start_time == start_time_;
}

std::optional<ExitStatus> TargetProcess::exit_status() const {
  std::lock_guard lock(mu_);
  return exit_;
}

ExitStatus TargetProcess::stop(Nanos grace) {
  std::unique_lock lock(mu_);
  if (!spawned_) return ExitStatus{};
  if (!stopped_) {
    stopped_ = true;
    if (!reap_locked(false)) {
      sent_term_ = true;
      ::kill(-pid_, SIGTERM);
      auto deadline = now() + grace;
      while (!reap_locked(false) && now() < deadline) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        lock.lock();
      }
      if (!exit_) {
        sent_kill_ = true;
        ::kill(-pid_, SIGKILL);
        reap_locked(true);
      }
    }
  }
  ExitStatus out = exit_.value_or(ExitStatus{});
  lock.unlock();
  finish_copier();
  return out;
}

}  // namespace h2soak::launch
