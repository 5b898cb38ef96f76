#include "harness/sampler/proc_parse.h"

#include <charconv>
#include <optional>
#include <vector>

#include "harness/util/text.h"

namespace h2soak::sampler {
namespace {

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "   1828 kB" -> bytes. The kernel writes "kB" meaning KiB.
std::optional<std::uint64_t> kb_value(std::string_view v) {
  v = trim(v);
  std::uint64_t mult = 1;
  if (v.size() >= 2 && v.substr(v.size() - 2) == "kB") {
    mult = 1024;
    v = trim(v.substr(0, v.size() - 2));
  }
  auto n = to_u64(v);
  if (!n) return std::nullopt;
  return *n * mult;
}

// Calls fn(key, value) for each "Key:\tvalue" line.
template <typename Fn>
void for_each_field(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fn(line.substr(0, colon), line.substr(colon + 1));
  }
}

}  // namespace

Result<StatusFields> parse_status(std::string_view text) {
  StatusFields f;
  bool saw_threads = false;
  bool bad = false;
  std::string bad_key;
  for_each_field(text, [&](std::string_view key, std::string_view value) {
    auto set_kb = [&](std::uint64_t& out) {
      auto v = kb_value(value);
      if (!v) { bad = true; bad_key = std::string(key); return; }
      out = *v;
    };
    if (key == "VmRSS") { set_kb(f.rss); f.has_memory = true; }
    else if (key == "VmHWM") set_kb(f.hwm);
    else if (key == "RssAnon") set_kb(f.rss_anon);
    else if (key == "Threads") {
      auto v = to_u64(trim(value));
      if (!v) { bad = true; bad_key = "Threads"; return; }
      f.threads = *v;
      saw_threads = true;
    } else if (key == "State") {
      auto v = trim(value);
      if (!v.empty()) f.state = v.front();
    }
  });
  if (bad) return Error("unexpected value for " + bad_key, "/proc/PID/status");
  if (!saw_threads) return Error("no Threads: line", "/proc/PID/status");
  return f;
}

Result<StatFields> parse_stat(std::string_view text, long ticks_per_second) {
  if (ticks_per_second <= 0) return Error("ticks per second must be positive", "/proc/PID/stat");
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return Error("no (comm) field", "/proc/PID/stat");
  StatFields f;
  auto pid = to_u64(trim(text.substr(0, open)));
  if (!pid) return Error("bad pid field", "/proc/PID/stat");
  f.pid = static_cast<int>(*pid);
  f.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after comm, numbered as in proc(5): 3 state, 14 utime, 15 stime, 20 num_threads.
  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    auto b = rest.find_first_not_of(" \n");
    if (b == std::string_view::npos) break;
    rest.remove_prefix(b);
    auto e = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, e));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e);
  }
  // fields[0] is field 3.
  constexpr std::size_t kState = 3 - 3, kUtime = 14 - 3, kStime = 15 - 3, kThreads = 20 - 3;
  if (fields.size() <= kThreads) return Error("too few fields", "/proc/PID/stat");
  f.state = fields[kState].empty() ? '?' : fields[kState].front();
  auto ut = to_u64(fields[kUtime]);
  auto st = to_u64(fields[kStime]);
  auto th = to_u64(fields[kThreads]);
  if (!ut || !st || !th) return Error("bad utime/stime/num_threads field", "/proc/PID/stat");
  f.utime_ticks = *ut;
  f.stime_ticks = *st;
  f.utime = static_cast<double>(*ut) / static_cast<double>(ticks_per_second);
  f.stime = static_cast<double>(*st) / static_cast<double>(ticks_per_second);
  f.num_threads = *th;
  return f;
}

Result<std::uint64_t> parse_smaps_rollup_pss(std::string_view text) {
  std::optional<std::uint64_t> pss;
  bool bad = false;
  for_each_field(text, [&](std::string_view key, std::string_view value) {
    if (key != "Pss" || pss) return;
    pss = kb_value(value);
    if (!pss) bad = true;
  });
  if (bad || !pss) return Error("no Pss: line", "/proc/PID/smaps_rollup");
  return *pss;
}

}  // namespace h2soak::sampler
