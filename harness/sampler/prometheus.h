#pragma once
// Prometheus text exposition format (version 0.0.4, and the OpenMetrics text
// that most exporters also accept): a pure parser and a selector that picks one
// number out of a scrape. The sampler scrapes a target's /metrics and records
// the value of each selector the scenario names (sample.h: Sample::gauges).
//
// Parsing: "# HELP", "# TYPE", other comments and "# EOF" are skipped; each
// sample line is `name[{label="value",...}] value [timestamp]` (an OpenMetrics
// exemplar after " # " is ignored). Values may be +Inf, -Inf, NaN or use
// exponent notation. Label values unescape \\ \" \n.
//
// Selection rule (the scenario docs should repeat it): a selector is a
// metric name with optional label matchers, `name` or `name{a="x",b="y"}`.
// It matches every series of that name whose labels include all the given
// pairs (equality only), and its value is the SUM over the matching series.
// So a bare name sums across all label sets (e.g. `http_conns` totals the
// per-state series), a fully specified selector picks exactly one series, and
// a name absent from the scrape gives no value (not 0).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/util/result.h"

namespace h2soak::sampler {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct PromSample {
  std::string name;
  Labels labels;  // in the order written
  double value = 0;
};

// Fails on the first malformed sample line, naming its line number.
Result<std::vector<PromSample>> parse_prometheus(std::string_view text);

struct PromSelector {
  std::string name;
  Labels labels;     // required pairs; empty for a bare name
  std::string text;  // the selector as written, used as the key in Sample::gauges
};

// Parses `name` or `name{label="value",...}`.
Result<PromSelector> parse_selector(std::string_view text);

// Sum of the values of every matching series; nullopt if none matches.
std::optional<double> select(const std::vector<PromSample>& samples, const PromSelector& selector);

}  // namespace h2soak::sampler
