#pragma once
// The process's descriptor budget (RLIMIT_NOFILE). A load generator holds a
// descriptor per connection, and Linux's default soft limit (1,024) is far
// below what a plan of many users, tabs or idle connections holds; the hard
// limit is usually much higher and may be taken without privileges.
//
//   raise_fd_limit()   soft limit up to the hard limit, as far as allowed
//   check_fd_budget()  a clear error before the run when a plan needs more
//                      descriptors than the process may have, instead of
//                      connections failing with EMFILE half-way through

#include <cstdint>
#include <string>

#include "harness/util/result.h"

namespace h2soak {

struct FdLimit {
  std::uint64_t soft = 0;  // what the process may open now
  std::uint64_t hard = 0;  // how far the soft limit could be raised
};

// Raises the soft limit to the hard one (unchanged when that fails) and
// returns the limits in force afterwards. The first call remembers the soft
// limit the process had (see ChildFdLimit).
FdLimit raise_fd_limit();

// For the lifetime of this object the soft limit is the one the process had
// before raise_fd_limit(), so that a child spawned meanwhile (the service
// under test) inherits what it would have had without h2soak's raise: with
// `h2soak ab`, A and B get the same limit. Not for use while load runs.
class ChildFdLimit {
 public:
  ChildFdLimit();
  ~ChildFdLimit();
  ChildFdLimit(const ChildFdLimit&) = delete;
  ChildFdLimit& operator=(const ChildFdLimit&) = delete;

 private:
  std::uint64_t restore_ = 0;  // the soft limit to put back; 0: nothing changed
};

// Descriptors a run needs beside its connections: stdio, the event loops'
// own descriptors per worker thread, the sampler's /proc files, logs.
std::uint64_t fd_overhead(int threads);

// An error naming `what` (e.g. "-c 200000") when `needed` exceeds the soft limit.
Status check_fd_budget(std::uint64_t needed, const std::string& what, const FdLimit& limit);

}  // namespace h2soak
