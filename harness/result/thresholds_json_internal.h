#pragma once
// Internal to harness/result: the scenario's gates in a result document,
// shared by result_json.cc (the full codec) and the public
// thresholds_from_json() (result_json.h). Decoders throw detail::DecodeError.

#include <vector>

#include <nlohmann/json.hpp>

#include "harness/result/json_node.h"
#include "harness/scenario/threshold.h"

namespace h2soak::result::detail {

// Sets `document["thresholds"]` (the texts) and `document["parsed_thresholds"]`
// (the typed gates).
void write_thresholds(const std::vector<scenario::Threshold>& gates, nlohmann::json& document);

// The gates of `document` (the result's root): `parsed_thresholds` when
// present, else the texts of `thresholds` parsed with
// scenario::parse_result_threshold (results written before the typed form);
// none when neither is there.
std::vector<scenario::Threshold> thresholds_from(const Node& document);

}  // namespace h2soak::result::detail
