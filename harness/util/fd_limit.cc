#include "harness/util/fd_limit.h"

#include <sys/resource.h>

#include <atomic>

namespace h2soak {
namespace {
// The soft limit before the first raise; 0 until then.
std::atomic<std::uint64_t> g_original_soft{0};

bool set_soft(rlimit lim, std::uint64_t soft) {
  lim.rlim_cur = static_cast<rlim_t>(soft);
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}
}  // namespace

FdLimit raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return {};
  std::uint64_t unset = 0;
  g_original_soft.compare_exchange_strong(unset, static_cast<std::uint64_t>(lim.rlim_cur));
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return FdLimit{static_cast<std::uint64_t>(lim.rlim_cur), static_cast<std::uint64_t>(lim.rlim_max)};
}

ChildFdLimit::ChildFdLimit() {
  const std::uint64_t original = g_original_soft.load();
  rlimit lim{};
  if (original == 0 || getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == original) return;
  if (set_soft(lim, original)) restore_ = static_cast<std::uint64_t>(lim.rlim_cur);
}

ChildFdLimit::~ChildFdLimit() {
  rlimit lim{};
  if (restore_ != 0 && getrlimit(RLIMIT_NOFILE, &lim) == 0) set_soft(lim, restore_);
}

std::uint64_t fd_overhead(int threads) { return 64 + 8 * static_cast<std::uint64_t>(threads > 0 ? threads : 1); }

Status check_fd_budget(std::uint64_t needed, const std::string& what, const FdLimit& limit) {
  if (limit.soft == 0 || needed <= limit.soft) return {};
  std::string msg = what + " needs about " + std::to_string(needed) + " file descriptors, but this process may open " +
                    std::to_string(limit.soft);
  if (limit.hard > limit.soft) {
    msg += " (ulimit -n; the hard limit is " + std::to_string(limit.hard) + ")";
  } else {
    msg += " (the hard limit: raise it with ulimit -Hn as root, or LimitNOFILE= in a systemd unit)";
  }
  return Error(msg);
}

}  // namespace h2soak
