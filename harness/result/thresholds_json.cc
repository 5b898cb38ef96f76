// The scenario's gates in "h2soak.result/v1" (docs/result-schema.md,
// `thresholds` and `parsed_thresholds`).
#include "harness/result/thresholds_json_internal.h"

#include <cmath>
#include <string>

#include "harness/result/result_json.h"

namespace h2soak::result {

using nlohmann::json;

namespace detail {
namespace {

json gate_to_json(const scenario::Threshold& t) {
  return json{{"text", t.text},
              {"metric", t.metric},
              {"op", scenario::to_string(t.op)},
              {"value", t.value.value},
              {"unit", scenario::to_string(t.value.unit)}};
}

scenario::Threshold gate_from(const Node& n) {
  scenario::Threshold t;
  t.text = n.at("text").str();
  t.metric = n.at("metric").str();
  if (t.metric.empty()) n.at("metric").fail("must not be empty");
  const Node op = n.at("op");
  auto parsed_op = scenario::compare_op_named(op.str());
  if (!parsed_op) op.fail("expected one of < <= > >= == !=, got \"" + op.str() + "\"");
  t.op = *parsed_op;
  t.value.value = n.at("value").number();
  const Node unit = n.at("unit");
  auto parsed_unit = scenario::unit_named(unit.str());
  if (!parsed_unit) unit.fail("expected number, duration, size, size/s, rate or percent, got \"" + unit.str() + "\"");
  t.value.unit = *parsed_unit;
  return t;
}

// The form written before `parsed_thresholds`: the gate's text only.
scenario::Threshold gate_from_text(const Node& n) {
  auto t = scenario::parse_result_threshold(n.str());
  if (!t) n.fail(t.error().what());
  return *t;
}

}  // namespace

void write_thresholds(const std::vector<scenario::Threshold>& gates, json& document) {
  json texts = json::array(), parsed = json::array();
  for (const auto& t : gates) {
    texts.push_back(t.text);
    parsed.push_back(gate_to_json(t));
  }
  document["thresholds"] = std::move(texts);
  document["parsed_thresholds"] = std::move(parsed);
}

std::vector<scenario::Threshold> thresholds_from(const Node& document) {
  std::vector<scenario::Threshold> gates;
  if (auto parsed = document.find("parsed_thresholds")) {
    for (std::size_t i = 0, e = parsed->array_size(); i < e; ++i) gates.push_back(gate_from(parsed->element(i)));
  } else if (auto texts = document.find("thresholds")) {
    for (std::size_t i = 0, e = texts->array_size(); i < e; ++i) gates.push_back(gate_from_text(texts->element(i)));
  }
  return gates;
}

}  // namespace detail

Result<std::vector<scenario::Threshold>> thresholds_from_json(const json& document, const std::string& source) {
  try {
    return detail::thresholds_from(detail::Node(document, ""));
  } catch (const detail::DecodeError& e) {
    return Error((e.path.empty() ? "/" : e.path) + ": " + e.message, source);
  }
}

}  // namespace h2soak::result
