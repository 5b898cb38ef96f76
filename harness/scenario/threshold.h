#pragma once
// The threshold grammar, the one h2soak has: absolute gates written as
// `METRIC OP VALUE`, in scenario files (`thresholds:`), on the command line
// (`h2soak compare --threshold`, `h2soak capacity --objective`) and in result
// files written before thresholds were stored typed (docs/result-schema.md).
//
//   errors == 0 · latency.p99 < 250ms · rss.slope < 10KiB/s · rps >= 500/s
//
// METRIC is a dotted name of letters, digits, '_', ':' and '-'. OP is one of
// < <= > >= == !=. VALUE is a quantity with an optional unit (parse_quantity):
// its value is stored in the SI base unit of its kind, so a Threshold is a
// plain value that can be written to a result and read back unchanged.
//
// Two entry points, one grammar:
//   parse_threshold()         for what a scenario author writes: METRIC must
//                             start with a known root (kMetricRoots) or a
//                             workload name ("did you mean" on a typo), and a
//                             root with a fixed dimension needs a value of
//                             that dimension ("latency.p99 < 250" is an error).
//   parse_result_threshold()  for gates on a result's own metric names
//                             (`compare --threshold`, old result files): any
//                             METRIC, any VALUE; whether the metric exists and
//                             its unit fits is decided when the gate is
//                             evaluated (harness/compare/threshold.h).
// Both are pure and never throw; errors say what was expected.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/source_pos.h"
#include "harness/util/result.h"

namespace h2soak::scenario {

// The unit a threshold value or a rule floor was written in; values are stored
// in SI base units: seconds, bytes, bytes per second, events per second,
// fractions (a percentage is stored /100), counts.
enum class Unit { kNumber, kDuration, kSize, kSizeRate, kRate, kPercent };
// "number", "duration", "size", "size/s", "rate", "percent"; unit_named() is
// the inverse (nullopt for any other text).
const char* to_string(Unit u);
std::optional<Unit> unit_named(std::string_view name);

struct Quantity {
  double value = 0;  // in the base unit of `unit` (see above)
  Unit unit = Unit::kNumber;
  bool operator==(const Quantity&) const = default;
};

enum class CompareOp { kLt, kLe, kGt, kGe, kEq, kNe };
// "<", "<=", ">", ">=", "==", "!="; compare_op_named() is the inverse.
const char* to_string(CompareOp op);
std::optional<CompareOp> compare_op_named(std::string_view symbol);

// One absolute gate. METRIC as written: a workload-scoped name
// ("tabs.latency.p99 < 300ms") scopes the rest to that workload; aliases
// (cpu.per_request, vmhwm) are resolved when the gate is evaluated.
struct Threshold {
  std::string metric;
  CompareOp op = CompareOp::kLt;
  Quantity value;
  std::string text;  // as written (trimmed)
  SourcePos pos;     // in the scenario file; unknown (line 0) elsewhere
  bool operator==(const Threshold&) const = default;
};

// Parses one threshold expression of a scenario ("latency.p99 < 250ms");
// `workload_names` are accepted as metric roots besides kMetricRoots.
Result<Threshold> parse_threshold(std::string_view text, const std::vector<std::string>& workload_names = {});

// The same grammar with any metric name and no check of the value's unit
// against the name (see above).
Result<Threshold> parse_result_threshold(std::string_view text);

// Parses a value with an optional unit: "250ms" (duration, stored in s),
// "64KiB" (size), "10KiB/s" (size rate), "500/s" (rate), "5%" (percent,
// stored /100), "3" (number). A leading '-' negates any of them.
Result<Quantity> parse_quantity(std::string_view text);

// Metric roots a threshold or regression rule may name (first dotted word):
//   errors error_rate requests rps latency ttfb connect tls rss rss_anon
//   vmhwm pss threads fds cpu dropped sse upload connections gauge idle short
// plus workload names. "gauge.NAME.slope" addresses a scraped gauge.
extern const std::vector<std::string> kMetricRoots;

}  // namespace h2soak::scenario
