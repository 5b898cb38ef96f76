// template-reparse: the page templates are parsed again for every page served, and every
// parsed copy is kept in a global list (an HTML template parsed per request instead of once,
// with the result cached "just in case"). Acts around the index and page handlers.

#include <mutex>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"
#include "target_server/templates.h"

namespace h2soak::server {
namespace {

class TemplateReparse final : public Fault {
 public:
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request&, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kPage && handler->route() != Route::kIndex) return handler;
    for (unsigned i = occurrences(); i > 0; --i) {
      auto parsed = std::make_unique<Templates>();  // the real mustache parse, every time
      std::lock_guard lock(mu_);
      kept_.push_back(std::move(parsed));
      count(1, 1);
    }
    return handler;
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Templates>> kept_;
};

}  // namespace

std::unique_ptr<Fault> make_template_reparse(const FaultSpec& spec, double scale) {
  return std::make_unique<TemplateReparse>(spec, scale);
}

}  // namespace h2soak::server
