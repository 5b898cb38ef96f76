// context-retain: every request's context (its target, a copy of its headers, the first
// KiB of its body and a 1 KiB scratch area) is stored in a global list that nothing trims
// (per-request data stashed in a long-lived context or middleware). Acts around every
// handler but /metrics.

#include <algorithm>
#include <mutex>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

struct RequestContext {
  std::string target;
  std::vector<Field> headers;
  std::string body_head;
  std::string scratch;
};

class ContextRetain final : public Fault {
 public:
  static constexpr size_t kBodyHead = 1024;
  static constexpr size_t kScratch = 1024;
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() == Route::kMetrics) return handler;
    return std::make_unique<Stasher>(std::move(handler), req, *this);
  }

 private:
  class Stasher final : public HandlerDecorator {
   public:
    Stasher(std::unique_ptr<Handler> inner, const Request& req, ContextRetain& fault)
        : HandlerDecorator(std::move(inner)), fault_(fault) {
      ctx_.target = req.target;
      ctx_.headers = req.headers;
      ctx_.scratch.assign(kScratch, '\0');
    }
    void on_body(const uint8_t* data, size_t len) override {
      size_t take = std::min(len, kBodyHead - std::min(kBodyHead, ctx_.body_head.size()));
      ctx_.body_head.append(reinterpret_cast<const char*>(data), take);
      inner().on_body(data, len);
    }
    Response respond() override {
      for (unsigned i = fault_.occurrences(); i > 0; --i) fault_.stash(ctx_);
      return inner().respond();
    }

   private:
    ContextRetain& fault_;
    RequestContext ctx_;
  };

  void stash(const RequestContext& ctx) {
    int64_t bytes = static_cast<int64_t>(sizeof(RequestContext) + ctx.target.size() + ctx.body_head.size() +
                                         ctx.scratch.size());
    for (const Field& f : ctx.headers) bytes += static_cast<int64_t>(sizeof(Field) + f.name.size() + f.value.size());
    std::lock_guard lock(mu_);
    kept_.push_back(ctx);
    count(1, bytes);
  }

  std::mutex mu_;
  std::vector<RequestContext> kept_;
};

}  // namespace

std::unique_ptr<Fault> make_context_retain(const FaultSpec& spec, double scale) {
  return std::make_unique<ContextRetain>(spec, scale);
}

}  // namespace h2soak::server
