#include "harness/sinks/json_sink.h"

#include "harness/sinks/cells.h"

namespace h2soak::sinks {

using nlohmann::json;

namespace {

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json verdict_to_json(const compare::Verdict& v) {
  json metrics = json::array();
  for (const auto& m : v.metrics) {
    metrics.push_back({
        {"scenario", m.scenario},
        {"metric", m.metric},
        {"unit", m.unit},
        {"status", compare::status_name(m.status)},
        {"method", compare::method_name(m.method)},
        {"baseline", opt(m.baseline)},
        {"current", opt(m.current)},
        {"change", opt(m.change_abs)},
        {"change_pct", opt(m.change_pct)},
        {"limit", opt(m.limit)},
        {"limit_anchor", opt(m.anchor)},
        {"limit_allowance", opt(m.allowance)},
        {"limit_origin", compare::origin_name(m.limit_origin)},
        {"current_ci", m.current_ci ? json::array({m.current_ci->lo, m.current_ci->hi}) : json(nullptr)},
        {"p_value", opt(m.p_value)},
        {"baseline_runs", m.baseline_runs},
        {"current_runs", m.current_runs},
        {"reason", m.reason},
        {"explanation", m.explanation},
        {"rule",
         {{"direction", compare::direction_name(m.rule.direction)},
          {"kind", compare::kind_name(m.rule.kind)},
          {"relative_tolerance", m.rule.relative_tolerance},
          {"absolute_floor", m.rule.absolute_floor},
          {"alpha", m.rule.alpha},
          {"gate", compare::gate_name(m.rule.gate)}}},
    });
  }
  json thresholds = json::array();
  for (const auto& t : v.thresholds) {
    thresholds.push_back({{"scenario", t.scenario},
                          {"expression", t.expression},
                          {"metric", t.metric},
                          {"unit", t.unit},
                          {"observed", opt(t.observed)},
                          {"limit", opt(t.limit)},
                          {"passed", t.passed},
                          {"detail", t.detail}});
  }
  return {
      {"schema", kVerdictSchema},
      {"passed", !v.failed()},
      {"summary", summary_line(v)},
      {"baseline",
       {{"source", v.baseline_source},
        {"created_at", v.baseline_created_at},
        {"machine",
         {{"hostname", v.baseline_machine.hostname},
          {"cpu_model", v.baseline_machine.cpu_model},
          {"cores", v.baseline_machine.cores},
          {"kernel", v.baseline_machine.kernel}}}}},
      {"results", v.result_sources},
      {"metrics", std::move(metrics)},
      {"thresholds", std::move(thresholds)},
      {"notes", v.notes},
  };
}

std::string render_json(const compare::Verdict& v) {
  return verdict_to_json(v).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace h2soak::sinks
