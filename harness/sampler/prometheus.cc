#include "harness/sampler/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace h2soak::sampler {
namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

void skip_blanks(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

std::optional<std::string> take_name(std::string_view& s, bool allow_colon) {
  if (s.empty() || !is_name_start(s.front()) || (!allow_colon && s.front() == ':')) return std::nullopt;
  std::size_t i = 1;
  while (i < s.size() && is_name_char(s[i]) && (allow_colon || s[i] != ':')) ++i;
  std::string name(s.substr(0, i));
  s.remove_prefix(i);
  return name;
}

// Parses `{a="x",b="y"}` (the opening brace is at s.front()). Trailing commas
// are accepted, as the format allows.
std::optional<std::string> take_labels(std::string_view& s, Labels& out) {
  s.remove_prefix(1);  // '{'
  for (;;) {
    skip_blanks(s);
    if (s.empty()) return "unterminated label set";
    if (s.front() == '}') { s.remove_prefix(1); return std::nullopt; }
    auto key = take_name(s, false);
    if (!key) return "bad label name";
    skip_blanks(s);
    if (s.empty() || s.front() != '=') return "expected '=' after label " + *key;
    s.remove_prefix(1);
    skip_blanks(s);
    if (s.empty() || s.front() != '"') return "expected '\"' for label " + *key;
    s.remove_prefix(1);
    std::string value;
    bool closed = false;
    while (!s.empty()) {
      char c = s.front();
      s.remove_prefix(1);
      if (c == '"') { closed = true; break; }
      if (c == '\\' && !s.empty()) {
        char e = s.front();
        s.remove_prefix(1);
        value.push_back(e == 'n' ? '\n' : e);
        continue;
      }
      value.push_back(c);
    }
    if (!closed) return "unterminated value for label " + *key;
    out.emplace_back(std::move(*key), std::move(value));
    skip_blanks(s);
    if (!s.empty() && s.front() == ',') s.remove_prefix(1);
  }
}

std::optional<double> parse_value(std::string_view v) {
  if (v.empty()) return std::nullopt;
  bool neg = false;
  if (v.front() == '+' || v.front() == '-') {
    neg = v.front() == '-';
    v.remove_prefix(1);
  }
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (p != v.data() + v.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    d = std::numeric_limits<double>::infinity();  // e.g. 1e400; tiny values underflow to ~0 anyway
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return neg ? -d : d;
}

}  // namespace

Result<std::vector<PromSample>> parse_prometheus(std::string_view text) {
  std::vector<PromSample> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    skip_blanks(line);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& why) {
      return Error(why, "metrics line " + std::to_string(line_no));
    };
    PromSample s;
    auto name = take_name(line, true);
    if (!name) return fail("bad metric name");
    s.name = std::move(*name);
    skip_blanks(line);
    if (!line.empty() && line.front() == '{') {
      if (auto err = take_labels(line, s.labels)) return fail(*err);
      skip_blanks(line);
    }
    // Drop an OpenMetrics exemplar.
    if (auto hash = line.find(" # "); hash != std::string_view::npos) line = line.substr(0, hash);
    auto end = line.find_first_of(" \t");
    std::string_view value = line.substr(0, end);
    auto v = parse_value(value);
    if (!v) return fail("bad value '" + std::string(value) + "'");
    s.value = *v;
    if (end != std::string_view::npos) {
      std::string_view ts = line.substr(end);
      skip_blanks(ts);
      while (!ts.empty() && (ts.back() == ' ' || ts.back() == '\t')) ts.remove_suffix(1);
      if (!ts.empty() && !parse_value(ts)) return fail("bad timestamp '" + std::string(ts) + "'");
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<PromSelector> parse_selector(std::string_view text) {
  PromSelector sel;
  sel.text = std::string(text);
  std::string_view s = text;
  skip_blanks(s);
  auto name = take_name(s, true);
  if (!name) return Error("a gauge selector starts with a metric name: '" + sel.text + "'");
  sel.name = std::move(*name);
  skip_blanks(s);
  if (!s.empty() && s.front() == '{') {
    if (auto err = take_labels(s, sel.labels)) return Error(*err + " in gauge selector '" + sel.text + "'");
    skip_blanks(s);
  }
  if (!s.empty()) return Error("unexpected text after gauge selector '" + sel.text + "'");
  return sel;
}

std::optional<double> select(const std::vector<PromSample>& samples, const PromSelector& selector) {
  std::optional<double> sum;
  for (const auto& s : samples) {
    if (s.name != selector.name) continue;
    bool all = std::all_of(selector.labels.begin(), selector.labels.end(), [&](const auto& want) {
      return std::find(s.labels.begin(), s.labels.end(), want) != s.labels.end();
    });
    if (!all) continue;
    sum = sum.value_or(0.0) + s.value;
  }
  return sum;
}

}  // namespace h2soak::sampler
