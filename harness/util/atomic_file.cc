#include "harness/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace h2soak {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes and removes the temporary file unless released.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }
  void release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

Status fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open directory to sync: " + errno_text(errno), dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Error("fsync of directory failed: " + errno_text(err), dir);
  return {};
}

// Moves `from` to `to` unless `to` exists. Returns EEXIST-carrying errno on refusal.
int rename_no_replace(const char* from, const char* to) {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  // Filesystem without RENAME_NOREPLACE: link() also refuses an existing target.
  if (::link(from, to) != 0) return errno;
  ::unlink(from);
  return 0;
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view contents, bool overwrite) {
  namespace fs = std::filesystem;
  if (path.empty()) return Error("empty output file name");
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec)) {
    return Error("already exists; refusing to overwrite it (use --force to replace it)", path);
  }
  if (fs::is_directory(path, ec)) return Error("is a directory", path);

  fs::path target(path);
  std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  std::string tmpl = (fs::path(dir) / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Error("cannot create a temporary file in " + dir + ": " + errno_text(errno), path);
  TempFile tmp(fd, name.data());
  ::fchmod(fd, 0644);  // mkostemp creates 0600; outputs are meant to be shared

  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(tmp.fd(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("write failed (" + errno_text(errno) + "); the file was left as it was", path);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(tmp.fd()) != 0) return Error("fsync failed (" + errno_text(errno) + "); the file was left as it was", path);
  if (tmp.close() != 0) return Error("close failed (" + errno_text(errno) + "); the file was left as it was", path);

  if (overwrite) {
    if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
      return Error("cannot rename " + tmp.path() + " into place: " + errno_text(errno), path);
    }
  } else {
    int err = rename_no_replace(tmp.path().c_str(), path.c_str());
    if (err == EEXIST) {
      return Error("already exists; refusing to overwrite it (use --force to replace it)", path);
    }
    if (err != 0) {
      return Error("cannot move " + tmp.path() + " into place: " + errno_text(err), path);
    }
  }
  tmp.release();
  return fsync_directory(dir);
}

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open: " + errno_text(errno), path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Error("read failed: " + errno_text(err), path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace h2soak
