#include "harness/result/environment.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "harness/util/clock.h"

namespace h2soak::result {

Metadata collect_metadata(std::string version, std::string git_revision,
                          std::vector<std::string> command_line) {
  Metadata m;
  m.h2soak_version = std::move(version);
  m.git_revision = std::move(git_revision);
  m.command_line = std::move(command_line);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m.host = host;
  struct utsname u {};
  if (uname(&u) == 0) {
    m.kernel = std::string(u.sysname) + " " + u.release + " " + u.version + " " + u.machine;
  }
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  m.cpu_count = n > 0 ? static_cast<std::uint32_t>(n) : 0;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) m.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  m.start_unix = unix_seconds();
  return m;
}

}  // namespace h2soak::result
