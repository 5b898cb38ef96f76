// pool-no-reset: page rendering borrows a per-request scratch object from a small pool and
// gives it back without resetting it, so each object keeps every field it was ever given and
// grows with each use (an object pool whose slices and maps are never cleared). Acts around
// the index and page handlers. The growth per page view is the size of the request's header
// fields, so it creeps: far slower than the other memory faults.

#include <mutex>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::target {
namespace {

struct Scratch {
  std::vector<std::string> fields;  ///< should be cleared on return to the pool; never is
};

class PoolNoReset final : public Fault {
 public:
  static constexpr size_t kPoolSize = 8;
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kPage && handler->route() != Route::kIndex) return handler;
    for (unsigned i = occurrences(); i > 0; --i) use_scratch(req);
    return handler;
  }

 private:
  void use_scratch(const Request& req) {
    std::unique_ptr<Scratch> s = take();
    int64_t added = 0;
    auto put = [&](std::string field) {
      added += static_cast<int64_t>(field.size() + sizeof(std::string));
      s->fields.push_back(std::move(field));
    };
    put("target: " + req.target);
    for (const Field& f : req.headers) put(f.name + ": " + f.value);
    give_back(std::move(s));  // the bug: no s->fields.clear() first
    count(1, added);
  }

  std::unique_ptr<Scratch> take() {
    std::lock_guard lock(mu_);
    if (pool_.empty()) return std::make_unique<Scratch>();
    auto s = std::move(pool_.back());
    pool_.pop_back();
    return s;
  }

  void give_back(std::unique_ptr<Scratch> s) {
    std::lock_guard lock(mu_);
    if (pool_.size() < kPoolSize) pool_.push_back(std::move(s));
    else overflow_.push_back(std::move(s));  // a sync.Pool would drop it; this one keeps it too
  }

  std::mutex mu_;
  std::vector<std::unique_ptr<Scratch>> pool_;
  std::vector<std::unique_ptr<Scratch>> overflow_;
};

}  // namespace

std::unique_ptr<Fault> make_pool_no_reset(const FaultSpec& spec, double scale) {
  return std::make_unique<PoolNoReset>(spec, scale);
}

}  // namespace h2soak::target
