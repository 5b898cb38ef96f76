#pragma once
// How far a shard's wall clock is from the sampler's: a tiny UDP time
// service in `h2soak sample --clock-port P`, and a probe in `h2soak run
// --clock-from HOST:P` that asks it a few times before the load and keeps the
// answer with the shortest round trip (the NTP idea, without its filters).
//
// Wire format (UDP, one datagram each way): the probe sends 8 bytes, a nonce;
// the server answers 16 bytes, the nonce then its CLOCK_REALTIME in
// nanoseconds, both little-endian. Anything else is ignored.
//
// The estimate: with t0 and t1 the probe's own clock at send and receive and
// s the server's clock in the answer, offset = s - (t0 + t1) / 2 (the server's
// clock minus this one) and its error is at most (t1 - t0) / 2, the
// uncertainty reported. A shard whose clock runs 30 ms behind the sampler's
// has offset +0.030 s: its start_unix + offset is its time zero on the
// sampler's clock, which is what `merge` aligns on.
//
// Who calls: the sampler agent (ClockServer, for its lifetime), the runner
// (measure_clock_offset, once, after the target is ready and before the start
// barrier); merge reads the result's metadata.extra entries (record_clock).

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::run {

// One exchange: the probe's clock at send and receive, the server's in between (Unix seconds).
struct ClockExchange {
  double sent = 0;
  double server = 0;
  double received = 0;
};

struct ClockOffset {
  double offset = 0;       // seconds: the server's clock minus this one
  double uncertainty = 0;  // seconds: half the round trip of the exchange used
  int exchanges = 0;       // answers received
};

// The exchange with the shortest round trip decides; nullopt without any.
std::optional<ClockOffset> best_offset(const std::vector<ClockExchange>& exchanges);

// "HOST:PORT" ("[::1]:PORT" for IPv6) → host and port; errors name --clock-from.
Result<std::pair<std::string, std::uint16_t>> parse_clock_address(std::string_view text);

// Sends `probes` requests 20 ms apart to host:port, each answered within
// `timeout` or lost; keeps trying (more rounds) until `patience` has passed
// when none is answered (the sampler agent may start a moment after the shard).
Result<ClockOffset> measure_clock_offset(const std::string& host, std::uint16_t port, int probes = 8,
                                         Nanos timeout = std::chrono::milliseconds(200),
                                         Nanos patience = std::chrono::seconds(10));

// The UDP time service: binds port (0: any free one) on all addresses and
// answers on its own thread until stop() or destruction.
class ClockServer {
 public:
  static Result<std::unique_ptr<ClockServer>> start(std::uint16_t port);
  ~ClockServer();
  ClockServer(const ClockServer&) = delete;
  ClockServer& operator=(const ClockServer&) = delete;
  std::uint16_t port() const { return port_; }
  std::uint64_t answered() const { return answered_.load(); }
  void stop();

 private:
  ClockServer(int fd, std::uint16_t port);
  void serve();
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> answered_{0};
  std::thread thread_;
};

// The measurement as written into a result's metadata.extra: "clock_from",
// and "clock_offset_ms" + "clock_uncertainty_ms", or "clock_error".
void record_clock(const std::string& from, const Result<ClockOffset>& measured,
                  std::map<std::string, std::string>& extra);
// The offset (seconds) a result recorded, if any.
std::optional<double> recorded_clock_offset(const std::map<std::string, std::string>& extra);

}  // namespace h2soak::run
