// sse-thread-leak: each /events stream also starts an OS thread that produces the stream's
// events on a ticker and never notices that the client went away (a goroutine with a ticker
// that is never stopped, blocked on a channel nobody reads). The thread outlives the stream
// for the life of the process. Acts around the /events handler, once its 200 is decided.

#include <pthread.h>

#include <chrono>
#include <string>
#include <thread>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

/// A long soak must not take the machine down with it: past this many threads the fault
/// stops starting new ones (documented in --fault list).
constexpr int64_t kMaxThreads = 2000;

// The leaked thread: touches only its own stack, so it is safe while the process exits.
void* ticker(void*) {
  std::string undelivered;  // the "channel" nobody reads: overwritten, never sent
  for (uint64_t seq = 1;; ++seq) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    undelivered = "id: " + std::to_string(seq) + "\ndata: {}\n\n";
  }
  return nullptr;
}

class SseThreadLeak final : public Fault {
 public:
  using Fault::Fault;

  std::unique_ptr<Handler> wrap(const Request&, std::unique_ptr<Handler> handler, const ServerState&,
                                const WorkerEnv&) override {
    if (handler->route() != Route::kEvents) return handler;
    return std::make_unique<Starter>(std::move(handler), *this);
  }

 private:
  class Starter final : public HandlerDecorator {
   public:
    Starter(std::unique_ptr<Handler> inner, SseThreadLeak& fault) : HandlerDecorator(std::move(inner)), fault_(fault) {}
    Response respond() override {
      Response r = inner().respond();
      if (r.status == 200) {
        for (unsigned i = fault_.occurrences(); i > 0; --i) fault_.start_thread();
      }
      return r;
    }

   private:
    SseThreadLeak& fault_;
  };

  void start_thread() {
    if (leaked() >= kMaxThreads) return;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t tid;
    if (pthread_create(&tid, &attr, ticker, nullptr) == 0) count(1, 1);
    pthread_attr_destroy(&attr);
  }
};

}  // namespace

std::unique_ptr<Fault> make_sse_thread_leak(const FaultSpec& spec, double scale) {
  return std::make_unique<SseThreadLeak>(spec, scale);
}

}  // namespace h2soak::server
