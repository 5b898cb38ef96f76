#pragma once
// `h2soak bench`'s options and result: the one path for the CLI
// (harness/cli/bench_command.cc, which parses the flags with CLI11) and for
// Python's h2soak.bench (py/bench_binding.cc, which takes keywords).
//   make_bench_plan()       the options, as written, checked into a
//                           workloads::BenchPlan before any socket opens;
//   bench_runner_options()  the engine's options for that plan;
//   bench_result()          the run's outcome as the result document that
//                           `h2soak bench --json` writes (one workload
//                           "bench", phases warmup and steady), with the
//                           generator's self-monitoring and its warnings.
//   shard_bench_plan()      one shard's part of a plan (`--shard i/N`, the
//                           split of a scenario's bench workload), which
//                           make_bench_plan() applies when asked to;
//   bench_plan_text()       what a shard's result carries so that `h2soak
//                           merge` rebuilds the whole run without a file
//                           (run/merge.h: finish_merged_bench());
//   bench_start_at(),       `--start-at T`: when the load starts, so that
//   wait_for_bench_start()  shards started apart begin together.
// Running the plan (load::run_workers with one workloads::BenchWorkload per
// worker), progress, the request log and the output files stay with the
// front ends.

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load/runner.h"
#include "harness/result/run_result.h"
#include "harness/scenario/shard.h"
#include "harness/util/result.h"
#include "harness/workloads/bench_workload.h"

namespace h2soak::run {

// How make_bench_plan's messages name the options.
enum class BenchSpelling {
  kFlags,     // the CLI's flags: "-c must be at least 1", "--rate: ..."
  kKeywords,  // h2soak.bench's keywords: "clients: must be at least 1", "rate: ..."
};

// One option as each front end names it: the CLI's flag ("--rate", "-D") and
// the Python keyword ("rate", "duration"); for bench's and capacity's checks,
// whose messages name the option as the caller wrote it.
struct OptionName {
  const char* flag;
  const char* keyword;
  // How a message names it: "--stage" for the CLI, "stage" for Python.
  const char* in(BenchSpelling s) const { return s == BenchSpelling::kKeywords ? keyword : flag; }
};

// One option's text through a units:: parser ("500ms", "64KiB", "500/s"); its
// error names the option as `spelling` asks ("-D: unknown duration unit ...",
// "duration: unknown duration unit ...").
template <typename T>
Result<T> parse_option(BenchSpelling spelling, OptionName opt, const std::string& text,
                       Result<T> (*parse)(std::string_view)) {
  auto v = parse(text);
  if (!v) return Error(v.error().message(), opt.in(spelling));
  return *v;
}

// The keywords that name the URLs, -c and -m in make_bench_plan's kKeywords
// messages: h2soak.bench's by default; h2soak.capacity, which shares the
// checks, calls them urls, connections and streams.
struct BenchKeywords {
  const char* urls = "url";
  const char* clients = "clients";
  const char* max_streams = "max_streams";
};

// `h2soak bench`'s options as given: durations ("10s", a bare number is
// seconds), sizes ("64KiB", a bare number is bytes) and rates ("500/s") are
// text, parsed by make_bench_plan; "" is "not given". Each field names the CLI
// flag it mirrors (the Python keyword is the long flag in snake_case).
struct BenchOptions {
  std::vector<std::string> urls;            // URL...: round robin, all on one scheme://host:port
  std::uint64_t requests = 1;               // -n, --requests: in all (ignored with -D)
  std::uint32_t clients = 1;                // -c, --clients: connections
  std::uint32_t max_streams = 1;            // -m, --max-concurrent-streams: per connection
  int threads = 1;                          // -t, --threads: worker threads (at most -c)
  std::string duration;                     // -D, --duration: run this long after the warm-up instead of -n
  std::string warmup;                       // --warm-up-time
  std::vector<std::string> headers;         // -H, --header: "name: value" each
  std::string data_file;                    // -d, --data: request body from this file (method becomes POST)
  std::string data_size;                    // --data-size: generated request body of this size
  std::string method;                       // --method: "" is GET, POST with a body
  bool h1 = false;                          // --h1: HTTP/1.1 (curl) instead of HTTP/2
  std::string active_timeout;               // -T, --connection-active-timeout
  std::string inactivity_timeout;           // -N, --connection-inactivity-timeout
  std::string request_timeout;              // --request-timeout
  std::string connect_timeout = "10s";      // --connect-timeout
  std::uint32_t window_bits = 30;           // -w, --window-bits: stream window 2^N-1 (at most 30)
  std::uint32_t connection_window_bits = 30;  // -W, --connection-window-bits
  std::string header_table_size = "4096";   // --header-table-size
  std::string max_frame_size = "16384";     // --max-frame-size: 16384..16777215
  std::string rate;                         // --rate: open model, requests/s for the whole run; "": closed
  bool poisson = false;                     // --poisson: exponential gaps (needs --rate)
  std::uint64_t max_in_flight = 0;          // --max-in-flight: open model bound; 0: c*m
  bool insecure = false;                    // -k, --insecure: do not verify the server certificate
  bool tls_resume = false;                  // --tls-resume
  std::string ciphersuites;                 // --tls13-ciphers (OpenSSL names)
  std::string ca_file;                      // --ca-file: extra CA certificate (PEM)
  std::string shard;                        // --shard i/N: run shard i of N of the load; "": all of it
  std::string start_at;                     // --start-at: UNIX_SECONDS or +S, when the load starts; "": at once
  BenchSpelling spelling = BenchSpelling::kFlags;  // how error messages name the options
  BenchKeywords keywords;                   // with kKeywords: the names of the URLs, -c and -m
};

// Checks every option (URLs parsed and the first resolved, the body file
// read, the file descriptor budget of -c against the raised limit) and builds
// the plan; the Error says what is wrong, naming the option as `spelling` asks.
// With `shard`: the plan of that shard (shard_bench_plan() of the whole
// run's plan, whose checks come first), refused when the shard would have no
// load and when -t exceeds its clients.
// plan.log and plan.log_origin_unix are left for the caller.
Result<workloads::BenchPlan> make_bench_plan(const BenchOptions& options);

// Shard `shard` of `whole` (a plan of the whole run): -c, -n and --rate
// split exactly as a scenario's bench workload is (scenario/shard.h:
// shard_plan(); requests and rate split, clients split exactly in a closed
// model with -D, at least 1 otherwise), --max-in-flight split (at least 1),
// and first_due its slot in the whole run's arrivals (i / rate). With
// --poisson each shard draws its own gaps: seed is the whole run's for shard
// 1/N (index 0; so --shard 1/1 draws what the unsharded run draws) and
// SplitMix64(seed XOR i) for index i > 0, so the N shards are independent
// Poisson processes of rate / N each, whose union is one of the whole rate.
// Everything else is copied. A shard with no load has clients 0
// (make_bench_plan() refuses it). Pure.
Result<workloads::BenchPlan> shard_bench_plan(const workloads::BenchPlan& whole, const scenario::Shard& shard);

// The whole run of a shard (`options` as given, `whole` the plan before the
// split) in canonical text: a first line "h2soak.bench/v1", then "key=value"
// lines in a fixed order: the workload params the unsharded run writes
// (bench_result(): urls, clients, requests, rate, ...) and every other option
// that shapes the load (headers, timeouts, windows, TLS). A shard's result
// carries it in metadata.extra["bench_plan"], its scenario::text_hash() in
// metadata.scenario_hash: shards of one bench share both, as shards of one
// scenario share its hash. Pure.
std::string bench_plan_text(const BenchOptions& options, const workloads::BenchPlan& whole);

// The "key=value" lines of a bench_plan_text(). Errors: not such a text.
Result<std::map<std::string, std::string>> parse_bench_plan_text(const std::string& text);

// --start-at as a wall-clock time (seconds since the epoch), `now_unix` being
// "now" for "+S"; nullopt when not given. The same parser and checks as run's
// and sample's --start-at (run/start_barrier.h: parse_start_at()), the error
// naming the option as `spelling` asks ("--start-at: ...", "start_at: ...").
// Shards of one bench given one T start their schedules together, so that
// their arrivals interleave (shard_bench_plan(): first_due).
Result<std::optional<double>> bench_start_at(const BenchOptions& options, double now_unix);

// Blocks until `start_at` (a bench_start_at()), checking `stop` (may be null)
// every 50 ms. Returns false when stopped first; true at once when nullopt.
bool wait_for_bench_start(std::optional<double> start_at, const std::atomic<bool>* stop);

// The engine's options (threads, -D, --warm-up-time, TLS) for options that
// make_bench_plan accepted; stop_flag and on_progress are left for the caller.
load::RunnerOptions bench_runner_options(const BenchOptions& options);

// The result `h2soak bench --json` writes for a finished (or stopped) run that
// started at `start_unix`, with `generator` from out.workers and the warnings
// run::check_generator() gives for the steady phase. With options.shard
// (`plan` is then the shard's): metadata.extra["shard"] = "i/N", and
// extra["bench_plan"] and scenario_hash as bench_plan_text() says.
result::RunResult bench_result(const BenchOptions& options, const workloads::BenchPlan& plan,
                               const load::RunOutcome& out, double start_unix, const std::string& version,
                               const std::string& git_revision, std::vector<std::string> command_line);

}  // namespace h2soak::run
