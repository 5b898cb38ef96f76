#include "harness/cli/report_output.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "harness/sinks/json_sink.h"

extern char** environ;

namespace h2soak::cli {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// Runs argv[0] with argv, waits; the exit status, or -1 with errno's text in `error`.
int run_and_wait(const std::vector<std::string>& argv, std::string* error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The script's stdout (the page's path) is ours to print; its stderr (what
  // went wrong, naming the file) goes through.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = std::string("cannot start ") + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = std::string("waitpid: ") + std::strerror(errno);
      return -1;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  *error = argv[0] + std::string(" was killed by signal ") + std::to_string(WTERMSIG(status));
  return -1;
}

}  // namespace

bool write_html_report(const ReportRequest& request) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(request.dir, ec);
  if (ec) {
    std::fprintf(stderr, "h2soak: --report %s: cannot create the folder: %s\n", request.dir.c_str(),
                 ec.message().c_str());
    return false;
  }
  const std::string verdict_file = (fs::path(request.dir) / "verdict.json").string();
  if (request.verdict != nullptr) {
    sinks::JsonSink sink(sinks::Output::file(verdict_file));
    if (auto st = sink.write(*request.verdict); !st) {
      std::fprintf(stderr, "h2soak: --report: %s\n", st.error().message().c_str());
      return false;
    }
  }
  const std::string script = (fs::path(env_or("H2SOAK_REPORTS_DIR", H2SOAK_REPORTS_DIR)) / "plot_run.py").string();
  if (!fs::exists(script)) {
    std::fprintf(stderr,
                 "h2soak: --report: %s not found (set H2SOAK_REPORTS_DIR to the reports/ folder of the "
                 "h2soak source tree)\n",
                 script.c_str());
    return false;
  }
  std::vector<std::string> argv{env_or("H2SOAK_PYTHON", "/usr/bin/python3"), script};
  argv.insert(argv.end(), request.results.begin(), request.results.end());
  if (!request.b_results.empty()) {
    argv.push_back("--b");
    argv.insert(argv.end(), request.b_results.begin(), request.b_results.end());
  }
  if (request.verdict != nullptr) argv.insert(argv.end(), {"--verdict", verdict_file});
  if (!request.baseline.empty()) argv.insert(argv.end(), {"--baseline", request.baseline});
  argv.insert(argv.end(), {"--out", request.dir});
  std::fflush(stdout);
  std::fflush(stderr);
  std::string error;
  const int code = run_and_wait(argv, &error);
  if (code != 0) {
    std::fprintf(stderr, "h2soak: --report: %s\n",
                 code < 0 ? error.c_str() : ("plot_run.py exited with " + std::to_string(code)).c_str());
    return false;
  }
  std::printf("report: %s\n", (fs::path(request.dir) / "report.html").string().c_str());
  std::fflush(stdout);
  return true;
}

}  // namespace h2soak::cli
