#pragma once
// ${NAME} / ${NAME:-default} substitution on the text of a scenario or suite
// file, before YAML parsing, so that a variable can stand for any scalar
// (a URL, a port number, a command). Internal to harness/scenario: the loader
// calls substitute_env() on the file's text, parses the result, and maps every
// yaml-cpp position back to the original text with to_original().
//
// Rules (scenarios/README.md, "Environment variables"):
//   ${NAME}            the variable's value; an error when it is not set
//   ${NAME:-default}   the default when NAME is unset or empty
//   $${                a literal "${"
//   comments (from a '#' at the start of a line or after a blank, outside
//   quotes) are copied untouched; a value may not contain a line break.

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/util/result.h"

namespace h2soak::scenario::detail {

class SubstitutedText {
 public:
  // One replacement on one line: [new_col, new_col+new_len) in the output came
  // from [orig_col, orig_col+orig_len) in the input. 0-based byte columns.
  struct Edit {
    int new_col = 0;
    int new_len = 0;
    int orig_col = 0;
    int orig_len = 0;
  };

  const std::string& text() const { return text_; }
  // 0-based (line, col) in text() → 1-based (line, col) in the original.
  // A position inside a substituted value maps to the '$' that produced it.
  std::pair<int, int> to_original(int line, int col) const;

 private:
  friend Result<SubstitutedText> substitute_env(std::string_view, const EnvLookup&, const std::string&);
  std::string text_;
  std::vector<std::vector<Edit>> edits_;  // per 0-based line, ascending new_col
};

// `file` names the text in error messages ("file:line:col: ...").
Result<SubstitutedText> substitute_env(std::string_view text, const EnvLookup& env, const std::string& file);

}  // namespace h2soak::scenario::detail
