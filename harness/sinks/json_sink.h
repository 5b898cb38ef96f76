#pragma once
// The verdict as JSON (schema "h2soak.verdict/v1"), for scripts, the report
// pages in reports/ and the Python module:
//   { "schema", "passed": bool, "summary": "PASS: ...",
//     "baseline": {"source", "created_at", "machine": {...}}, "results": [files],
//     "metrics": [{ "scenario", "metric", "unit", "status", "method",
//                   "baseline", "current", "change", "change_pct", "limit",
//                   "current_ci": [lo, hi] | null, "p_value" | null,
//                   "baseline_runs", "current_runs", "reason",
//                   "rule": {"direction", "kind", "relative_tolerance", "absolute_floor", "alpha"} }],
//     "thresholds": [{ "scenario", "expression", "metric", "unit", "observed", "limit", "passed", "detail" }],
//     "notes": [...] }
// Absent numbers are null.

#include <string>

#include <nlohmann/json.hpp>

#include "harness/sinks/sink.h"

namespace h2soak::sinks {

inline constexpr const char* kVerdictSchema = "h2soak.verdict/v1";

nlohmann::json verdict_to_json(const compare::Verdict& verdict);
std::string render_json(const compare::Verdict& verdict);

class JsonSink final : public Sink {
 public:
  explicit JsonSink(Output out) : out_(std::move(out)) {}
  const char* name() const override { return "json"; }
  Status write(const compare::Verdict& verdict) override { return out_.put(render_json(verdict)); }

 private:
  Output out_;
};

}  // namespace h2soak::sinks
