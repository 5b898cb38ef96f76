// Typed scalar readers and small helpers of the YAML decoder.
#include "harness/scenario/decode_util.h"

#include <charconv>
#include <filesystem>

#include "harness/util/units.h"

namespace h2soak::scenario::detail {

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "?";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

// ---- scalars -------------------------------------------------------------

std::string str(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a string, got " + describe(n));
  return n.Scalar();
}

std::string nonempty(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::string s = str(d, n, key);
  if (s.empty()) d.fail(n, key + ": must not be empty");
  return s;
}

bool boolean(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  d.fail(n, key + ": expected true or false, got " + (n.IsScalar() ? "'" + s + "'" : describe(n)));
}

namespace {

void not_negative(Decoder& d, const YAML::Node& n, const std::string& key, const std::string& s) {
  std::string_view t(s);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (!t.empty() && t.front() == '-') d.fail(n, key + ": must not be negative, got " + s);
}

}  // namespace

std::uint64_t whole(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a whole number, got " + describe(n));
  const std::string& s = n.Scalar();
  not_negative(d, n, key, s);
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    d.fail(n, key + ": expected a whole number, got '" + s + "'");
  }
  return v;
}

std::uint32_t count(Decoder& d, const YAML::Node& n, const std::string& key) {
  std::uint64_t v = whole(d, n, key);
  if (v > 10'000'000) d.fail(n, key + ": " + std::to_string(v) + " is too large (at most 10000000)");
  return static_cast<std::uint32_t>(v);
}

Nanos duration(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a duration such as \"30s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_duration(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

DurationRange duration_range(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a duration or a range such as \"500ms..2s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_duration_range(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

std::uint64_t size(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a size such as \"64KiB\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_size(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

SizeRange size_range(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a size or a range such as \"64KiB..4MiB\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_size_range(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

double rate(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a rate such as \"200/s\", got " + describe(n));
  not_negative(d, n, key, n.Scalar());
  auto r = units::parse_rate(n.Scalar());
  if (!r) d.fail(n, key + ": " + r.error().what());
  return *r;
}

// 0.25 or "25%".
double fraction(Decoder& d, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) d.fail(n, key + ": expected a fraction such as 0.25 or \"25%\", got " + describe(n));
  auto q = parse_quantity(n.Scalar());
  if (!q || (q->unit != Unit::kNumber && q->unit != Unit::kPercent)) {
    d.fail(n, key + ": expected a fraction such as 0.25 or \"25%\", got '" + n.Scalar() + "'");
  }
  return q->value;
}

std::vector<std::string> string_list(Decoder& d, const YAML::Node& n, const std::string& key, bool allow_scalar) {
  std::vector<std::string> out;
  if (allow_scalar && n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) d.fail(n, key + ": expected a list, got " + describe(n));
  for (const auto& item : n) out.push_back(nonempty(d, item, key));
  return out;
}

}  // namespace h2soak::scenario::detail
