#pragma once
// --log-file: one line per finished request, tab-separated:
//   start_unix_us  status  connect_us  tls_us  ttfb_us  total_us  bytes_in  bytes_out  error
// start_unix_us is the request's start (due time in the open model) in
// microseconds since the Unix epoch; connect_us/tls_us are those of the
// connection that carried it; ttfb_us/total_us are measured from the start;
// bytes_in = header block + body bytes received; bytes_out = request body
// bytes sent; error is "-" or the error class name. Status 0: no response.
//
// Threading: one RequestLog per run, shared by workers; each worker appends
// to its own RequestLog::Buffer (no lock) which takes the file lock only to
// write out 64 KiB at a time and when it is destroyed.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "harness/util/result.h"

namespace h2soak::workloads {

class RequestLog {
 public:
  static Result<std::unique_ptr<RequestLog>> open(const std::string& path);
  ~RequestLog();

  class Buffer {
   public:
    explicit Buffer(RequestLog* log) : log_(log) { if (log_) text_.reserve(kFlushAt + 256); }
    ~Buffer() { flush(); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    bool enabled() const { return log_ != nullptr; }
    void add(std::uint64_t start_unix_us, int status, std::uint64_t connect_us, std::uint64_t tls_us,
             std::int64_t ttfb_us, std::uint64_t total_us, std::uint64_t bytes_in, std::uint64_t bytes_out,
             std::string_view error);
    void flush();

   private:
    static constexpr std::size_t kFlushAt = 64 * 1024;
    RequestLog* log_;
    std::string text_;
  };

 private:
  explicit RequestLog(std::FILE* f) : file_(f) {}
  void write(const std::string& text);
  std::mutex mutex_;
  std::FILE* file_;
};

}  // namespace h2soak::workloads
