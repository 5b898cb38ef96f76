#pragma once
// Outputs of a comparison (STYLE.md habit 11): the terminal verdict table,
// a Markdown summary, JUnit XML and JSON, all behind one small interface.
//
// Contract: the CLI (or the runner, after the comparison) calls write() once
// per verdict, from one thread — sinks are never called concurrently and
// hold no locks. A sink writes to a local stream or file only; it never
// blocks on the network. Errors (a file that cannot be written) are values.
//
// Each format is also a pure render_*() function (for tests and the Python
// module); a sink is "render, then put into its Output".

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "harness/compare/verdict.h"
#include "harness/util/result.h"

namespace h2soak::sinks {

// Where a sink's text goes: a stdio stream it does not own (stdout), or a
// file written atomically (replaced if it exists: reports are regenerated).
class Output {
 public:
  static Output stream(std::FILE* stream);
  static Output file(std::string path);

  Status put(std::string_view text);
  // "stdout", "<stream>" or the file's path, for messages.
  std::string describe() const;
  // True when the output is a terminal that should get colour: a stream that
  // isatty(), with NO_COLOR unset and TERM not "dumb".
  bool wants_color() const;

 private:
  std::FILE* stream_ = nullptr;
  std::string path_;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const char* name() const = 0;  // "terminal", "markdown", "junit", "json"
  virtual Status write(const compare::Verdict& verdict) = 0;
};

}  // namespace h2soak::sinks
