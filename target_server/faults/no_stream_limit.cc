// no-stream-limit: HTTP/2 without MaxConcurrentStreams and without an idle timeout. The
// server advertises no useful stream limit, never closes an idle connection, and keeps a
// copy of each finished stream's request state on its connection until the connection ends
// (per-stream bookkeeping freed only with the connection). Acts at configure() (the limit
// and the timeout) and at H2Session's stream close (the kept state).

#include <chrono>

#include "target_server/faults/fault.h"
#include "target_server/faults/registry.h"

namespace h2soak::server {
namespace {

class NoStreamLimit final : public Fault {
 public:
  using Fault::Fault;

  void configure(Config& config) const override {
    config.max_concurrent_streams = (1u << 31) - 1;
    config.idle_timeout = std::chrono::duration_cast<Millis>(std::chrono::hours(24 * 365));
  }

  void on_stream_closed(const Request& req, ConnectionKeep& keep) override {
    for (unsigned i = occurrences(); i > 0; --i) {
      std::string state;
      state.reserve(1024);
      state += req.method;
      state += ' ';
      state += req.target;
      for (const Field& f : req.headers) {
        state += f.name;
        state += f.value;
      }
      state.resize(std::max<size_t>(state.size(), 1024), '\0');  // the stream's buffers
      keep.keep(*this, std::move(state));
    }
  }
};

}  // namespace

std::unique_ptr<Fault> make_no_stream_limit(const FaultSpec& spec, double scale) {
  return std::make_unique<NoStreamLimit>(spec, scale);
}

}  // namespace h2soak::server
