#include "harness/scenario/env_subst.h"

#include <cctype>

namespace h2soak::scenario::detail {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string where(const std::string& file, int line0, int col0) {
  return file + ":" + std::to_string(line0 + 1) + ":" + std::to_string(col0 + 1);
}

}  // namespace

std::pair<int, int> SubstitutedText::to_original(int line, int col) const {
  if (line < 0 || col < 0) return {0, 0};
  int mapped = col;
  if (static_cast<std::size_t>(line) < edits_.size()) {
    for (const Edit& e : edits_[line]) {
      if (col < e.new_col) break;
      if (col < e.new_col + e.new_len) return {line + 1, e.orig_col + 1};
      mapped = col - (e.new_col + e.new_len) + (e.orig_col + e.orig_len);
    }
  }
  return {line + 1, mapped + 1};
}

Result<SubstitutedText> substitute_env(std::string_view text, const EnvLookup& env, const std::string& file) {
  SubstitutedText out;
  out.text_.reserve(text.size());
  int line = 0;
  std::size_t line_start = 0;
  std::size_t line_out_start = 0;
  out.edits_.emplace_back();
  bool in_single = false;
  bool in_double = false;
  bool in_comment = false;
  // A quote only opens a quoted scalar where one can begin (after ':', '-',
  // '[', '{', ',' or at the start of a line), so an apostrophe inside a plain
  // scalar ("it's") does not hide a comment that follows.
  char last_significant = '\n';

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int col = static_cast<int>(i - line_start);
    if (c == '\n') {
      out.text_.push_back(c);
      ++line;
      line_start = i + 1;
      line_out_start = out.text_.size();
      out.edits_.emplace_back();
      in_comment = false;
      in_single = false;  // multi-line quoted scalars are not tracked
      in_double = false;
      last_significant = '\n';
      continue;
    }
    if (in_comment) {
      out.text_.push_back(c);
      continue;
    }
    if (!in_single && !in_double && c == '#' &&
        (col == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      in_comment = true;
      out.text_.push_back(c);
      continue;
    }
    if (c == '\'' && !in_double) {
      if (in_single) {
        in_single = false;
      } else if (last_significant == '\n' || last_significant == ':' || last_significant == '-' ||
                 last_significant == '[' || last_significant == '{' || last_significant == ',') {
        in_single = true;
      }
    } else if (c == '"' && !in_single) {
      if (in_double) {
        if (text[i - 1] != '\\') in_double = false;
      } else if (last_significant == '\n' || last_significant == ':' || last_significant == '-' ||
                 last_significant == '[' || last_significant == '{' || last_significant == ',') {
        in_double = true;
      }
    }
    if (c == '$' && text.substr(i, 3) == "$${") {
      int new_col = static_cast<int>(out.text_.size() - line_out_start);
      out.text_ += "${";
      out.edits_[line].push_back({new_col, 2, col, 3});
      i += 2;
      last_significant = '{';
      continue;
    }
    if (c == '$' && text.substr(i, 2) == "${") {
      // The matching '}', so that a default may itself hold braces:
      // ${URL:-https://127.0.0.1:{port}}.
      std::size_t close = std::string_view::npos;
      int depth = 0;
      for (std::size_t j = i + 2; j < text.size() && text[j] != '\n'; ++j) {
        if (text[j] == '{') ++depth;
        if (text[j] == '}' && depth-- == 0) {
          close = j;
          break;
        }
      }
      if (close == std::string_view::npos) {
        return Error("unterminated \"${\": write ${NAME} or ${NAME:-default}", where(file, line, col));
      }
      std::string_view inner = text.substr(i + 2, close - i - 2);
      std::size_t sep = inner.find(":-");
      std::string_view name = sep == std::string_view::npos ? inner : inner.substr(0, sep);
      bool valid = !name.empty() && is_name_start(name[0]);
      for (char n : name) valid = valid && is_name_char(n);
      if (!valid) {
        return Error("invalid environment variable name \"" + std::string(name) +
                         "\" (letters, digits and '_', not starting with a digit)",
                     where(file, line, col));
      }
      std::optional<std::string> value = env ? env(name) : std::nullopt;
      if (sep != std::string_view::npos && (!value || value->empty())) {
        value = std::string(inner.substr(sep + 2));
      }
      if (!value) {
        return Error("environment variable " + std::string(name) +
                         " is not set (write ${" + std::string(name) + ":-default} to give a default)",
                     where(file, line, col));
      }
      if (value->find('\n') != std::string::npos || value->find('\r') != std::string::npos) {
        return Error("environment variable " + std::string(name) + " contains a line break",
                     where(file, line, col));
      }
      int new_col = static_cast<int>(out.text_.size() - line_out_start);
      out.text_ += *value;
      out.edits_[line].push_back({new_col, static_cast<int>(value->size()), col,
                                  static_cast<int>(close - i + 1)});
      i = close;
      last_significant = 'x';
      continue;
    }
    out.text_.push_back(c);
    if (c != ' ' && c != '\t' && c != '\r') last_significant = c;
  }
  return out;
}

}  // namespace h2soak::scenario::detail
