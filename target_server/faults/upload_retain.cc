// upload-retain: every /upload body is buffered whole in memory and the buffer stays
// referenced from a global list (a request body read fully into memory and kept by a cache
// or an audit log that is never trimmed). Acts around the /upload handler.

#include <mutex>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

class UploadRetain final : public Fault {
 public:
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request&, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kUpload) return handler;
    return std::make_unique<Keeper>(std::move(handler), *this);
  }

 private:
  class Keeper final : public HandlerDecorator {
   public:
    Keeper(std::unique_ptr<Handler> inner, UploadRetain& fault) : HandlerDecorator(std::move(inner)), fault_(fault) {}
    void on_body(const uint8_t* data, size_t len) override {
      body_.append(reinterpret_cast<const char*>(data), len);
      inner().on_body(data, len);
    }
    Response respond() override {
      for (unsigned i = fault_.occurrences(); i > 0; --i) fault_.keep(i == 1 ? std::move(body_) : body_);
      return inner().respond();
    }

   private:
    UploadRetain& fault_;
    std::string body_;
  };

  void keep(std::string body) {
    const auto bytes = static_cast<int64_t>(body.size());
    body.shrink_to_fit();
    std::lock_guard lock(mu_);
    kept_.push_back(std::move(body));
    count(1, bytes);
  }

  std::mutex mu_;
  std::vector<std::string> kept_;
};

}  // namespace

std::unique_ptr<Fault> make_upload_retain(const FaultSpec& spec, double scale) {
  return std::make_unique<UploadRetain>(spec, scale);
}

}  // namespace h2soak::server
