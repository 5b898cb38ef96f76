#pragma once
// Loading scenario and suite files: the public API of harness/scenario.
//
// Who calls: `h2soak run` / `baseline record` / `ab` (harness/cli), the Python
// bindings (py/), and tests. Order: load_*() → (optional overrides by the
// caller, e.g. --target-url, then validate_scenario()) → make_plan() → run.
// Everything here is pure and synchronous: it reads files and the process
// environment, never opens a socket, never throws (errors are values; a
// yaml-cpp exception is caught and turned into an Error).
//
// Errors: Error::where() is "file:line:col" (1-based line and byte column,
// in the file as written, before ${ENV} substitution) and Error::what() the
// message; Error::message() is "file:line:col: message", what `h2soak` prints
// before exiting with code 2. The first error found is returned.
//
// What the loader does, in order:
//   1. reads the file; substitutes ${NAME} and ${NAME:-default} in the text
//      (outside comments; "$${" writes a literal "${"), remembering where each
//      substitution was so that positions still point into the original text;
//      an undefined variable without a default is an error at its `$`;
//   2. parses YAML (yaml-cpp 0.7); a top-level `suite:` key makes it a suite;
//   3. decodes strictly: unknown keys ("unknown key 'thnk'; did you mean
//      'think'?" — optimal-string-alignment distance <= 2), duplicate keys,
//      wrong types, missing required fields, values with units through
//      harness/util/units.h;
//   4. applies defaults and validates (impossible values, e.g. a zero count,
//      min > max, steady shorter than 10 sample intervals).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/scenario/plan.h"
#include "harness/scenario/scenario.h"
#include "harness/util/result.h"

namespace h2soak::scenario {

// Looks up an environment variable; nullopt when undefined. The default reads
// the process environment (getenv). Tests pass a map-backed one.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();

// Files ---------------------------------------------------------------------

// A scenario file. `name` defaults to the file's stem.
Result<Scenario> load_scenario(const std::string& path, const EnvLookup& env = process_env());

// A suite file: each listed scenario loaded (paths relative to the suite
// file), its phase overrides applied, then validated; the suite's budget
// checked. An error inside a listed scenario names that scenario's file.
Result<Suite> load_suite(const std::string& path, const EnvLookup& env = process_env());

// Either, told apart by a top-level `suite:` key.
Result<std::variant<Scenario, Suite>> load(const std::string& path, const EnvLookup& env = process_env());

// Text (Python dicts dumped to YAML/JSON, tests). `file_name` is used in
// messages and as the default scenario name's source; relative paths in the
// text (pidfile, suite entries) resolve against `base_dir`.
Result<Scenario> load_scenario_text(std::string_view text, const std::string& file_name,
                                    const EnvLookup& env = process_env(),
                                    const std::string& base_dir = ".");
Result<std::variant<Scenario, Suite>> load_text(std::string_view text, const std::string& file_name,
                                                const EnvLookup& env = process_env(),
                                                const std::string& base_dir = ".");

// Validation and planning ----------------------------------------------------

// The checks of step 4 again, for a Scenario changed after loading (CLI target
// overrides, suite phase overrides, Python-built values). load_*() already
// ran it. Errors carry the SourcePos of the offending value when known.
Status validate_scenario(const Scenario& scenario);

// Builds the Plan from a validated scenario: the phase timeline with offsets,
// the load windows, per-workload connections/streams/windows, the totals and
// the hash. Fails only on what validation cannot know (none today besides
// re-running validate_scenario()).
Result<Plan> make_plan(const Scenario& scenario);

// The stable identity of what a scenario measures, to detect a
// baseline/scenario mismatch: lowercase hex SHA-256 of canonical_form().
std::string scenario_hash(const Scenario& scenario);

// Lowercase hex SHA-256 of `text`: scenario_hash() of a canonical form, and
// the identity of another run description that shards share (the options of
// `h2soak bench --shard`, run/bench.h).
std::string text_hash(std::string_view text);

// The canonical decoded form that scenario_hash() digests: one line per value,
// fixed key order, every default resolved, durations in ns, sizes in bytes,
// rates with 17 significant digits. It covers the name, the phases (names,
// durations, load), the sample interval, the workloads (names and every
// parameter) and, when on, the attribution slot (a modulated run measures
// something else than a plain one). It leaves out the target (so CI can point a scenario at another
// build or service without invalidating its baseline), the Prometheus gauges,
// the thresholds and the regression rules (gates, not measurements), the
// description, comments and formatting. It starts with "h2soak.scenario/v1".
std::string canonical_form(const Scenario& scenario);

// Command-line target options ------------------------------------------------

// `h2soak run ... --target-url URL --spawn CMD | --pid N | --pidfile F
// --metrics-url URL --gauge NAME...`: they replace the scenario's target (and
// add to its sampling), so one suite can be pointed at any build or service.
struct TargetOverrides {
  std::optional<std::string> url;
  std::optional<std::string> spawn;  // parsed with parse_spawn()
  std::optional<std::int64_t> pid;
  std::optional<std::string> pidfile;  // relative to the current directory
  // --remote: the target runs on another host; drive --target-url (or the
  // scenario's url) only, start and sample nothing here (scenario.h, Remote).
  bool remote = false;
  std::optional<std::string> metrics_url;
  std::vector<std::string> gauges;  // added to the scenario's gauges (no duplicates)
  bool insecure = false;            // --insecure: skip TLS certificate verification
  // --target-args "WORDS": appended to the spawned target's command (the
  // scenario's own, or --spawn's), e.g. "--fault fd-leak"; split like a
  // command line. An error when the target is attached, not spawned.
  std::optional<std::string> extra_args;
  // --attribute: turn Scenario::attribution on (its slot chosen from steady
  // unless the scenario sets one). Not a target option, but applied and
  // validated at the same point.
  bool attribute = false;
  bool empty() const {
    return !url && !spawn && !pid && !pidfile && !remote && !metrics_url && gauges.empty() && !insecure && !extra_args &&
           !attribute;
  }
};

// Applies the overrides to `scenario`, then validate_scenario(). Rules: at
// most one of spawn/pid/pidfile; the new process replaces the scenario's; a
// target that is not the reference server needs a url without {port} (from
// --target-url or the scenario), else an error naming --target-url; switching
// to the reference server or --insecure sets `insecure`, otherwise it is kept. The
// scenario hash does not change (the target is not part of it). Errors name
// the flag ("--pid: ...").
Status apply_overrides(Scenario& scenario, const TargetOverrides& overrides);

// Helpers shared with the CLI ------------------------------------------------

// `--spawn CMD` and `spawn: CMD`: a command whose first word is exactly
// "h2soak-target" (the bare name, no folder) becomes SpawnReference with the
// remaining words as args (plus "--port 0" when no --port is given), so the
// runner runs the binary it built; anything else (including a path such as
// build/target_server/h2soak-target) is a SpawnCommand. Fails on an empty
// command or unbalanced quotes.
Result<TargetProcess> parse_spawn(std::string_view command);

// Splits a command line into words (single quotes, double quotes, backslash
// escapes; no expansions). Fails on unbalanced quotes.
Result<std::vector<std::string>> split_command(std::string_view command);

// The threshold grammar (parse_threshold, parse_quantity, kMetricRoots):
// harness/scenario/threshold.h, included through scenario.h.

// The built-in regression rules, used when a scenario has no `regression:`
// section and merged under its rules otherwise (scenarios/README.md lists
// them): rss.slope, rss.residual, rss.peak, threads.residual, threads.peak,
// fds.residual, fds.peak, cpu.per_request, latency.p99, rps, errors.
std::vector<RegressionRule> default_regression_rules();

// The closest of `candidates` to `word` by optimal-string-alignment distance,
// if that distance is <= 2 (ties: the first candidate). For "did you mean".
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace h2soak::scenario
