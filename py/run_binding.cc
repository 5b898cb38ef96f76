// h2soak.run: load a scenario (file or dict), run it with harness/run's
// run_batch() on a worker thread, and meanwhile keep the calling thread —
// GIL released — polling every 200 ms for Ctrl-C (PyErr_CheckSignals) and for
// a new progress line to hand to the Python callback (GIL held, never
// concurrently, never from the worker thread).
//
// The released-GIL loop, the Result object with its path and the RunError /
// re-raise helpers are shared with h2soak.bench (py/bindings.h).
//
// Progress: the runner hands its typed progress value (run::ProgressState)
// to RunOptions::on_progress on the load thread once a second; a mailbox
// keeps the latest one for the calling thread, which turns it into a dict.
#include "py/bindings.h"

#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "harness/run/batch.h"
#include "harness/run/progress.h"
#include "harness/run/runner.h"
#include "harness/scenario/loader.h"

namespace py = pybind11;
namespace run = h2soak::run;
namespace scn = h2soak::scenario;

#ifndef H2SOAK_DEFAULT_TARGET_BIN
#define H2SOAK_DEFAULT_TARGET_BIN ""
#endif
#ifndef H2SOAK_GIT_REVISION
#define H2SOAK_GIT_REVISION ""
#endif

namespace h2soak::py_binding {
namespace {

PyObject* g_scenario_error = nullptr;
PyObject* g_run_error = nullptr;

[[noreturn]] void raise_scenario_error(const std::string& message) {
  PyErr_SetString(g_scenario_error, message.c_str());
  throw py::error_already_set();
}

// The latest progress value of the run, handed over from the load thread
// (run::RunOptions::on_progress) to the calling thread, which builds the
// Python dict with the GIL held.
class ProgressMailbox {
 public:
  void put(const run::ProgressState& s) {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = s;
    fresh_ = true;
  }
  // The latest value if it arrived after the last take_new().
  std::optional<run::ProgressState> take_new() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fresh_) return std::nullopt;
    fresh_ = false;
    return latest_;
  }

 private:
  std::mutex mu_;
  run::ProgressState latest_;
  bool fresh_ = false;
};

py::dict progress_dict(const run::ProgressState& s) {
  py::dict d;
  d["line"] = run::format_progress(s);
  d["label"] = s.label;
  d["phase"] = s.phase.empty() ? std::string("end") : s.phase;
  d["elapsed"] = s.elapsed;
  d["total"] = s.total;
  d["eta"] = run::eta_seconds(s);
  d["rps"] = s.rps;
  d["errors"] = s.errors;
  d["in_flight"] = s.in_flight;
  d["rss"] = s.target ? py::cast(s.target->rss) : py::none();
  d["threads"] = s.target ? py::cast(s.target->threads) : py::none();
  d["fds"] = s.target ? py::cast(s.target->fds) : py::none();
  return d;
}

std::string resolve_reference_binary(const std::optional<std::string>& given) {
  if (given && !given->empty()) return *given;
  if (const char* env = std::getenv("H2SOAK_TARGET_BIN"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (std::filesystem::exists(H2SOAK_DEFAULT_TARGET_BIN, ec)) return H2SOAK_DEFAULT_TARGET_BIN;
  return "";  // the runner's find_reference_server(), which reports what it looked for
}

struct RunArgs {
  std::optional<std::string> out_dir;
  int threads = 2;
  py::object progress;
  scn::TargetOverrides overrides;
  std::optional<std::string> reference_binary;
  int runs = 1;
};

std::vector<scn::Plan> load_plans(py::handle scenario, const scn::TargetOverrides& overrides, bool& single) {
  single = true;
  if (py::isinstance<py::dict>(scenario)) {
    // Indented, so "<dict>:line:col" points somewhere readable.
    const py::object to_str = py::module_::import("builtins").attr("str");
    const std::string text = py::module_::import("json")
                                 .attr("dumps")(scenario, py::arg("indent") = 2, py::arg("default") = to_str)
                                 .cast<std::string>();
    std::optional<std::string> error;
    std::optional<scn::Plan> plan;
    {
      py::gil_scoped_release release;
      auto s = scn::load_scenario_text(text, "<dict>");
      if (!s) {
        error = s.error().message();
      } else if (auto st = overrides.empty() ? Status{} : scn::apply_overrides(*s, overrides); !st) {
        error = st.error().message();
      } else if (auto p = scn::make_plan(*s); !p) {
        error = p.error().message();
      } else {
        plan = std::move(*p);
      }
    }
    if (error) raise_scenario_error(*error);
    std::vector<scn::Plan> plans;
    plans.push_back(std::move(*plan));
    return plans;
  }
  if (!py::isinstance<py::str>(scenario) && !py::hasattr(scenario, "__fspath__")) {
    throw py::type_error("scenario must be a path (str or os.PathLike) or a dict");
  }
  const std::string path = py::module_::import("os").attr("fspath")(scenario).cast<std::string>();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    PyErr_SetObject(PyExc_FileNotFoundError, py::make_tuple(ENOENT, "No such scenario file", path).ptr());
    throw py::error_already_set();
  }
  h2soak::Result<run::LoadedPlans> loaded = [&] {
    py::gil_scoped_release release;
    return run::load_plans(path, overrides);
  }();
  if (!loaded) raise_scenario_error(loaded.error().message());
  single = loaded->suite_name.empty();
  return std::move(loaded->plans);
}

py::object run_entry(py::handle scenario, const RunArgs& args) {
  if (args.threads < 1 || args.threads > 256) throw py::value_error("threads must be in 1..256");
  if (args.runs < 1 || args.runs > 100) throw py::value_error("runs must be in 1..100");
  if (!args.progress.is_none() && !PyCallable_Check(args.progress.ptr())) {
    throw py::type_error("progress must be a callable taking a dict, or None");
  }
  bool single = true;
  const std::vector<scn::Plan> plans = load_plans(scenario, args.overrides, single);

  run::BatchOptions bo;
  bo.runs = args.runs;
  bo.summary_out = nullptr;
  bo.run.out_dir = args.out_dir ? *args.out_dir
                                : py::module_::import("tempfile")
                                      .attr("mkdtemp")(py::arg("prefix") = "h2soak-run-")
                                      .cast<std::string>();
  bo.run.threads = args.threads;
  bo.run.reference_binary = resolve_reference_binary(args.reference_binary);
  bo.run.version = H2SOAK_VERSION;
  bo.run.git_revision = H2SOAK_GIT_REVISION;
  bo.run.command_line = python_command_line();
  bo.run.extra_metadata["driver"] = "python";
  std::atomic<bool> stop{false};
  bo.run.stop_flag = &stop;
  bo.run.progress = nullptr;
  bo.run.progress_tty = false;

  ProgressMailbox mailbox;
  const bool want_progress = !args.progress.is_none();
  if (want_progress) bo.run.on_progress = [&mailbox](const run::ProgressState& s) { mailbox.put(s); };

  const auto deliver_progress = [&] {  // GIL held
    if (auto p = mailbox.take_new()) args.progress(progress_dict(*p));
  };
  run::BatchResult batch;
  std::unique_ptr<py::error_already_set> pending = run_released(
      [&] { batch = run::run_batch(plans, bo); }, stop,
      want_progress ? std::function<void()>(deliver_progress) : std::function<void()>());

  py::list results;
  py::object partial = py::none();
  py::object partial_path = py::none();
  for (auto& o : batch.outcomes) {
    if (o.end == run::RunEnd::kCompleted) {
      results.append(result_object(std::move(o.result), o.result_path));
    } else if (partial.is_none() && o.end != run::RunEnd::kNotStarted) {
      if (!o.result_path.empty()) partial_path = py::str(o.result_path);
      partial = result_object(std::move(o.result), o.result_path);
    }
  }
  py::list errors;
  for (const auto& e : batch.errors) errors.append(e);

  if (pending) reraise_with_results(*pending, partial, partial_path, results, errors);
  if (batch.incomplete) {
    std::string message = "run could not be completed: ";
    for (std::size_t i = 0; i < batch.errors.size(); ++i) message += (i ? "; " : "") + batch.errors[i];
    if (batch.errors.empty()) message += "interrupted";
    if (!partial_path.is_none()) message += " (partial result: " + partial_path.cast<std::string>() + ")";
    raise_run_error(message, partial, partial_path, results, errors);
  }
  if (single && args.runs == 1 && results.size() == 1) return py::object(results[0]);
  return results;
}

constexpr const char* kRunDoc = R"doc(run(scenario, *, out_dir=None, threads=2, progress=None, target_url=None,
    spawn=None, pid=None, pidfile=None, remote=False, reference_binary=None, runs=1)

Run a scenario against its target, sample the target, analyse, and return
the Result (the same type load_result returns; `result.path` is the JSON
file written to out_dir).

scenario          path of a scenario YAML file (a suite file runs each of its
                  scenarios), or a dict with the same keys as the YAML
                  (dumped to JSON and loaded as "<dict>"; relative paths in it
                  resolve against the current directory).
out_dir           folder for <scenario>.json and <scenario>.target.log
                  (created); None: a new tempfile.mkdtemp("h2soak-run-").
threads           load generator worker threads (1..256).
progress          callable taking a dict, called about once a second from
                  the calling thread with the GIL held: phase, elapsed,
                  total, eta (s), rps, errors, in_flight, label, line, and the
                  target's rss (bytes), threads, fds (None before the first
                  sample).
target_url, spawn, pid, pidfile, remote
                  replace the scenario's target, as `h2soak run --target-url
                  --spawn --pid --pidfile --remote` do (remote=True: drive
                  the url only; no process is started or sampled here).
reference_binary  the h2soak-target binary for "spawn: h2soak-target ...";
                  default: $H2SOAK_TARGET_BIN, else DEFAULT_REFERENCE_BINARY
                  (the one built with this module).
runs              repeat each scenario K times (files <name>.run<k>.json).

Returns a Result for one scenario run once; otherwise (runs > 1 or a suite)
a list of Results in run order.

Raises ScenarioError (a ValueError; message "file:line:col: ...") for an
invalid scenario or target override, FileNotFoundError for a missing file,
RunError when a run could not be completed (target not started, target died,
result not written). The GIL is released during the run. Ctrl-C
(KeyboardInterrupt) stops the run cleanly — the result is written with
status "aborted" — and is then re-raised. An exception raised by `progress`
stops the run the same way and is re-raised. Exceptions raised after the
run started carry: result (the partial Result or None), result_path,
results (the Results of runs that completed), errors (one line per run that
did not complete).)doc";

}  // namespace

py::object result_object(result::RunResult&& r, const std::string& path) {
  py::object o = py::cast(std::move(r));
  o.attr("path") = path.empty() ? py::object(py::none()) : py::object(py::str(path));
  return o;
}

std::optional<std::string> opt_path(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  return py::module_::import("os").attr("fspath")(o).cast<std::string>();
}

std::vector<std::string> python_command_line() {
  const py::module_ sys = py::module_::import("sys");
  std::vector<std::string> argv{sys.attr("executable").cast<std::string>()};
  if (py::hasattr(sys, "argv")) {
    for (auto a : sys.attr("argv")) argv.push_back(py::str(a));
  }
  return argv;
}

std::unique_ptr<py::error_already_set> run_released(const std::function<void()>& work, std::atomic<bool>& stop,
                                                    const std::function<void()>& poll) {
  std::exception_ptr work_error;
  std::unique_ptr<py::error_already_set> pending;  // KeyboardInterrupt or poll's exception
  const auto poll_once = [&] {  // GIL held
    if (pending || !poll) return;
    try {
      poll();
    } catch (py::error_already_set& e) {
      pending = std::make_unique<py::error_already_set>(std::move(e));
      stop.store(true);
    }
  };
  {
    py::gil_scoped_release release;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread worker([&] {
      try {
        work();
      } catch (...) {
        work_error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      cv.notify_all();
    });
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu);
        if (cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; })) break;
      }
      py::gil_scoped_acquire gil;
      if (!pending && PyErr_CheckSignals() != 0) {
        pending = std::make_unique<py::error_already_set>();
        stop.store(true);  // the work ends cleanly (a run: state "aborted", partial result written)
      }
      poll_once();
    }
    worker.join();
    py::gil_scoped_acquire gil;
    poll_once();  // what arrived after the last wake-up
  }
  if (work_error) std::rethrow_exception(work_error);
  return pending;
}

namespace {
// Puts result/results/result_path/errors on an exception object (best effort).
void annotate(py::handle exc, const py::object& partial, const py::object& partial_path, const py::list& results,
              const py::list& errors) {
  if (!exc || exc.is_none()) return;
  try {
    exc.attr("result") = partial;
    exc.attr("result_path") = partial_path;
    exc.attr("results") = results;
    exc.attr("errors") = errors;
  } catch (py::error_already_set&) {
  }
}
}  // namespace

void reraise_with_results(py::error_already_set& pending, const py::object& partial, const py::object& partial_path,
                          const py::list& results, const py::list& errors) {
  annotate(pending.value(), partial, partial_path, results, errors);
  pending.restore();
  throw py::error_already_set();
}

void raise_run_error(const std::string& message, const py::object& partial, const py::object& partial_path,
                     const py::list& results, const py::list& errors) {
  py::object exc = py::handle(g_run_error)(message);
  annotate(exc, partial, partial_path, results, errors);
  PyErr_SetObject(g_run_error, exc.ptr());
  throw py::error_already_set();
}

void bind_run(py::module_& m) {
  g_scenario_error = PyErr_NewExceptionWithDoc(
      "h2soak.ScenarioError",
      "An invalid scenario or target override; str(e) is \"file:line:col: message\" (\"<dict>\" for a dict).",
      PyExc_ValueError, nullptr);
  m.attr("ScenarioError") = py::handle(g_scenario_error);
  g_run_error = PyErr_NewExceptionWithDoc(
      "h2soak.RunError",
      "A run could not be completed. Attributes: result (partial Result or None), result_path (its JSON file "
      "or None), results (completed Results), errors (one line per run that did not complete).",
      PyExc_RuntimeError, nullptr);
  m.attr("RunError") = py::handle(g_run_error);
  m.attr("DEFAULT_REFERENCE_BINARY") = H2SOAK_DEFAULT_TARGET_BIN;

  m.def(
      "run",
      [](py::handle scenario, py::object out_dir, int threads, py::object progress,
         std::optional<std::string> target_url, std::optional<std::string> spawn, std::optional<std::int64_t> pid,
         py::object pidfile, bool remote, py::object reference_binary, int runs) {
        RunArgs a;
        a.out_dir = opt_path(out_dir);
        a.threads = threads;
        a.progress = std::move(progress);
        a.overrides.url = std::move(target_url);
        a.overrides.spawn = std::move(spawn);
        a.overrides.pid = pid;
        a.overrides.pidfile = opt_path(pidfile);
        a.overrides.remote = remote;
        a.reference_binary = opt_path(reference_binary);
        a.runs = runs;
        return run_entry(scenario, a);
      },
      py::arg("scenario"), py::kw_only(), py::arg("out_dir") = py::none(), py::arg("threads") = 2,
      py::arg("progress") = py::none(), py::arg("target_url") = py::none(), py::arg("spawn") = py::none(),
      py::arg("pid") = py::none(), py::arg("pidfile") = py::none(), py::arg("remote") = false,
      py::arg("reference_binary") = py::none(),
      py::arg("runs") = 1, kRunDoc);
}

}  // namespace h2soak::py_binding
