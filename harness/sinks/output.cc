#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "harness/util/atomic_file.h"
#include "harness/sinks/sink.h"

namespace h2soak::sinks {

Output Output::stream(std::FILE* stream) {
  Output o;
  o.stream_ = stream;
  return o;
}

Output Output::file(std::string path) {
  Output o;
  o.path_ = std::move(path);
  return o;
}

Status Output::put(std::string_view text) {
  if (stream_ == nullptr) return write_file_atomically(path_, text, /*overwrite=*/true);
  if (std::fwrite(text.data(), 1, text.size(), stream_) != text.size() || std::fflush(stream_) != 0) {
    return Error(std::string("write failed: ") + std::strerror(errno), describe());
  }
  return {};
}

std::string Output::describe() const {
  if (stream_ == nullptr) return path_;
  if (stream_ == stdout) return "stdout";
  if (stream_ == stderr) return "stderr";
  return "<stream>";
}

bool Output::wants_color() const {
  if (stream_ == nullptr) return false;
  if (::isatty(::fileno(stream_)) != 1) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

}  // namespace h2soak::sinks
