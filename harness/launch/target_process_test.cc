#include "harness/launch/target_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace h2soak::launch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h2soak_target_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string log() const { return (dir_ / "target.log").string(); }
  std::string read_log() const {
    std::ifstream in(log());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(TargetTest, FirstLineThenLogThenSigterm) {
  SpawnOptions o;
  o.command = "echo 12345; echo rest of stdout; echo to stderr >&2; exec sleep 30";
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok()) << t.error().message();
  auto port = (*t)->wait_port_line(5s);
  ASSERT_TRUE(port.ok()) << port.error().message();
  EXPECT_EQ(*port, 12345);
  EXPECT_TRUE((*t)->alive());
  // The shell is still writing the rest; let it finish before stopping.
  for (int i = 0; i < 300 && read_log().find("to stderr") == std::string::npos; ++i)
    std::this_thread::sleep_for(10ms);
  auto st = (*t)->stop(2s);
  EXPECT_EQ(st.kind, ExitStatus::Kind::kSignaled);
  EXPECT_EQ(st.signal, SIGTERM);
  EXPECT_TRUE(st.sent_sigterm);
  EXPECT_FALSE(st.sent_sigkill);
  EXPECT_TRUE(st.clean());
  EXPECT_EQ(st.describe(), "killed by signal 15 (SIGTERM) after SIGTERM");
  EXPECT_FALSE((*t)->alive());
  std::string text = read_log();
  EXPECT_NE(text.find("12345\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rest of stdout"), std::string::npos) << text;
  EXPECT_NE(text.find("to stderr"), std::string::npos) << text;
}

TEST_F(TargetTest, SimpleCommandIsExecSoThePidIsTheServer) {
  SpawnOptions o;
  o.command = "sleep 30";
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  std::string comm;
  for (int i = 0; i < 100 && comm != "sleep"; ++i) {
    std::this_thread::sleep_for(10ms);
    std::ifstream in("/proc/" + std::to_string((*t)->pid()) + "/comm");
    std::getline(in, comm);
  }
  EXPECT_EQ(comm, "sleep");
  EXPECT_EQ(::getpgid((*t)->pid()), (*t)->pid());  // its own process group
  (*t)->stop(2s);
}

TEST_F(TargetTest, ArgvSpawnAndExitCode) {
  SpawnOptions o;
  o.argv = {"sh", "-c", "echo hello; exit 3"};
  o.log_path = log();
  o.env = {"H2SOAK_TEST_VAR=abc"};
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  auto line = (*t)->wait_first_line(5s);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "hello");
  for (int i = 0; i < 200 && (*t)->alive(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE((*t)->alive());  // death detected
  auto st = (*t)->exit_status();
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->kind, ExitStatus::Kind::kExited);
  EXPECT_EQ(st->code, 3);
  EXPECT_FALSE(st->clean());
  EXPECT_EQ(st->describe(), "exited with code 3");
  EXPECT_EQ((*t)->stop(1s).code, 3);  // stop after death reports the same status
}

TEST_F(TargetTest, EnvironmentIsPassed) {
  ::setenv("H2SOAK_TEST_VAR", "inherited", 1);  // the extra entry must win over this
  SpawnOptions o;
  o.command = "echo \"v=$H2SOAK_TEST_VAR\"";
  o.log_path = log();
  o.env = {"H2SOAK_TEST_VAR=abc"};
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  auto line = (*t)->wait_first_line(5s);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "v=abc");
  ::unsetenv("H2SOAK_TEST_VAR");
}

TEST_F(TargetTest, SigkillAfterGraceWhenSigtermIsIgnored) {
  SpawnOptions o;
  o.command = "trap '' TERM; echo ready; while :; do sleep 0.05; done";
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->wait_first_line(5s).ok());
  auto t0 = now();
  auto st = (*t)->stop(300ms);
  double took = seconds_between(t0, now());
  EXPECT_GE(took, 0.29);
  EXPECT_LT(took, 2.0);
  EXPECT_EQ(st.kind, ExitStatus::Kind::kSignaled);
  EXPECT_EQ(st.signal, SIGKILL);
  EXPECT_TRUE(st.sent_sigkill);
  EXPECT_FALSE(st.clean());
  EXPECT_NE(st.describe().find("SIGKILL"), std::string::npos);
  EXPECT_NE(st.describe().find("grace"), std::string::npos);
}

// True while `pid` exists and is not a zombie (a zombie whose parent died is
// waiting for an init that may not reap in a container).
bool running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z' &&
         text[close + 2] != 'X';
}

// Runs in a forked child playing the harness: spawns a target group (a shell
// and a background sleeper), reports both PIDs, then dies by SIGKILL without
// stopping anything.
[[noreturn]] void harness_that_dies(const std::string& log_path, int report_fd) {
  SpawnOptions o;
  o.command = "sleep 300 & echo $!; sleep 301; :";  // compound: the shell stays the leader
  o.log_path = log_path;
  auto t = TargetProcess::spawn(o);
  if (!t.ok()) ::_exit(2);
  auto line = (*t)->wait_first_line(5s);
  if (!line.ok()) ::_exit(3);
  pid_t pids[2] = {(*t)->pid(), static_cast<pid_t>(std::stoi(*line))};
  if (::write(report_fd, pids, sizeof pids) != sizeof pids) ::_exit(4);
  ::raise(SIGKILL);
  ::_exit(5);
}

TEST_F(TargetTest, TargetGroupDiesWithAHarnessKilledBySigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t harness = ::fork();
  ASSERT_GE(harness, 0);
  if (harness == 0) {
    ::close(fds[0]);
    harness_that_dies(log(), fds[1]);
  }
  ::close(fds[1]);
  pid_t pids[2] = {0, 0};
  ASSERT_EQ(::read(fds[0], pids, sizeof pids), static_cast<ssize_t>(sizeof pids));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(harness, &status, 0), harness);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  // The guard sends SIGTERM at once; allow a loaded machine a few seconds.
  auto deadline = now() + 10s;
  while ((running(pids[0]) || running(pids[1])) && now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(running(pids[0])) << "the target's shell outlived the harness";
  EXPECT_FALSE(running(pids[1])) << "the target's background child outlived the harness";
  ::kill(-pids[0], SIGKILL);  // only if the assertions above failed
}

TEST_F(TargetTest, StopDismissesTheGuardAndLeavesNoChild) {
  SpawnOptions o;
  o.command = "echo ready; exec sleep 30";
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->wait_first_line(5s).ok());
  EXPECT_TRUE((*t)->stop(2s).clean());
  // Neither the target nor its guard is left as a child of ours.
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(TargetTest, FirstLineErrors) {
  SpawnOptions o;
  o.command = "exit 7";
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok());
  auto line = (*t)->wait_first_line(5s);
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.error().message().find("exited with code 7"), std::string::npos) << line.error().message();

  o.command = "exec sleep 30";
  auto quiet = TargetProcess::spawn(o);
  ASSERT_TRUE(quiet.ok());
  auto t0 = now();
  auto none = (*quiet)->wait_first_line(200ms);
  EXPECT_FALSE(none.ok());
  EXPECT_LT(seconds_between(t0, now()), 1.0);
  EXPECT_NE(none.error().message().find("within 200 ms"), std::string::npos) << none.error().message();

  o.command = "echo not-a-port; sleep 30";
  auto bad = TargetProcess::spawn(o);
  ASSERT_TRUE(bad.ok());
  auto port = (*bad)->wait_port_line(5s);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message().find("not-a-port"), std::string::npos);
}

TEST_F(TargetTest, SpawnFailures) {
  SpawnOptions o;
  o.argv = {"/nonexistent/h2soak-no-such-binary"};
  o.log_path = log();
  auto t = TargetProcess::spawn(o);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("No such file"), std::string::npos) << t.error().message();
  o.argv.clear();
  EXPECT_FALSE(TargetProcess::spawn(o).ok());  // neither command nor argv
  o.command = "sleep 1";
  o.log_path = (dir_ / "missing-dir" / "x.log").string();
  EXPECT_FALSE(TargetProcess::spawn(o).ok());
}

TEST_F(TargetTest, AttachByPidfileNeverSignals) {
  SpawnOptions o;
  o.command = "sleep 30";
  o.log_path = log();
  auto owner = TargetProcess::spawn(o);
  ASSERT_TRUE(owner.ok());
  std::string pidfile = (dir_ / "server.pid").string();
  std::ofstream(pidfile) << (*owner)->pid() << "\n";

  auto attached = TargetProcess::attach_pidfile(pidfile);
  ASSERT_TRUE(attached.ok()) << attached.error().message();
  EXPECT_EQ((*attached)->pid(), (*owner)->pid());
  EXPECT_FALSE((*attached)->spawned());
  EXPECT_TRUE((*attached)->alive());
  auto st = (*attached)->stop(100ms);
  EXPECT_EQ(st.kind, ExitStatus::Kind::kUnknown);
  EXPECT_FALSE(st.sent_sigterm);
  attached.value().reset();  // destroying it must not signal either
  EXPECT_TRUE((*owner)->alive());

  auto again = TargetProcess::attach_pid((*owner)->pid());
  ASSERT_TRUE(again.ok());
  (*owner)->stop(2s);
  EXPECT_FALSE((*again)->alive());  // an attached target's death is noticed
}

TEST_F(TargetTest, AttachRejectsBadInput) {
  std::string pidfile = (dir_ / "bad.pid").string();
  std::ofstream(pidfile) << "12ab\n";
  auto r = TargetProcess::attach_pidfile(pidfile);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("bad.pid"), std::string::npos);
  std::ofstream(pidfile, std::ios::trunc) << "  \n";
  EXPECT_FALSE(TargetProcess::attach_pidfile(pidfile).ok());
  EXPECT_FALSE(TargetProcess::attach_pidfile((dir_ / "absent.pid").string()).ok());
  EXPECT_FALSE(TargetProcess::attach_pid(0x3ffffff0).ok());  // above pid_max
  EXPECT_FALSE(TargetProcess::attach_pid(-1).ok());
}

}  // namespace
}  // namespace h2soak::launch
