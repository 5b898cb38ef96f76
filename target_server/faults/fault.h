#pragma once
// Deliberate leaks (the catalogue in docs/failure-modes.md), switched on with
// `h2soak-target --fault NAME[:SCALE]`. The clean server never reads around them: a Fault
// acts only through the hooks below, and with no fault on the server holds no FaultSet at
// all (ServerState::faults and WorkerEnv::faults are null), so its paths are unchanged.
//
// Hook points, each called from one place of the server:
//   configure()        main.cc, before the server starts (no-stream-limit);
//   wrap()             Router::make(), around the handler built for a request;
//   on_stream_closed() H2Session::on_stream_close(), before the stream's state is dropped;
//                      what the fault puts into the ConnectionKeep lives until the
//                      connection ends.
// wrap() and on_stream_closed() run on worker threads concurrently: faults lock their own
// state. Each fault lives in its own file of this folder and registers in catalogue.cc.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "target_server/config.h"
#include "target_server/exchange.h"
#include "target_server/server_state.h"

namespace h2soak::server {

class Fault;

/// Per-connection state a fault holds until the connection ends (no-stream-limit's
/// per-stream leftovers). Releasing it tells the owning fault how much went away.
class ConnectionKeep {
 public:
  ConnectionKeep() = default;
  ~ConnectionKeep();
  ConnectionKeep(const ConnectionKeep&) = delete;
  ConnectionKeep& operator=(const ConnectionKeep&) = delete;
  void keep(Fault& owner, std::string state);
  size_t bytes() const { return bytes_; }

 private:
  Fault* owner_ = nullptr;
  std::vector<std::string> items_;
  size_t bytes_ = 0;
};

/// One catalogue entry: what `--fault list` prints and how to build the fault.
struct FaultSpec {
  std::string_view name;
  std::string_view what;          ///< one line: what the server does wrong
  std::string_view default_rate;  ///< what it leaks at scale 1
  std::string_view unit;          ///< unit of h2soak_target_fault_leaked
  std::unique_ptr<Fault> (*make)(const FaultSpec& spec, double scale);
};

/// Every fault, in catalogue order.
const std::vector<FaultSpec>& fault_catalogue();

class Fault {
 public:
  Fault(const FaultSpec& spec, double scale);
  virtual ~Fault() = default;
  Fault(const Fault&) = delete;
  Fault& operator=(const Fault&) = delete;

  const FaultSpec& spec() const { return spec_; }
  double scale() const { return scale_; }

  virtual void configure(Config& config) const { (void)config; }
  virtual std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler,
                                        const ServerState& state, const WorkerEnv& env) {
    (void)req;
    (void)state;
    (void)env;
    return handler;
  }
  virtual void on_stream_closed(const Request& req, ConnectionKeep& keep) {
    (void)req;
    (void)keep;
  }

  /// Times the leak was committed, and how much it holds now (in spec().unit); any thread.
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  int64_t leaked() const { return leaked_.load(std::memory_order_relaxed); }

  /// Records `n` commits holding `amount` more (negative: released).
  void count(uint64_t n, int64_t amount) {
    events_.fetch_add(n, std::memory_order_relaxed);
    leaked_.fetch_add(amount, std::memory_order_relaxed);
  }

 protected:
  /// How many times to commit the leak on this occasion: over many occasions the mean is
  /// scale() (0.5 → every other one, 2 → twice each), deterministically. Any thread.
  unsigned occurrences();

 private:
  const FaultSpec& spec_;
  double scale_;
  uint64_t scale_milli_;
  std::atomic<uint64_t> credit_milli_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<int64_t> leaked_{0};
};

/// A handler that forwards everything to the one it wraps; faults override what they need.
class HandlerDecorator : public Handler {
 public:
  explicit HandlerDecorator(std::unique_ptr<Handler> inner) : Handler(inner->route()), inner_(std::move(inner)) {}
  std::optional<Response> on_headers() override { return inner_->on_headers(); }
  void on_body(const uint8_t* data, size_t len) override { inner_->on_body(data, len); }
  Response respond() override { return inner_->respond(); }

 protected:
  Handler& inner() { return *inner_; }

 private:
  std::unique_ptr<Handler> inner_;
};

/// The faults switched on for one server run (empty = the clean server).
class FaultSet {
 public:
  /// Parses --fault arguments ("NAME" or "NAME:SCALE", SCALE > 0). On error returns false
  /// and says why in `error` (unknown name, bad scale, the same fault twice).
  bool add(std::string_view arg, std::string* error);
  bool empty() const { return faults_.empty(); }

  void configure(Config& config) const;
  std::unique_ptr<Handler> wrap(const Request& req, std::unique_ptr<Handler> handler, const ServerState& state,
                                const WorkerEnv& env) const;
  void on_stream_closed(const Request& req, ConnectionKeep& keep) const;
  /// Appends h2soak_target_fault{name}, _scale, _events_total and _leaked{name,unit}.
  void render_metrics(std::string& out) const;

  /// `--fault list`: one line per fault (name, default rate, what it does).
  static std::string describe_catalogue();

 private:
  std::vector<std::unique_ptr<Fault>> faults_;
};

}  // namespace h2soak::server
