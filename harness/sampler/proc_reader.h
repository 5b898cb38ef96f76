#pragma once
// Reads one process's /proc files for the sampler. The files are opened once
// (open()) and re-read from offset 0 on every tick: no path lookup per tick,
// and if the PID is reused by another process after ours exits, the open
// handles keep answering ESRCH instead of silently reading the newcomer.
//
// Owned and used by one thread (the sampler thread); not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "harness/sampler/sample.h"
#include "harness/util/result.h"

namespace h2soak::sampler {

class ProcReader {
 public:
  // Fails if /proc/PID/status or /proc/PID/stat cannot be opened (no such
  // process, or not allowed). smaps_rollup and fd/ are optional: when they
  // cannot be opened (another user's process) Pss and fds read as 0.
  static Result<ProcReader> open(int pid);

  ProcReader(ProcReader&& other) noexcept;
  ProcReader& operator=(ProcReader&& other) noexcept;
  ProcReader(const ProcReader&) = delete;
  ProcReader& operator=(const ProcReader&) = delete;
  ~ProcReader();

  // Fills every field of `out` except `t` and `gauges`; Pss only when
  // with_pss. On failure returns an Error and, if the process is gone (read
  // gives ESRCH/ENOENT, or it is a zombie), vanished() becomes true.
  Status read(Sample& out, bool with_pss);

  bool vanished() const { return vanished_; }
  bool fds_readable() const { return fd_dir_ >= 0; }
  bool pss_readable() const { return smaps_fd_ >= 0; }
  int pid() const { return pid_; }

 private:
  ProcReader() = default;
  void close_all();
  Status read_file(int fd, const char* what);
  Result<std::uint64_t> count_fds();

  int pid_ = 0;
  int status_fd_ = -1;
  int stat_fd_ = -1;
  int smaps_fd_ = -1;
  int fd_dir_ = -1;
  long ticks_per_second_ = 100;
  bool vanished_ = false;
  std::vector<char> buf_;
  std::size_t len_ = 0;
};

}  // namespace h2soak::sampler
