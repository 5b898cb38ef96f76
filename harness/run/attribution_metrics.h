#pragma once
// Attribution of an attribution run (scenario `attribution:`, `--attribute`):
// for every resource signal of the target, what each modulated workload's
// events leave behind, as analysis metrics. The estimator is
// harness/analysis/attribution.h; this file picks the signals, counts each
// workload's events per slot from its per-second series, and names the
// results:
//
//   attribution.<signal>.<workload>   per event of that workload, with its 95 %
//                                      interval; unit "<signal unit>/<event>"
//                                      ("bytes/upload", "threads/stream",
//                                      "fds/request"); note: share of the
//                                      steady growth, and per MiB for uploads
//   attribution.<signal>.(time)       growth per second no event explains
//
// Signals: rss (bytes), threads, fds (when readable), and every scraped gauge
// as gauge.<name>. Events: tabs and bench requests, sse streams opened,
// uploads, short connections opened (requests when a connection carries
// more than one). Workload names never contain '.', so the last dotted word
// is the workload. All metrics are informational (direction "none"): never
// in a baseline, never compared; compare quotes them to explain a leak.
//
// Who calls: analyze_result(), when the result has a Modulation. Pure.

#include <map>
#include <string>
#include <vector>

#include "harness/result/run_result.h"

namespace h2soak::run {

inline constexpr const char* kAttributionPrefix = "attribution.";
inline constexpr const char* kAttributionTime = "(time)";

// Adds the metrics above to `out`; a signal that cannot be attributed (too
// few samples, collinear counts) or that did not grow in steady beyond its
// noise (Attribution::grew: a flat signal has nothing to explain, and its
// rows would only fit its wiggles) adds a line to `notes` instead.
void add_attribution_metrics(const result::RunResult& r, std::map<std::string, result::AnalysisMetric>& out,
                             std::vector<std::string>& notes);

// The event a workload's attribution is per: "request", "stream", "upload",
// "connection".
std::string attribution_event(const result::WorkloadResult& w);

}  // namespace h2soak::run
