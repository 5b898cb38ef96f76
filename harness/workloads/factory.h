#pragma once
// One place that turns a planned workload into its engine workload for one
// worker: tabs, sse, upload, short_connections, idle, bench. Called by the
// plan runner on the worker's thread (inside the runner's factory), before the
// loop runs; no sockets are opened here.

#include <memory>

#include "harness/load/workload.h"
#include "harness/util/result.h"
#include "harness/workloads/workload_context.h"

namespace h2soak::load {
class Worker;
}

namespace h2soak::workloads {

// Checks what can be checked before any worker exists (e.g. bench headers).
Status check_workload(const WorkloadContext& context);

std::unique_ptr<load::Workload> make_workload(load::Worker& worker, const WorkloadContext& context);

}  // namespace h2soak::workloads
