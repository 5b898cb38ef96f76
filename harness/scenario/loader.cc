// Files and suites: reading, ${ENV} substitution, decoding, overrides,
// validation. The per-key work is in decode.cc and validate.cc.
#include "harness/scenario/loader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/scenario/decode.h"
#include "harness/scenario/env_subst.h"

namespace h2soak::scenario {
namespace {

using detail::PositionTable;
using detail::ScenarioDoc;
using detail::SuiteDoc;

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error("is a directory, not a scenario file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(std::string("cannot open: ") + std::strerror(errno), path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error("cannot read", path);
  return text.str();
}

std::string dir_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string stem_of(const std::string& path) {
  auto stem = std::filesystem::path(path).stem().string();
  return stem.empty() ? std::string("scenario") : stem;
}

Result<std::variant<ScenarioDoc, SuiteDoc>> decode_text(std::string_view text, const std::string& file,
                                                        const EnvLookup& env, const std::string& base_dir) {
  auto substituted = detail::substitute_env(text, env, file);
  if (!substituted) return substituted.error();
  return detail::decode(*substituted, file, base_dir, stem_of(file));
}

Result<Scenario> finish_scenario(ScenarioDoc doc, const std::string& file) {
  doc.scenario.source_file = file;
  if (auto ok = detail::validate(doc.scenario, &doc.positions); !ok) return ok.error();
  return std::move(doc.scenario);
}

Result<Suite> finish_suite(SuiteDoc doc, const std::string& file, const EnvLookup& env) {
  Suite suite = std::move(doc.suite);
  suite.source_file = file;
  const PositionTable& suite_pos = doc.positions;
  auto suite_where = [&](const std::string& key, const SourcePos& fallback) {
    auto it = suite_pos.find(key);
    return it != suite_pos.end() ? it->second.str() : fallback.str();
  };
  for (std::size_t i = 0; i < suite.entries.size(); ++i) {
    const SuiteEntry& entry = suite.entries[i];
    const std::string entry_key = "scenarios." + std::to_string(i);
    auto text = read_file(entry.path);
    if (!text) return Error("scenario " + entry.file + ": " + text.error().message(), entry.pos.str());
    auto decoded = decode_text(*text, entry.path, env, dir_of(entry.path));
    if (!decoded) return decoded.error();
    if (!std::holds_alternative<ScenarioDoc>(*decoded)) {
      return Error(entry.file + " is a suite; a suite lists scenario files only", entry.pos.str());
    }
    ScenarioDoc doc = std::get<ScenarioDoc>(std::move(*decoded));
    doc.scenario.source_file = entry.path;
    for (const auto& [name, duration] : entry.phase_overrides) {
      const std::string key = entry_key + ".phases." + name;
      Phase* phase = nullptr;
      std::vector<std::string> names;
      for (auto& p : doc.scenario.phases) {
        names.push_back(p.name);
        if (p.name == name) phase = &p;
      }
      if (!phase) {
        std::string msg = "scenario '" + doc.scenario.name + "' has no phase '" + name + "'";
        if (auto m = closest_match(name, names)) msg += "; did you mean '" + *m + "'?";
        return Error(msg, suite_where(key, entry.pos));
      }
      phase->duration = duration;
      // Problems with an overridden duration are the suite's: point there.
      doc.positions["phases." + name] = suite_pos.count(key) ? suite_pos.at(key) : entry.pos;
      doc.positions["phases." + name + ".duration"] =
          suite_pos.count(key + ".duration") ? suite_pos.at(key + ".duration") : entry.pos;
    }
    if (auto ok = detail::validate(doc.scenario, &doc.positions); !ok) return ok.error();
    for (const auto& earlier : suite.scenarios) {
      if (earlier.name == doc.scenario.name) {
        return Error("two scenarios of the suite are named '" + earlier.name +
                         "' (their results would collide; give one another 'name')",
                     entry.pos.str());
      }
    }
    suite.scenarios.push_back(std::move(doc.scenario));
  }
  if (suite.budget && suite.total_duration() > *suite.budget) {
    return Error("the scenarios take " + units::format_duration(suite.total_duration()) +
                     ", more than the suite's budget of " + units::format_duration(*suite.budget),
                 suite_where("budget", SourcePos{file, 1, 1}));
  }
  return suite;
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<std::variant<Scenario, Suite>> load_text(std::string_view text, const std::string& file_name,
                                                const EnvLookup& env, const std::string& base_dir) {
  auto decoded = decode_text(text, file_name, env, base_dir);
  if (!decoded) return decoded.error();
  if (auto* doc = std::get_if<ScenarioDoc>(&*decoded)) {
    auto s = finish_scenario(std::move(*doc), file_name);
    if (!s) return s.error();
    return std::variant<Scenario, Suite>(std::move(*s));
  }
  auto suite = finish_suite(std::get<SuiteDoc>(std::move(*decoded)), file_name, env);
  if (!suite) return suite.error();
  return std::variant<Scenario, Suite>(std::move(*suite));
}

Result<Scenario> load_scenario_text(std::string_view text, const std::string& file_name, const EnvLookup& env,
                                    const std::string& base_dir) {
  auto decoded = decode_text(text, file_name, env, base_dir);
  if (!decoded) return decoded.error();
  if (!std::holds_alternative<ScenarioDoc>(*decoded)) {
    return Error("this is a suite (it has a top-level 'suite:' key), not a scenario", file_name + ":1:1");
  }
  return finish_scenario(std::get<ScenarioDoc>(std::move(*decoded)), file_name);
}

Result<std::variant<Scenario, Suite>> load(const std::string& path, const EnvLookup& env) {
  auto text = read_file(path);
  if (!text) return text.error();
  return load_text(*text, path, env, dir_of(path));
}

Result<Scenario> load_scenario(const std::string& path, const EnvLookup& env) {
  auto text = read_file(path);
  if (!text) return text.error();
  return load_scenario_text(*text, path, env, dir_of(path));
}

Result<Suite> load_suite(const std::string& path, const EnvLookup& env) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto decoded = decode_text(*text, path, env, dir_of(path));
  if (!decoded) return decoded.error();
  if (!std::holds_alternative<SuiteDoc>(*decoded)) {
    return Error("this is a scenario, not a suite (a suite has a top-level 'suite:' key)", path + ":1:1");
  }
  return finish_suite(std::get<SuiteDoc>(std::move(*decoded)), path, env);
}

}  // namespace h2soak::scenario
