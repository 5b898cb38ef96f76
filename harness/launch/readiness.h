#pragma once
// Readiness probe: an HTTP GET with libcurl, retried until the target answers
// or a deadline passes. "Answers" means any HTTP response with a status below
// 500 (a 404 still proves the server is up; a 503 says it is not ready yet).
// Called by the runner after spawn/attach and before the sampler starts.

#include <functional>
#include <string>

#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::launch {

enum class ProbeHttp {
  kAuto,  // http:// -> HTTP/1.1, https:// -> h2 via ALPN (falls back to 1.1)
  kH1,    // HTTP/1.1 only
  kH2c,   // cleartext h2 with prior knowledge (http:// only)
  kH2,    // h2 over TLS (ALPN), refusing HTTP/1.1
};

struct ProbeOptions {
  std::string url;
  Nanos timeout = std::chrono::seconds(10);           // overall deadline
  Nanos retry_interval = std::chrono::milliseconds(100);
  ProbeHttp http = ProbeHttp::kAuto;
  bool insecure = false;                              // accept any TLS certificate (self-signed test servers)
};

// Returns ok at the first answer. Fails with the last transport error or HTTP
// status once the deadline passes, or at once when still_alive (if given)
// returns false between attempts (the spawned target died).
Status wait_until_ready(const ProbeOptions& options, const std::function<bool()>& still_alive = {});

// One GET, no retry; the HTTP status or a transport error. Exposed for tests
// and for a final check by the runner.
Result<long> probe_once(const ProbeOptions& options, Nanos attempt_timeout);

}  // namespace h2soak::launch
