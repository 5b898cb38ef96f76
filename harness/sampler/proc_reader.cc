#include "harness/sampler/proc_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "harness/sampler/proc_parse.h"

namespace h2soak::sampler {
namespace {

int open_proc(int pid, const char* name, int flags = 0) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
}

bool gone_errno(int e) { return e == ESRCH || e == ENOENT; }

}  // namespace

Result<ProcReader> ProcReader::open(int pid) {
  if (pid <= 0) return Error("invalid pid " + std::to_string(pid));
  ProcReader r;
  r.pid_ = pid;
  r.buf_.resize(16 * 1024);
  long tck = ::sysconf(_SC_CLK_TCK);
  if (tck > 0) r.ticks_per_second_ = tck;
  r.status_fd_ = open_proc(pid, "status");
  if (r.status_fd_ < 0) {
    int e = errno;
    return Error(std::string("cannot open /proc/") + std::to_string(pid) + "/status: " + std::strerror(e));
  }
  r.stat_fd_ = open_proc(pid, "stat");
  if (r.stat_fd_ < 0) {
    int e = errno;
    return Error(std::string("cannot open /proc/") + std::to_string(pid) + "/stat: " + std::strerror(e));
  }
  r.smaps_fd_ = open_proc(pid, "smaps_rollup");
  r.fd_dir_ = open_proc(pid, "fd", O_DIRECTORY);
  return r;
}

ProcReader::ProcReader(ProcReader&& o) noexcept { *this = std::move(o); }

ProcReader& ProcReader::operator=(ProcReader&& o) noexcept {
  if (this != &o) {
    close_all();
    pid_ = o.pid_;
    status_fd_ = std::exchange(o.status_fd_, -1);
    stat_fd_ = std::exchange(o.stat_fd_, -1);
    smaps_fd_ = std::exchange(o.smaps_fd_, -1);
    fd_dir_ = std::exchange(o.fd_dir_, -1);
    ticks_per_second_ = o.ticks_per_second_;
    vanished_ = o.vanished_;
    buf_ = std::move(o.buf_);
    len_ = 0;
  }
  return *this;
}

ProcReader::~ProcReader() { close_all(); }

void ProcReader::close_all() {
  for (int* fd : {&status_fd_, &stat_fd_, &smaps_fd_, &fd_dir_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

Status ProcReader::read_file(int fd, const char* what) {
  len_ = 0;
  for (;;) {
    if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n = ::pread(fd, buf_.data() + len_, buf_.size() - len_, static_cast<off_t>(len_));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      if (gone_errno(e)) vanished_ = true;
      return Error(std::string("reading /proc/") + std::to_string(pid_) + "/" + what + ": " + std::strerror(e));
    }
    if (n == 0) break;
    len_ += static_cast<std::size_t>(n);
  }
  // A dead process's files read as empty on some kernels.
  if (len_ == 0) {
    vanished_ = true;
    return Error(std::string("/proc/") + std::to_string(pid_) + "/" + what + " is empty: process exited");
  }
  return {};
}

Result<std::uint64_t> ProcReader::count_fds() {
  if (::lseek(fd_dir_, 0, SEEK_SET) < 0) return Error(std::string("rewinding fd/: ") + std::strerror(errno));
  std::uint64_t count = 0;
  alignas(8) char dents[8192];
  for (;;) {
    ssize_t n = ::getdents64(fd_dir_, dents, sizeof dents);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      if (gone_errno(e)) vanished_ = true;
      return Error(std::string("listing /proc/") + std::to_string(pid_) + "/fd: " + std::strerror(e));
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(dents + off);
      if (d->d_name[0] != '.') ++count;
      off += d->d_reclen;
    }
  }
  return count;
}

Status ProcReader::read(Sample& out, bool with_pss) {
  if (vanished_) return Error("process " + std::to_string(pid_) + " has exited");
  if (auto st = read_file(status_fd_, "status"); !st) return st;
  auto status = parse_status(std::string_view(buf_.data(), len_));
  if (!status) return status.error();
  if (!status->has_memory || status->state == 'Z' || status->state == 'X') {
    vanished_ = true;
    return Error("process " + std::to_string(pid_) + " has exited (zombie)");
  }
  out.rss = status->rss;
  out.hwm = status->hwm;
  out.rss_anon = status->rss_anon;
  out.threads = status->threads;

  if (auto st = read_file(stat_fd_, "stat"); !st) return st;
  auto stat = parse_stat(std::string_view(buf_.data(), len_), ticks_per_second_);
  if (!stat) return stat.error();
  out.utime = stat->utime;
  out.stime = stat->stime;

  out.fds = 0;
  if (fd_dir_ >= 0) {
    auto n = count_fds();
    if (!n) return n.error();
    out.fds = *n;
  }
  out.pss = 0;
  if (with_pss && smaps_fd_ >= 0) {
    if (auto st = read_file(smaps_fd_, "smaps_rollup"); !st) return st;
    auto pss = parse_smaps_rollup_pss(std::string_view(buf_.data(), len_));
    if (!pss) return pss.error();
    out.pss = *pss;
  }
  return {};
}

}  // namespace h2soak::sampler
