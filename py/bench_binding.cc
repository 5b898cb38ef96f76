// h2soak.bench(url, **options): `h2soak bench` from Python.
//
// The options are the CLI's long options in snake_case (see kBenchDoc and
// harness/cli/bench_command.cc). Python's types (numbers for durations, sizes
// and rates; a dict of headers) become the text the CLI takes, in a
// run::BenchOptions (py/keywords.h: TypeError for a wrong type or an unknown keyword); the
// CLI's own checks, run::make_bench_plan() (harness/run/bench.h), turn it into
// a workloads::BenchPlan before any socket opens (ValueError, with the keyword
// names in the messages). The plan then runs on the engine — load::run_workers
// with one workloads::BenchWorkload per worker, as the CLI does — on a worker
// thread with the GIL released (run_released: Ctrl-C stops it cleanly and is
// re-raised). The outcome becomes the Result that `h2soak bench --json`
// writes (run::bench_result(): one workload "bench", phases warmup and
// steady, the generator's warnings), with `summary`, the CLI's h2load-shaped
// text, as an extra attribute.
#include "py/bindings.h"

#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>


#include "harness/load/runner.h"
#include "harness/result/result_json.h"
#include "harness/run/bench.h"
#include "harness/run/start_barrier.h"
#include "harness/util/clock.h"
#include "harness/workloads/bench_report.h"
#include "harness/workloads/bench_workload.h"
#include "harness/workloads/request_log.h"
#include "py/keywords.h"

#ifndef H2SOAK_GIT_REVISION
#define H2SOAK_GIT_REVISION ""
#endif

namespace py = pybind11;

namespace h2soak::py_binding {
namespace {

// Everything a bench run needs, checked.
struct BenchSetup {
  run::BenchOptions options;
  workloads::BenchPlan plan;
  std::optional<double> start_at;  // when the load starts (run::bench_start_at); nullopt: at once
  std::optional<std::string> json;
  std::optional<std::string> log_file;
};

// The keywords as the CLI's options (the checks are make_bench_plan's).
run::BenchOptions options_of(const py::handle& url, KeywordArgs& o) {
  run::BenchOptions b;
  b.spelling = run::BenchSpelling::kKeywords;
  b.urls = texts_of(url, "url");
  // -n -c -m -t -D --warm-up-time --rate --poisson --max-in-flight
  b.requests = static_cast<std::uint64_t>(integer_of(o.take("requests"), "requests", 1, 0, INT64_MAX));
  b.clients = static_cast<std::uint32_t>(integer_of(o.take("clients"), "clients", 1, 0, UINT32_MAX));
  b.max_streams = static_cast<std::uint32_t>(integer_of(o.take("max_streams"), "max_streams", 1, 0, UINT32_MAX));
  b.threads = static_cast<int>(integer_of(o.take("threads"), "threads", 1, 0, 256));
  b.duration = duration_of(o.take("duration"), "duration");
  b.warmup = duration_of(o.take("warm_up_time"), "warm_up_time");
  b.rate = rate_of(o.take("rate"), "rate");
  b.poisson = flag_of(o.take("poisson"));
  b.max_in_flight = static_cast<std::uint64_t>(integer_of(o.take("max_in_flight"), "max_in_flight", 0, 0, INT64_MAX));
  // -H -d --data-size --method
  b.data_file = opt_path(o.take("data")).value_or("");
  b.data_size = size_of(o.take("data_size"), "data_size", "");
  b.method = text_of(o.take("method"), "method");
  b.headers = headers_of(o.take("headers"));
  // -T -N --request-timeout --connect-timeout -w -W --header-table-size --max-frame-size --h1
  b.active_timeout = duration_of(o.take("connection_active_timeout"), "connection_active_timeout");
  b.inactivity_timeout = duration_of(o.take("connection_inactivity_timeout"), "connection_inactivity_timeout");
  b.request_timeout = duration_of(o.take("request_timeout"), "request_timeout");
  const py::object connect_timeout = o.take("connect_timeout");
  if (!connect_timeout.is_none()) b.connect_timeout = duration_of(connect_timeout, "connect_timeout");
  b.window_bits = static_cast<std::uint32_t>(integer_of(o.take("window_bits"), "window_bits", 30, 0, UINT32_MAX));
  b.connection_window_bits = static_cast<std::uint32_t>(
      integer_of(o.take("connection_window_bits"), "connection_window_bits", 30, 0, UINT32_MAX));
  b.header_table_size = size_of(o.take("header_table_size"), "header_table_size", b.header_table_size);
  b.max_frame_size = size_of(o.take("max_frame_size"), "max_frame_size", b.max_frame_size);
  b.h1 = flag_of(o.take("h1"));
  // -k --tls-resume --tls13-ciphers --ca-file
  b.insecure = flag_of(o.take("insecure"));
  b.tls_resume = flag_of(o.take("tls_resume"));
  b.ciphersuites = text_of(o.take("tls13_ciphers"), "tls13_ciphers");
  b.ca_file = opt_path(o.take("ca_file")).value_or("");
  // --shard --start-at
  b.shard = text_of(o.take("shard"), "shard");
  b.start_at = time_of(o.take("start_at"), "start_at");
  return b;
}

BenchSetup make_setup(const py::handle& url, const py::kwargs& kw) {
  BenchSetup s;
  KeywordArgs o(kw, "bench");
  s.options = options_of(url, o);
  s.json = opt_path(o.take("json"));
  s.log_file = opt_path(o.take("log_file"));
  o.check_all_taken();
  auto plan = run::make_bench_plan(s.options);
  if (!plan) throw py::value_error(plan.error().message());
  s.plan = std::move(*plan);
  auto start_at = run::bench_start_at(s.options, unix_seconds());
  if (!start_at) throw py::value_error(start_at.error().message());
  s.start_at = *start_at;
  return s;
}

std::unique_ptr<workloads::RequestLog> open_log(const BenchSetup& s) {
  if (!s.log_file) return nullptr;
  auto opened = workloads::RequestLog::open(*s.log_file);
  if (!opened) bad_value("log_file", opened.error().message());
  return std::move(*opened);
}

py::object bench(const py::object& url, const py::kwargs& kw) {
  BenchSetup s = make_setup(url, kw);
  std::unique_ptr<workloads::RequestLog> log = open_log(s);
  s.plan.log = log.get();
  load::RunnerOptions runner = run::bench_runner_options(s.options);
  std::atomic<bool> stop{false};
  runner.stop_flag = &stop;

  double start_unix = 0;
  bool started = false;
  load::RunOutcome out;
  std::unique_ptr<py::error_already_set> pending = run_released(
      [&] {
        if (!run::wait_for_bench_start(s.start_at, &stop)) return;
        started = true;
        start_unix = unix_seconds();
        s.plan.log_origin_unix = start_unix;
        out = load::run_workers(runner, [&s](load::Worker& w) {
          return std::make_unique<workloads::BenchWorkload>(w, s.plan);
        });
      },
      stop, {});
  log.reset();  // flushes (every worker buffer was flushed when its workload was destroyed)
  // Ctrl-C while waiting for start_at: no load ran, so there is no Result.
  if (pending && !started) reraise_with_results(*pending, py::none(), py::none(), py::list(), py::list());

  result::RunResult r = run::bench_result(s.options, s.plan, out, start_unix, H2SOAK_VERSION, H2SOAK_GIT_REVISION,
                                         python_command_line());
  run::record_start_at(s.start_at, start_unix, r.metadata.extra);
  r.metadata.extra["driver"] = "python";
  if (s.json) {
    Status st = [&] {
      py::gil_scoped_release release;
      return result::write_result(r, *s.json);
    }();
    if (!st) raise_result_error(st.error());
  }
  py::object obj = result_object(std::move(r), s.json.value_or(""));
  obj.attr("summary") = workloads::format_bench_summary(out, s.plan);
  const py::object path = obj.attr("path");
  if (pending) reraise_with_results(*pending, obj, path, py::list(), py::list());
  if (out.never_connected) {
    const std::string message = "no connection to " + s.options.urls.front() + " could be established" +
                                (out.last_error.empty() ? "" : ": " + out.last_error);
    py::list errors;
    errors.append(message);
    raise_run_error(message, obj, path, py::list(), errors);
  }
  return obj;
}

constexpr const char* kBenchDoc = R"doc(bench(url, **options) -> Result

`h2soak bench` (h2load's options) from Python: load `url` (a str, or a list
of URLs on one scheme://host:port, used round robin) and return the Result
that `h2soak bench --json` writes: one workload "bench" with phases "warmup"
and "steady", metadata.scenario_name "bench", no target samples. `.summary`
is the CLI's h2load-shaped text; `.path` the json file (or None).

Options (the long CLI options in snake_case; durations are "10s"-style str
or seconds, sizes "64KiB"-style str or bytes):
  requests=1          -n: requests in all (ignored with duration)
  clients=1           -c: connections
  max_streams=1       -m (--max-concurrent-streams): streams per connection
  threads=1           -t: worker threads (1..256, at most clients)
  duration=None       -D: run this long after the warm-up instead of -n
  warm_up_time=None   warm-up before measuring
  rate=None           open model: requests/s for the whole run ("500/s" or a number)
  poisson=False       open model with exponential gaps (needs rate)
  max_in_flight=0     open model: bound on requests in flight (0: clients * max_streams)
  headers=None        dict {name: value} or list of "name: value" (-H)
  data=None           request body from this file (-d; method becomes POST)
  data_size=None      generated request body of this size
  method=None         default GET, POST with a body
  h1=False            HTTP/1.1 (curl) instead of HTTP/2
  connection_active_timeout=None, connection_inactivity_timeout=None (-T, -N),
  request_timeout=None, connect_timeout="10s"
  window_bits=30, connection_window_bits=30 (-w, -W: 0..30),
  header_table_size=4096, max_frame_size=16384
  insecure=False      -k: do not verify the server certificate
  tls_resume=False, tls13_ciphers=None, ca_file=None
  shard=None          "i/N": run shard i of N of the load (clients, requests,
                      rate, max_in_flight split N ways); the Result carries the
                      whole run's options for `h2soak merge`
  start_at=None       when the load starts: seconds since the epoch (a number,
                      e.g. time.time() + 5, or a str) or "+S" from now, at
                      most 1 s past and 1 h ahead (the CLI's --start-at);
                      shards of one bench given one start_at start together.
                      metadata["extra"] gets start_at and start_lag_ms
  json=None           also write the result to this file
  log_file=None       one line per request (start, status, connect, TLS, TTFB, total, bytes)

Raises TypeError for an unknown keyword or a wrong type, ValueError for a
bad value (message "name: what is wrong", checked before any connection),
RunError (a RuntimeError) when no connection could be established (its
`result` is the aborted Result), ResultError when `json` cannot be written.
The GIL is released while the load runs; Ctrl-C stops the run cleanly and
KeyboardInterrupt is re-raised with the partial Result as `.result` (None
when it came while waiting for start_at, before any load).)doc";

}  // namespace

void bind_bench(py::module_& m) {
  m.attr("Result").attr("summary") = py::none();
  m.def("bench", &bench, py::arg("url"), kBenchDoc);
}

}  // namespace h2soak::py_binding
