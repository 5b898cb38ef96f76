// pool-no-reset: page rendering borrows a render context from a small pool and gives it back
// without resetting it, so each context keeps every entry it was ever given and grows with
// each use (a pooled struct whose slices are appended to and never truncated). Acts around
// the index and page handlers. Per page view the context gains the request's header fields
// and the page's navigation entries: ~2 KiB, a creep far slower than a page's size.

#include <mutex>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

struct Scratch {
  std::vector<std::string> fields;  ///< should be cleared on return to the pool; never is
};

class PoolNoReset final : public Fault {
 public:
  static constexpr size_t kPoolSize = 8;
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler, const ServerState& state,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kPage && handler->route() != Route::kIndex) return handler;
    for (unsigned i = occurrences(); i > 0; --i) use_scratch(req, state.config.pages);
    return handler;
  }

 private:
  void use_scratch(const Request& req, int pages) {
    std::unique_ptr<Scratch> s = take();
    int64_t added = 0;
    auto put = [&](std::string field) {
      added += static_cast<int64_t>(field.size() + sizeof(std::string));
      s->fields.push_back(std::move(field));
    };
    put("target: " + req.target);
    for (const Field& f : req.headers) put(f.name + ": " + f.value);
    for (int n = 1; n <= pages; ++n) put("nav: /page/" + std::to_string(n) + " | Page " + std::to_string(n));
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

}  // namespace h2soak::server
