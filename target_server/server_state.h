#pragma once
// What handlers may read of the server (shared, read-mostly) and of the worker that runs
// them (owned by that worker's thread only).

#include <chrono>

#include "target_server/assets.h"
#include "target_server/config.h"
#include "target_server/session_store.h"
#include "target_server/stats.h"
#include "target_server/templates.h"

struct ev_loop;

namespace h2soak::server {

class FaultSet;

/// Built once before the workers start; lives until they have joined.
struct ServerState {
  const Config& config;
  const AssetStore& assets;
  const PageModels& pages;
  SessionStore& sessions;        ///< internally locked
  const StatsRegistry& stats;    ///< every worker's counters, for /metrics
  std::chrono::steady_clock::time_point started;
  const FaultSet* faults = nullptr;  ///< deliberate leaks (--fault); null for the clean server
};

/// One worker's own things; only touched from that worker's thread.
struct WorkerEnv {
  struct ev_loop* loop = nullptr;
  WorkerStats* stats = nullptr;
  Templates* templates = nullptr;  ///< this worker's copy of the parsed templates
  const FaultSet* faults = nullptr;  ///< ServerState::faults, for the sessions' hooks
};

}  // namespace h2soak::server
