// YAML → Scenario / Suite. This file is the parse boundary: yaml-cpp throws,
// and the decoder itself stops at the first error by throwing DecodeFailure
// (decode_util.h); decode() catches both and returns an Error value, so no
// exception leaves harness/scenario.
#include "harness/scenario/decode.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "harness/scenario/decode_util.h"

namespace h2soak::scenario::detail {
namespace {

// ---- documents -------------------------------------------------------------

// Where each YAML document of a text starts: the mark of its first node.
class DocumentStarts final : public YAML::EventHandler {
 public:
  const std::vector<YAML::Mark>& starts() const { return starts_; }

  void OnDocumentStart(const YAML::Mark&) override { first_ = true; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { note(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (first_) starts_.push_back(m);
    first_ = false;
  }
  std::vector<YAML::Mark> starts_;
  bool first_ = false;
};

// The one document of a scenario or suite file (a null node when it has
// none). Not YAML::LoadAll(): in yaml-cpp 0.7 it never returns when a token
// that cannot begin a node stands at the top level (a stray ','), because the
// parser yields an empty document there without consuming it, again and
// again. Documents are therefore counted from parser events first, and a
// document that starts where the previous one did is that stray token.
YAML::Node load_single_document(const Decoder& d, const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts documents;
  while (parser.HandleNextDocument(documents)) {
    const auto& starts = documents.starts();
    const std::size_t n = starts.size();
    if (n >= 2 && starts[n - 1].pos == starts[n - 2].pos) {
      const YAML::Mark& stuck = starts[n - 1];
      const std::size_t at = static_cast<std::size_t>(stuck.pos);
      const std::string what = at < text.size() ? "'" + text.substr(at, 1) + "'" : "text";
      d.fail_at(d.pos(stuck), "unexpected " + what + " (not the start of a YAML value)");
    }
  }
  const auto& starts = documents.starts();
  if (starts.size() > 1) {
    d.fail_at(d.pos(starts[1]), "a scenario or suite file holds one YAML document; this one has " +
                                    std::to_string(starts.size()));
  }
  return YAML::Load(text);
}

// ---- sections --------------------------------------------------------------

Target decode_target(Decoder& d, const YAML::Node* node, const std::string& base_dir) {
  Target t;
  if (!node) {
    t.pos = {d.file(), 1, 1};
    return t;
  }
  t.pos = d.pos(*node);
  Map m(d, *node, "target", "target", {"url", "spawn", "pid", "pidfile", "remote", "ready", "insecure", "stop_grace"});
  const Map::Entry* process_key = nullptr;
  for (const auto& e : m.entries()) {
    if (e.key != "spawn" && e.key != "pid" && e.key != "pidfile" && e.key != "remote") continue;
    if (process_key) {
      d.fail(e.key_node, "'" + e.key + "' and '" + process_key->key +
                             "' are exclusive: a target is spawned, attached by pid or by pidfile, or remote");
    }
    process_key = &e;
  }
  bool reference = true;
  if (process_key && process_key->key == "spawn") {
    auto p = parse_spawn(nonempty(d, process_key->value, "spawn"));
    if (!p) d.fail(process_key->value, "spawn: " + p.error().what());
    t.process = std::move(*p);
    reference = std::holds_alternative<SpawnReference>(t.process);
  } else if (process_key && process_key->key == "pid") {
    t.process = AttachPid{static_cast<std::int64_t>(whole(d, process_key->value, "pid"))};
    reference = false;
  } else if (process_key && process_key->key == "remote") {
    if (!boolean(d, process_key->value, "remote")) {
      d.fail(process_key->value, "remote: only 'true' is meaningful (leave the key out for a local target)");
    }
    t.process = Remote{};
    reference = false;
  } else if (process_key) {
    t.process = AttachPidfile{resolve_path(base_dir, nonempty(d, process_key->value, "pidfile"))};
    reference = false;
  }
  if (const auto* v = m.find("url")) {
    t.url = nonempty(d, *v, "url");
  } else if (!reference) {
    d.fail(*node, "missing required key 'url' in target (only the reference server's url has a default)");
  }
  if (const auto* v = m.find("ready")) {
    Map r(d, *v, "target.ready", "target.ready", {"url", "timeout"});
    if (const auto* u = r.find("url")) t.ready_url = nonempty(d, *u, "ready.url");
    if (const auto* to = r.find("timeout")) t.ready_timeout = duration(d, *to, "ready.timeout");
  }
  t.insecure = reference;
  if (const auto* v = m.find("insecure")) t.insecure = boolean(d, *v, "insecure");
  if (const auto* v = m.find("stop_grace")) t.stop_grace = duration(d, *v, "stop_grace");
  return t;
}

std::vector<Phase> decode_phases(Decoder& d, const YAML::Node& node) {
  std::vector<Phase> phases;
  Map m(d, node, "phases", "phases", {});
  const std::vector<std::string> fixed{kWarmup, kSteady, kCooldown};
  for (const auto& e : m.entries()) {
    Phase p;
    p.name = e.key;
    p.pos = d.pos(e.key_node);
    bool valid = !e.key.empty() && std::islower(static_cast<unsigned char>(e.key[0]));
    for (char c : e.key) valid = valid && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    if (!valid) d.fail(e.key_node, "phase name '" + e.key + "' must be lowercase letters, digits and '_'");
    bool is_fixed = std::find(fixed.begin(), fixed.end(), e.key) != fixed.end();
    const std::string path = "phases." + e.key;
    d.positions[path] = p.pos;
    if (is_fixed) p.load = e.key != kCooldown;
    if (e.value.IsScalar()) {
      if (!is_fixed) {
        if (auto near = closest_match(e.key, fixed)) {
          d.fail(e.key_node, "unknown phase '" + e.key + "'; did you mean '" + *near + "'?");
        }
        d.fail(e.value, "phase '" + e.key + "': an extra phase needs {duration: ..., load: true|false}");
      }
      p.duration = duration(d, e.value, e.key);
      d.record(path + ".duration", e.value);
    } else {
      Map pm(d, e.value, path, "phase '" + e.key + "'", {"duration", "load"});
      const YAML::Node& dur = pm.require("duration");
      p.duration = duration(d, dur, e.key + ".duration");
      if (const auto* l = pm.find("load")) {
        if (is_fixed) {
          d.fail(pm.entry("load")->key_node, "the load of phase '" + e.key + "' is fixed (" +
                                                 (p.load ? "true" : "false") + "); remove 'load'");
        }
        p.load = boolean(d, *l, e.key + ".load");
      } else if (!is_fixed) {
        d.fail(e.value, "missing required key 'load' in phase '" + e.key + "' (true or false)");
      }
    }
    phases.push_back(std::move(p));
  }
  return phases;
}

Sample decode_sample(Decoder& d, const YAML::Node& node) {
  Sample s;
  Map m(d, node, "sample", "sample", {"interval", "pss_interval", "metrics_url", "gauges"});
  if (const auto* v = m.find("interval")) s.interval = duration(d, *v, "interval");
  if (const auto* v = m.find("pss_interval")) s.pss_interval = duration(d, *v, "pss_interval");
  if (const auto* v = m.find("metrics_url")) s.metrics_url = nonempty(d, *v, "metrics_url");
  if (const auto* v = m.find("gauges")) s.gauges = string_list(d, *v, "gauges", false);
  return s;
}

std::vector<Threshold> decode_thresholds(Decoder& d, const YAML::Node& node, const std::vector<std::string>& names) {
  if (!node.IsSequence()) d.fail(node, "thresholds: expected a list such as [\"errors == 0\", \"latency.p99 < 250ms\"], got " + describe(node));
  std::vector<Threshold> out;
  std::size_t i = 0;
  for (const auto& item : node) {
    std::string text = str(d, item, "thresholds");
    auto t = parse_threshold(text, names);
    if (!t) d.fail(item, t.error().what());
    t->pos = d.pos(item);
    d.record("thresholds." + std::to_string(i++), item);
    out.push_back(std::move(*t));
  }
  return out;
}

Regression decode_regression(Decoder& d, const YAML::Node* node, const std::vector<std::string>& names) {
  Regression reg;
  bool builtin = true;
  std::vector<RegressionRule> own;
  if (node) {
    Map m(d, *node, "regression", "regression", {"builtin", "rules"});
    if (const auto* v = m.find("builtin")) builtin = boolean(d, *v, "builtin");
    if (const auto* v = m.find("rules")) {
      Map rules(d, *v, "regression.rules", "regression.rules", {});
      const auto defaults = default_regression_rules();
      for (const auto& e : rules.entries()) {
        if (auto ok = check_metric_name(e.key, names); !ok) d.fail(e.key_node, ok.error().what());
        RegressionRule r;
        r.metric = e.key;
        r.leak = e.key.size() > 6 && e.key.compare(e.key.size() - 6, 6, ".slope") == 0;
        for (const auto& def : defaults) {
          if (def.metric == e.key) r = def;
        }
        r.pos = d.pos(e.key_node);
        const std::string path = "regression.rules." + e.key;
        d.positions[path] = r.pos;
        Map rm(d, e.value, path, "rule '" + e.key + "'", {"direction", "tolerance", "floor", "leak", "gate"});
        if (const auto* x = rm.find("direction")) {
          r.direction = choice<Direction>(d, *x, "direction", {{"lower", Direction::kLowerIsBetter}, {"higher", Direction::kHigherIsBetter}});
        }
        if (const auto* x = rm.find("tolerance")) r.tolerance = fraction(d, *x, "tolerance");
        if (const auto* x = rm.find("floor")) {
          auto q = parse_quantity(str(d, *x, "floor"));
          if (!q) d.fail(*x, "floor: " + q.error().what());
          r.floor = *q;
        }
        if (const auto* x = rm.find("leak")) r.leak = boolean(d, *x, "leak");
        if (const auto* x = rm.find("gate")) {
          r.gate = choice<Gate>(d, *x, "gate", {{"fail", Gate::kFail}, {"warn", Gate::kWarn}});
        }
        own.push_back(std::move(r));
      }
    }
  }
  if (builtin) reg.rules = default_regression_rules();
  for (auto& r : own) {
    auto it = std::find_if(reg.rules.begin(), reg.rules.end(), [&](const RegressionRule& x) { return x.metric == r.metric; });
    if (it != reg.rules.end()) *it = std::move(r);
    else reg.rules.push_back(std::move(r));
  }
  return reg;
}

Attribution decode_attribution(Decoder& d, const YAML::Node& node) {
  Attribution a;
  a.pos = d.pos(node);
  d.record("attribution", node);
  if (node.IsScalar()) {
    a.enabled = boolean(d, node, "attribution");
    return a;
  }
  Map m(d, node, "attribution", "attribution", {"slot"});
  a.enabled = true;
  if (const auto* v = m.find("slot")) a.slot = duration(d, *v, "attribution.slot");
  return a;
}

ScenarioDoc decode_scenario(Decoder& d, const YAML::Node& root, const std::string& base_dir, const std::string& default_name) {
  ScenarioDoc doc;
  Scenario& s = doc.scenario;
  Map m(d, root, "", "scenario",
        {"name", "description", "target", "phases", "sample", "workloads", "thresholds", "regression", "attribution"});
  s.name = default_name;
  if (const auto* v = m.find("name")) s.name = nonempty(d, *v, "name");
  if (const auto* v = m.find("description")) s.description = str(d, *v, "description");
  s.target = decode_target(d, m.find("target"), base_dir);
  s.phases = decode_phases(d, m.require("phases"));
  if (const auto* v = m.find("sample")) s.sample = decode_sample(d, *v);
  s.workloads = decode_workloads(d, m.require("workloads"));
  std::vector<std::string> names;
  for (const auto& w : s.workloads) names.push_back(w.name);
  if (const auto* v = m.find("thresholds")) s.thresholds = decode_thresholds(d, *v, names);
  s.regression = decode_regression(d, m.find("regression"), names);
  if (const auto* v = m.find("attribution")) s.attribution = decode_attribution(d, *v);
  doc.positions = std::move(d.positions);
  return doc;
}

SuiteDoc decode_suite(Decoder& d, const YAML::Node& root, const std::string& base_dir) {
  SuiteDoc doc;
  Suite& s = doc.suite;
  Map m(d, root, "", "suite", {"suite", "description", "budget", "scenarios"});
  s.name = nonempty(d, m.require("suite"), "suite");
  if (const auto* v = m.find("description")) s.description = str(d, *v, "description");
  if (const auto* v = m.find("budget")) {
    s.budget = duration(d, *v, "budget");
    if (s.budget->count() == 0) d.fail(*v, "budget: must be greater than 0");
  }
  const YAML::Node& list = m.require("scenarios");
  if (!list.IsSequence()) d.fail(list, "scenarios: expected a list of scenario files, got " + describe(list));
  if (list.size() == 0) d.fail(list, "scenarios: the list is empty");
  std::size_t i = 0;
  for (const auto& item : list) {
    SuiteEntry e;
    e.pos = d.pos(item);
    const std::string path = "scenarios." + std::to_string(i++);
    d.positions[path] = e.pos;
    if (item.IsScalar()) {
      e.file = nonempty(d, item, "scenarios");
    } else {
      Map em(d, item, path, "suite entry", {"file", "phases"});
      e.file = nonempty(d, em.require("file"), "file");
      if (const auto* ph = em.find("phases")) {
        Map pm(d, *ph, path + ".phases", "phases", {});
        for (const auto& pe : pm.entries()) {
          e.phase_overrides[pe.key] = duration(d, pe.value, pe.key);
          d.positions[path + ".phases." + pe.key] = d.pos(pe.key_node);
          d.record(path + ".phases." + pe.key + ".duration", pe.value);
        }
      }
    }
    e.path = resolve_path(base_dir, e.file);
    s.entries.push_back(std::move(e));
  }
  doc.positions = std::move(d.positions);
  return doc;
}

}  // namespace

Result<std::variant<ScenarioDoc, SuiteDoc>> decode(const SubstitutedText& text, const std::string& file,
                                                   const std::string& base_dir, const std::string& default_name) {
  Decoder d(text, file);
  try {
    YAML::Node root = load_single_document(d, text.text());
    if (root.IsNull() || !root.IsDefined()) return Error("the file is empty", file + ":1:1");
    if (!root.IsMap()) d.fail(root, std::string("expected a mapping at the top (a scenario or a suite), got ") + describe(root));
    if (root["suite"].IsDefined()) return std::variant<ScenarioDoc, SuiteDoc>(decode_suite(d, root, base_dir));
    return std::variant<ScenarioDoc, SuiteDoc>(decode_scenario(d, root, base_dir, default_name));
  } catch (const DecodeFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    SourcePos p = e.mark.is_null() ? SourcePos{file, 1, 1} : d.pos(e.mark);
    return Error(e.msg, p.str());
  }
}

}  // namespace h2soak::scenario::detail
