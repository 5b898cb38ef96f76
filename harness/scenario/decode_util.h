#pragma once
// Internal to harness/scenario: the pieces the YAML decoder is built from —
// the position-aware Decoder, a key-checked Map, and typed scalar readers.
// They stop at the first problem by throwing DecodeFailure, which decode()
// (decode.cc, the parse boundary) turns into an Error value; nothing here is
// called from outside decode*.cc.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/decode.h"
#include "harness/scenario/loader.h"

namespace h2soak::scenario::detail {

struct DecodeFailure {
  Error error;
};

// "a mapping", "a list", "a scalar", "nothing".
std::string describe(const YAML::Node& n);
std::string join(const std::vector<std::string>& v);
// `path` as written if absolute, else relative to base_dir.
std::string resolve_path(const std::string& base_dir, const std::string& path);

class Decoder {
 public:
  Decoder(const SubstitutedText& text, std::string file) : text_(text), file_(std::move(file)) {}

  SourcePos pos(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_, 0, 0};
    auto [line, col] = text_.to_original(m.line, m.column);
    return {file_, line, col};
  }
  SourcePos pos(const YAML::Mark& m) const {
    auto [line, col] = text_.to_original(m.line, m.column);
    return {file_, line, col};
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const { fail_at(pos(n), msg); }
  [[noreturn]] void fail_at(const SourcePos& p, const std::string& msg) const {
    throw DecodeFailure{Error(msg, p.line > 0 ? p.str() : file_)};
  }
  void record(const std::string& path, const YAML::Node& n) { positions[path] = pos(n); }

  const std::string& file() const { return file_; }
  PositionTable positions;

 private:
  const SubstitutedText& text_;
  std::string file_;
};

// A mapping whose keys are checked once, up front: every key a scalar, no
// duplicates, and (unless `allowed` is empty) only the allowed keys, with a
// "did you mean" for a near miss.
class Map {
 public:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  Map(Decoder& d, const YAML::Node& node, std::string path, const std::string& what,
      const std::vector<std::string>& allowed)
      : d_(d), node_(node), path_(std::move(path)), what_(what) {
    if (!node.IsMap()) d.fail(node, what + ": expected a mapping, got " + describe(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) d.fail(it->first, what + ": keys must be plain names");
      std::string key = it->first.Scalar();
      for (const auto& e : entries_) {
        if (e.key == key) {
          d.fail(it->first, "duplicate key '" + key + "' (first at line " + std::to_string(d.pos(e.key_node).line) + ")");
        }
      }
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        if (auto m = closest_match(key, allowed)) {
          d.fail(it->first, "unknown key '" + key + "'; did you mean '" + *m + "'?");
        }
        d.fail(it->first, "unknown key '" + key + "' in " + what + " (valid keys: " + join(allowed) + ")");
      }
      // No key takes an empty value; an empty value's position is the next
      // line, so point at the key.
      if (it->second.IsNull()) d.fail(it->first, key + ": expected a value, got nothing");
      entries_.push_back({key, it->first, it->second});
      d.record(child_path(key), it->second);
    }
  }

  const YAML::Node* find(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }
  const Entry* entry(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
  const YAML::Node& require(const std::string& key) const {
    const YAML::Node* v = find(key);
    if (!v) d_.fail(node_, "missing required key '" + key + "' in " + what_);
    return *v;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  const YAML::Node& node() const { return node_; }
  std::string child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  Decoder& d_;
  YAML::Node node_;
  std::string path_;
  std::string what_;
  std::vector<Entry> entries_;
};


// ---- typed scalars: `key` prefixes every message ("think: ...") --------------

std::string str(Decoder& d, const YAML::Node& n, const std::string& key);
std::string nonempty(Decoder& d, const YAML::Node& n, const std::string& key);
bool boolean(Decoder& d, const YAML::Node& n, const std::string& key);
std::uint64_t whole(Decoder& d, const YAML::Node& n, const std::string& key);
std::uint32_t count(Decoder& d, const YAML::Node& n, const std::string& key);  // <= 10,000,000
Nanos duration(Decoder& d, const YAML::Node& n, const std::string& key);
DurationRange duration_range(Decoder& d, const YAML::Node& n, const std::string& key);
std::uint64_t size(Decoder& d, const YAML::Node& n, const std::string& key);
SizeRange size_range(Decoder& d, const YAML::Node& n, const std::string& key);
double rate(Decoder& d, const YAML::Node& n, const std::string& key);
double fraction(Decoder& d, const YAML::Node& n, const std::string& key);  // 0.25 or "25%"
std::vector<std::string> string_list(Decoder& d, const YAML::Node& n, const std::string& key, bool allow_scalar);

// One of `options` by name, with a "did you mean" for a near miss.
template <typename Enum>
Enum choice(Decoder& d, const YAML::Node& n, const std::string& key,
            const std::vector<std::pair<std::string, Enum>>& options) {
  std::vector<std::string> names;
  for (const auto& [name, value] : options) names.push_back(name);
  std::string s = n.IsScalar() ? n.Scalar() : "";
  for (const auto& [name, value] : options) {
    if (s == name) return value;
  }
  if (!n.IsScalar()) d.fail(n, key + ": expected one of " + join(names) + ", got " + describe(n));
  if (auto m = closest_match(s, names)) d.fail(n, key + ": unknown value '" + s + "'; did you mean '" + *m + "'?");
  d.fail(n, key + ": unknown value '" + s + "' (expected one of " + join(names) + ")");
}

// The `workloads:` list (decode_workloads.cc).
std::vector<Workload> decode_workloads(Decoder& d, const YAML::Node& node);

}  // namespace h2soak::scenario::detail
