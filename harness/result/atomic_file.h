#pragma once
// Writing a file so that readers see either the old content or the new one,
// never a half-written file (STYLE.md habit 12): the content goes to a
// temporary file in the same folder, is fsync'ed, then renamed over the
// destination, and the folder is fsync'ed. On any failure the temporary file
// is removed and the destination is untouched. Used for result JSON and
// baselines.

#include <string>
#include <string_view>

#include "harness/util/result.h"

namespace h2soak::result {

// Replaces `path` with `content` atomically. The folder must exist. The new
// file gets mode 0644 (subject to umask). Errors name the path and the errno text.
Status write_file_atomic(const std::string& path, std::string_view content);

// Reads a whole file; errors name the path.
Result<std::string> read_file(const std::string& path);

}  // namespace h2soak::result
