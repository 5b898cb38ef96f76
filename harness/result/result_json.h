#pragma once
// JSON codec for RunResult, schema "h2soak.result/v1" (docs/result-schema.md):
// the one place in C++ that knows the result schema. Every reader of result
// files (`analyze`, `merge`, compare's adapter, the Python module) goes
// through it; only reports/ reads the documented JSON itself, in Python.
//
// Writing: to_json() builds the document with nlohmann_json; write_result()
// writes it atomically (atomic_file.h). Reading: from_json()/read_result()
// check the schema string first (a different version is rejected with a clear
// message), then decode every field; an error names the file and the JSON
// pointer of the bad field ("run.json: /workloads/0/phases/1/counters/
// requests/done: expected an unsigned integer, got string"). Unknown fields
// are ignored so that v1 can grow by addition; histogram and series
// summaries in the file are derived data and are recomputed, not trusted.
//
// The histogram and metrics codecs are public because baselines and the
// Python module reuse them.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harness/metrics/histogram.h"
#include "harness/metrics/workload_metrics.h"
#include "harness/result/run_result.h"
#include "harness/scenario/threshold.h"
#include "harness/util/result.h"

namespace h2soak::result {

nlohmann::json to_json(const RunResult& r);
// `source` names the input in errors (a file name, or "<string>").
Result<RunResult> from_json(const nlohmann::json& j, const std::string& source);
Result<RunResult> parse_result(std::string_view text, const std::string& source);

// The summary of a result: only what judging a finished run needs — schema,
// metadata, status, analysis and thresholds — from a document that may be
// trimmed to those (CI artifacts often are). The other sections are not read
// and stay empty. Where the full read insists on a section or field, the
// summary read takes an absent (or null) one as unknown: no status is
// "completed", an analysis entry without `value` has no data, one without
// `direction` leaves it not stated (nullopt, see AnalysisMetric), a
// `cpu_count` no uint32 holds is 0. It does insist on a non-empty `metadata.scenario_name`. A field that
// is present is decoded as in the full read, and its errors read the same:
// "ci.json: /analysis/rss.slope/leak: expected true or false, got a string".
Result<RunResult> summary_from_json(const nlohmann::json& j, const std::string& source);

// Serializes with to_json and writes atomically; the old file survives any failure.
Status write_result(const RunResult& r, const std::string& path);
Result<RunResult> read_result(const std::string& path);

// Parts, for baselines and bindings. Decoders report errors relative to `path`
// (a JSON pointer) in `source`.
nlohmann::json histogram_to_json(const metrics::Histogram& h, std::string_view unit = "us");
Result<metrics::Histogram> histogram_from_json(const nlohmann::json& j, const std::string& source,
                                               const std::string& path = "");
nlohmann::json workload_metrics_to_json(const metrics::WorkloadMetrics& m);
Result<metrics::WorkloadMetrics> workload_metrics_from_json(const nlohmann::json& j,
                                                            const std::string& source,
                                                            const std::string& path = "");
nlohmann::json summary_to_json(const HistogramSummary& s);

// The scenario's gates of a result document (`document` is its root),
// written twice: `thresholds`, the texts as written (what every version has
// written and older readers read), and `parsed_thresholds`, the typed gates
// (metric, op, value in SI base units, unit, text) that readers evaluate
// without parsing text. A result without `parsed_thresholds` (written before
// it) has its texts parsed with scenario::parse_result_threshold. Errors
// name `source` and the JSON pointer of the bad entry.
Result<std::vector<scenario::Threshold>> thresholds_from_json(const nlohmann::json& document,
                                                              const std::string& source);

}  // namespace h2soak::result
