// fd-leak: serving a static asset opens the asset's file and never closes it (a response
// body or file handle that is never closed). The reference server keeps its assets in
// memory, so the file opened is the server's own executable, standing for the asset on disk:
// a real descriptor in /proc/PID/fd per request. Acts around the /static handler.

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

class FdLeak final : public Fault {
 public:
  FdLeak(const FaultSpec& spec, double scale) : Fault(spec, scale) {
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    // Stop at half the soft limit, so that the server still accepts connections and a run
    // measures the growth instead of a crash (the signal is the same).
    cap_ = lim.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<int64_t>(lim.rlim_cur / 2);
  }

  std::unique_ptr<Handler> wrap(const Request&, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kStatic) return handler;
    for (unsigned i = occurrences(); i > 0; --i) {
      if (leaked() >= cap_) break;
      int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
      if (fd >= 0) count(1, 1);  // never closed
    }
    return handler;
  }

 private:
  int64_t cap_;
};

}  // namespace

std::unique_ptr<Fault> make_fd_leak(const FaultSpec& spec, double scale) {
  return std::make_unique<FdLeak>(spec, scale);
}

}  // namespace h2soak::server
