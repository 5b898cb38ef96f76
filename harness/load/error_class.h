#pragma once
// How a transport-level failure (net::ErrorClass, what a connection or stream
// saw) is counted in the metrics (metrics::ErrorClass, what reports show).
// One mapping for the engine and every workload, so the same failure is never
// counted under two names.

#include "harness/metrics/counters.h"
#include "harness/net/stream.h"

namespace h2soak::load {

inline metrics::ErrorClass to_metrics(net::ErrorClass c) {
  switch (c) {
    case net::ErrorClass::kConnectFailed: return metrics::ErrorClass::kConnect;
    case net::ErrorClass::kTlsFailed: return metrics::ErrorClass::kTls;
    case net::ErrorClass::kRstStream: return metrics::ErrorClass::kRstStream;
    case net::ErrorClass::kGoaway: return metrics::ErrorClass::kGoaway;
    case net::ErrorClass::kTimeout: return metrics::ErrorClass::kTimeout;
    case net::ErrorClass::kProtocol: return metrics::ErrorClass::kProtocol;
    case net::ErrorClass::kPeerClosed: return metrics::ErrorClass::kPeerClosed;
    default: return metrics::ErrorClass::kOther;
  }
}

}  // namespace h2soak::load
