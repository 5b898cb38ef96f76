#pragma once
// The constructors of the faults, one per file of this folder; catalogue.cc lists them.

#include <memory>

#include "target_server/faults/fault.h"

namespace h2soak::server {

std::unique_ptr<Fault> make_template_reparse(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_session_no_evict(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_sse_thread_leak(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_upload_retain(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_pool_no_reset(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_fd_leak(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_no_stream_limit(const FaultSpec& spec, double scale);
std::unique_ptr<Fault> make_context_retain(const FaultSpec& spec, double scale);

}  // namespace h2soak::server
