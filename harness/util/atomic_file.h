#pragma once
// Writing a whole file so that readers see either the old contents or the new
// ones, never a mixture, and a crash never leaves a half-written file behind:
// the bytes go to a temporary file in the same directory, are fsync'ed, and
// the temporary file is renamed over the target (then the directory is
// fsync'ed so that the rename itself is durable).
//
// With overwrite == false the final step is renameat2(RENAME_NOREPLACE), so an
// existing file is refused even if it appears while we write (falls back to
// link()+unlink() on filesystems without RENAME_NOREPLACE). On any failure the
// temporary file is removed and the target is untouched.
//
// Blocking file I/O; call from the CLI or report stage, never from a worker.

#include <string>
#include <string_view>

#include "harness/util/result.h"

namespace h2soak {

Status write_file_atomically(const std::string& path, std::string_view contents, bool overwrite);

// Reads a whole file. Errors name the file and the system error.
Result<std::string> read_file(const std::string& path);

}  // namespace h2soak
