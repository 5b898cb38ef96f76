#include "harness/run/summary.h"

#include <cmath>

#include <fmt/format.h>

#include "harness/compare/format.h"
#include "harness/run/attribution_metrics.h"

namespace h2soak::run {
namespace {

using MetricMap = std::map<std::string, result::AnalysisMetric>;

const result::AnalysisMetric* find(const MetricMap& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() || !std::isfinite(it->second.value) ? nullptr : &it->second;
}

std::string value(const MetricMap& m, const std::string& name, const char* missing = "-") {
  const auto* x = find(m, name);
  return x == nullptr ? missing : compare::format_value(x->value, x->unit);
}

std::string signed_value(const MetricMap& m, const std::string& name) {
  const auto* x = find(m, name);
  if (x == nullptr) return "-";
  std::string s = compare::format_value(x->value, x->unit);
  return x->value >= 0 && s.front() != '+' ? "+" + s : s;
}

std::string with_ci(const MetricMap& m, const std::string& name) {
  const auto* x = find(m, name);
  if (x == nullptr) return "-";
  std::string s = compare::format_value(x->value, x->unit);
  if (x->ci_low && x->ci_high) {
    s += " [" + compare::format_value(*x->ci_low, x->unit) + ", " + compare::format_value(*x->ci_high, x->unit) + "]";
  }
  return s;
}

std::string count(const MetricMap& m, const std::string& name) {
  const auto* x = find(m, name);
  return x == nullptr ? "-" : fmt::format("{:.0f}", x->value);
}

// The attribution rows whose interval excludes 0, one line each, and how
// many contain 0; "" when the run was no attribution run.
std::string attribution_block(const MetricMap& a) {
  std::string rows;
  int total = 0, shown = 0;
  for (const auto& [name, m] : a) {
    if (name.rfind(kAttributionPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::string(kAttributionPrefix).size());
    const auto dot = rest.rfind('.');
    const std::string signal = rest.substr(0, dot), who = rest.substr(dot + 1);
    if (who == kAttributionTime || !m.ci_low || !m.ci_high) continue;
    ++total;
    if (*m.ci_low <= 0 && *m.ci_high >= 0) continue;
    ++shown;
    rows += fmt::format("    {:<10} {:<14} {} {}  {}\n", signal, who, compare::format_per_event(m.value, m.unit),
                        compare::format_interval(*m.ci_low, *m.ci_high, m.unit), m.note);
  }
  if (total == 0) return "";
  std::string out = "  attribution (what each workload's events leave behind, 95 % intervals that exclude 0)\n";
  out += shown > 0 ? rows : "    none: every interval contains 0\n";
  if (shown > 0 && shown < total) out += fmt::format("    ({} other intervals contain 0)\n", total - shown);
  return out;
}

// The target's sampled figures (a local target: spawned or attached).
std::string target_block(const result::RunResult& r) {
  const MetricMap& a = r.analysis;
  std::string out = fmt::format("  target pid {} ({}){}\n", r.target.pid, r.target.mode,
                                r.target.exit_code ? fmt::format(", exit code {}", *r.target.exit_code)
                                : r.target.exit_signal ? fmt::format(", ended by signal {}", *r.target.exit_signal)
                                                       : std::string());
  out += "    RSS slope (steady)      " + with_ci(a, "rss.slope") + "\n";
  out += "    retained per 1k req     " + with_ci(a, "rss.retained_per_1k_requests") + "\n";
  out += "    residual after cooldown RSS " + signed_value(a, "rss.residual") + ", threads " +
         signed_value(a, "threads.residual") + ", fds " + signed_value(a, "fds.residual") + "\n";
  out += "    peaks                   RSS " + value(a, "rss.peak") + ", threads " + count(a, "threads.peak") +
         ", fds " + count(a, "fds.peak") + "\n";
  out += "    server CPU per request  " + value(a, "cpu.us_per_request") + "\n";
  for (const auto& [name, m] : a) {
    if (name.rfind("gauge.", 0) != 0 || name.size() < 6 || name.compare(name.size() - 6, 6, ".slope") != 0) continue;
    const std::string g = name.substr(0, name.size() - 6);
    out += "    " + g.substr(6) + ": slope " + with_ci(a, g + ".slope") + ", residual " + signed_value(a, g + ".residual") +
           ", peak " + value(a, g + ".peak") + "\n";
  }
  return out;
}

}  // namespace

std::string render_summary(const result::RunResult& r, const std::string& result_path) {
  const auto& a = r.analysis;
  std::string out;
  out += fmt::format("\n{}  {}", r.metadata.scenario_name, result::to_string(r.status.state));
  if (!r.status.reason.empty()) out += " (" + r.status.reason + ")";
  out += fmt::format(" after {:.1f} s", r.metadata.duration);
  if (!result_path.empty()) out += "  result: " + result_path;
  out += "\n";

  out += fmt::format("  {:<18} {:<18} {:>9} {:>9} {:>7} {:>10} {:>10}\n", "workload", "kind", "requests", "req/s",
                     "errors", "p50", "p99");
  for (const auto& w : r.workloads) {
    const std::string p = w.name + ".";
    const auto* rps = find(a, p + "rps");
    out += fmt::format("  {:<18} {:<18} {:>9} {:>9} {:>7} {:>10} {:>10}\n", w.name, w.kind, count(a, p + "requests"),
                       rps != nullptr ? fmt::format("{:.1f}", rps->value) : "-", count(a, p + "errors"),
                       value(a, p + "latency.p50"), value(a, p + "latency.p99"));
  }
  const auto* rps = find(a, "rps");
  out += fmt::format("  {:<18} {:<18} {:>9} {:>9} {:>7} {:>10} {:>10}\n", "all", "", count(a, "requests"),
                     rps != nullptr ? fmt::format("{:.1f}", rps->value) : "-", count(a, "errors"),
                     value(a, "latency.p50"), value(a, "latency.p99"));

  if (r.target.mode == "remote") {
    out += fmt::format("  target {} (remote): not sampled here; `h2soak sample` beside it and `merge --samples` add "
                       "its RSS, threads, fds and CPU\n",
                       r.target.url);
  } else {
    out += target_block(r);
  }
  out += attribution_block(a);
  if (const auto* busy = find(a, "generator.busy")) {
    out += fmt::format("  generator: busiest worker thread {:.0f} % busy in steady, timer lateness p99 {}, RSS peak {}\n",
                       100 * busy->value, value(a, "generator.loop_lag.p99"), value(a, "generator.rss.peak"));
  }
  if (r.generator) {
    for (const auto& w : r.generator->warnings) out += "  WARNING: " + w + "\n";
  }
  if (r.target.samples && r.target.samples->target_vanished) {
    out += fmt::format("    the target vanished at t = {:.1f} s\n", r.target.samples->vanished_at);
  }
  return out;
}

}  // namespace h2soak::run
