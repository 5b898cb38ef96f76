#include "harness/workloads/request_log.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace h2soak::workloads {

Result<std::unique_ptr<RequestLog>> RequestLog::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return Error(std::string("cannot open log file: ") + std::strerror(errno), path);
  std::fputs("# start_unix_us\tstatus\tconnect_us\ttls_us\tttfb_us\ttotal_us\tbytes_in\tbytes_out\terror\n", f);
  return std::unique_ptr<RequestLog>(new RequestLog(f));
}

RequestLog::~RequestLog() { std::fclose(file_); }

void RequestLog::write(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
}

void RequestLog::Buffer::add(std::uint64_t start_unix_us, int status, std::uint64_t connect_us, std::uint64_t tls_us,
                             std::int64_t ttfb_us, std::uint64_t total_us, std::uint64_t bytes_in,
                             std::uint64_t bytes_out, std::string_view error) {
  if (!log_) return;
  fmt::format_to(std::back_inserter(text_), "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", start_unix_us, status, connect_us,
                 tls_us, ttfb_us, total_us, bytes_in, bytes_out, error);
  if (text_.size() >= kFlushAt) flush();
}

void RequestLog::Buffer::flush() {
  if (!log_ || text_.empty()) return;
  log_->write(text_);
  text_.clear();
}

}  // namespace h2soak::workloads
