// Spawn commands: splitting into argv, telling the reference server apart.
#include "harness/scenario/loader.h"

namespace h2soak::scenario {

Result<std::vector<std::string>> split_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      std::size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) return Error("unbalanced ' in command \"" + std::string(command) + "\"");
      word.append(command.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < command.size() && command[j] != '"'; ++j) {
        if (command[j] == '\\' && j + 1 < command.size() &&
            (command[j + 1] == '"' || command[j + 1] == '\\' || command[j + 1] == '$')) {
          ++j;
        }
        word.push_back(command[j]);
      }
      if (j >= command.size()) return Error("unbalanced \" in command \"" + std::string(command) + "\"");
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return Error("command \"" + std::string(command) + "\" ends with a backslash");
      word.push_back(command[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<TargetProcess> parse_spawn(std::string_view command) {
  auto words = split_command(command);
  if (!words) return words.error();
  if (words->empty()) return Error("the spawn command is empty");
  if ((*words)[0] == "h2soak-target") {
    SpawnReference ref;
    ref.args.assign(words->begin() + 1, words->end());
    bool has_port = false;
    for (const auto& a : ref.args) {
      if (a == "--port" || a.rfind("--port=", 0) == 0) has_port = true;
    }
    if (!has_port) {
      ref.args.push_back("--port");
      ref.args.push_back("0");
    }
    return TargetProcess{std::move(ref)};
  }
  SpawnCommand cmd;
  cmd.command = std::string(command);
  cmd.argv = std::move(*words);
  return TargetProcess{std::move(cmd)};
}

}  // namespace h2soak::scenario
