#include "harness/compare/baseline_store.h"

#include "harness/util/atomic_file.h"

namespace h2soak::compare {

Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error("file is empty (not JSON)", source);
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
    // a number too large for a double ("1e400") is an out_of_range error, not a parse_error.
    std::string what = e.what();
    auto pos = what.find("] ");
    return Error("corrupt file, not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)),
                 source);
  }
}

Result<Baseline> load_baseline(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto json = parse_json_text(*text, path);
  if (!json) return json.error();
  return baseline_from_json(*json, path);
}

Status save_baseline(const std::string& path, const Baseline& baseline, bool force) {
  std::string text = baseline_to_json(baseline).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return write_file_atomically(path, text, force);
}

}  // namespace h2soak::compare
