#include "target_server/faults/registry.h"

namespace h2soak::server {

const std::vector<FaultSpec>& fault_catalogue() {
  static const std::vector<FaultSpec> catalogue = {
      {"template-reparse", "parses the page templates again for every page and keeps every parsed copy",
       "one parsed copy of the three templates per page or index view", "copies", make_template_reparse},
      {"session-no-evict", "creates a session entry for every request without a cookie and never evicts it",
       "one entry (~0.5 KiB) per request without a sid cookie (not /metrics)", "bytes", make_session_no_evict},
      {"sse-thread-leak", "starts an OS thread per /events stream that never notices the client left",
       "one thread per SSE stream opened (at most 2000 threads)", "threads", make_sse_thread_leak},
      {"upload-retain", "keeps every whole upload body in memory", "the whole body of every /upload",
       "bytes", make_upload_retain},
      {"pool-no-reset", "returns pooled render contexts without clearing them; they keep growing",
       "~2 KiB per page view (its header fields and nav entries), kept in a pool of 8", "bytes",
       make_pool_no_reset},
      {"fd-leak", "opens a file per static asset request and never closes it",
       "one descriptor per /static request (stops at half the soft RLIMIT_NOFILE)", "fds", make_fd_leak},
      {"no-stream-limit", "advertises no stream limit, never closes idle connections, keeps per-stream state",
       "no idle timeout; ~1 KiB of state per finished h2 stream, freed when its connection ends", "bytes",
       make_no_stream_limit},
      {"context-retain", "stores each request's context (headers, body head, scratch) in a global list",
       "~1.5 KiB plus the request's headers per request (not /metrics)", "bytes", make_context_retain},
  };
  return catalogue;
}

}  // namespace h2soak::server
