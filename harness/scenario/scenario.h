#pragma once
// The decoded form of a scenario file (scenarios/*.yaml): plain values, no
// behaviour, no sockets. The loader (loader.h) fills these structs from YAML,
// applies every default, and validates them; make_plan() (plan.h) turns a
// Scenario into the Plan the runner executes. scenarios/README.md documents
// every key, its unit and its default — keep the two in step.
//
// Units: every duration is Nanos, every size is bytes (std::uint64_t), every
// rate is events per second (double), every fraction is 0..1. Defaults are
// written in the member initialisers so that a default-constructed value is
// exactly what an absent key decodes to.
//
// Ownership: everything is held by value; a Scenario can be copied, compared
// (operator==) and moved across threads freely.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/scenario/source_pos.h"
#include "harness/scenario/threshold.h"
#include "harness/util/clock.h"
#include "harness/util/units.h"

namespace h2soak::scenario {

using DurationRange = units::Range<Nanos>;
using SizeRange = units::Range<std::uint64_t>;

// ---------------------------------------------------------------------------
// target

// The reference server (target_server/, binary `h2soak-target`). Distinct from
// a command so the runner can put the path of the binary it built in front of
// `args` (argv[0] is not stored). Written in YAML as an absent `spawn` key or a
// `spawn:` command whose first word is `h2soak-target`. The loader makes sure
// `args` contains a `--port` (appends `--port 0` when missing).
struct SpawnReference {
  std::vector<std::string> args{"--port", "0"};
  bool operator==(const SpawnReference&) const = default;
};

// Any other command. `command` is the text as written (after ${ENV}
// substitution); `argv` is that text split into words with POSIX-shell-like
// quoting ('single', "double", backslash) but no expansions, globbing or
// redirections. The runner execs argv directly (no shell); a command that
// needs a shell writes `sh -c '...'` itself.
struct SpawnCommand {
  std::string command;
  std::vector<std::string> argv;
  bool operator==(const SpawnCommand&) const = default;
};

// An already running process, sampled but never started or stopped.
struct AttachPid {
  std::int64_t pid = 0;
  bool operator==(const AttachPid&) const = default;
};

// The pid is read from the file when the run starts (first line, decimal).
struct AttachPidfile {
  std::string path;  // relative paths are relative to the scenario file's folder
  bool operator==(const AttachPidfile&) const = default;
};

// No process on this host: the target runs elsewhere (another machine, a
// Kubernetes service) and only its url is driven. Nothing is started,
// attached or sampled here; the target's samples come from `h2soak sample`
// beside it, joined by `h2soak merge --samples`. Written `remote: true`.
struct Remote {
  bool operator==(const Remote&) const = default;
};

using TargetProcess = std::variant<SpawnReference, SpawnCommand, AttachPid, AttachPidfile, Remote>;

// The literal placeholder for a port learnt at run time: when `url` (or the
// readiness / metrics URL) contains it, the runner reads the port from the
// first line of the spawned process's stdout and substitutes it
// (substitute_port() in plan.h). Only valid with a spawned target.
inline constexpr const char* kPortPlaceholder = "{port}";

struct Target {
  // "https://host:port" → h2 over TLS (ALPN); "http://host:port" → h2c with
  // prior knowledge (h1 where a workload asks for it). No trailing path is
  // needed; a path, if given, is ignored except by the readiness default.
  std::string url = "https://127.0.0.1:{port}";
  TargetProcess process = SpawnReference{};
  // Readiness probe: a GET that must answer (any status < 500) before load
  // starts. A path starting with '/' is relative to `url`.
  std::string ready_url = "/";
  Nanos ready_timeout = std::chrono::seconds(10);
  // Skip TLS certificate verification. Absent: true for the reference server
  // (it makes a self-signed certificate), false otherwise.
  bool insecure = true;
  // After the run: SIGTERM, wait this long, then SIGKILL (spawned targets only).
  Nanos stop_grace = std::chrono::seconds(5);
  SourcePos pos;  // of the `target:` key (or of the document when absent)
  bool operator==(const Target&) const = default;
};

// ---------------------------------------------------------------------------
// phases

inline constexpr const char* kWarmup = "warmup";
inline constexpr const char* kSteady = "steady";
inline constexpr const char* kCooldown = "cooldown";

// Phases run one after another in the order written. warmup, steady and
// cooldown are required; warmup and steady carry load, cooldown does not;
// extra phases say `load: true|false`. Relative order: warmup before steady
// before cooldown, and cooldown last (residuals are read at its end).
struct Phase {
  std::string name;
  Nanos duration{};
  bool load = true;
  SourcePos pos;
  bool operator==(const Phase&) const = default;
};

// ---------------------------------------------------------------------------
// sampling

struct Sample {
  Nanos interval = std::chrono::milliseconds(100);
  // Pss from /proc/PID/smaps_rollup is costlier; read at this lower rate.
  Nanos pss_interval = std::chrono::seconds(1);
  // Prometheus text endpoint; a path starting with '/' is relative to the
  // target url. Empty: no scrape. Required when `gauges` is not empty.
  std::string metrics_url;
  std::vector<std::string> gauges;  // metric names, e.g. "go_goroutines"
  bool operator==(const Sample&) const = default;
};

// ---------------------------------------------------------------------------
// workloads. One struct per kind; parameters are fully resolved (defaults
// applied). The engine's workload implementations read these directly.

enum class WorkloadKind { kTabs, kSse, kUpload, kShortConnections, kIdle, kBench };

// "tabs", "sse", "upload", "short_connections", "idle", "bench".
const char* to_string(WorkloadKind kind);

enum class AssetMode {
  kParse,  // links parsed from the HTML: <link href>, <script src>, <img src>
  kList,   // the paths in TabsWorkload::asset_paths, for every page
  kNone,   // pages only
};

// users × tabs_per_user browser tabs. Each tab loads a page (GET), then its
// assets concurrently, optionally keeps an SSE stream to sse_path open, thinks
// for a random time in `think`, navigates to another page, ... and closes
// when its lifetime ends; a closed tab is replaced by a fresh one so that the
// number of open tabs stays users × tabs_per_user while load runs. Tabs of a
// user share the user's connections (tabs are spread round-robin over
// connections_per_user connections) and cookies; with `session` each user
// does GET login_path once before its first page and sends the cookie after.
struct TabsWorkload {
  std::uint32_t users = 10;
  std::uint32_t tabs_per_user = 2;
  std::uint32_t connections_per_user = 1;  // 1..tabs_per_user
  // Page paths a tab picks from (uniformly). YAML: a list of paths, a count N
  // ("/page/1".."/page/N") or a range "a..b" ("/page/a".."/page/b").
  std::vector<std::string> pages = default_pages();
  AssetMode assets = AssetMode::kParse;
  std::vector<std::string> asset_paths;  // only with AssetMode::kList
  bool sse = false;
  std::string sse_path = "/events";
  DurationRange think{std::chrono::milliseconds(500), std::chrono::seconds(2)};
  // Tab lifetime (uniform in the range). nullopt: a tab lives while load runs.
  std::optional<DurationRange> lifetime;
  bool session = false;
  std::string login_path = "/login";

  static std::vector<std::string> default_pages();  // "/page/1".."/page/20"
  bool operator==(const TabsWorkload&) const = default;
};

enum class SseLeave {
  kRst,    // RST_STREAM(CANCEL); the connection stays
  kClose,  // the whole connection is closed (every stream on it ends)
  kMixed,  // each stream picks rst or close at random, half and half
};
const char* to_string(SseLeave leave);

// `streams` concurrent text/event-stream GETs, packed streams_per_connection
// to a connection. Each stream is held for a random time in `hold`, then the
// client leaves as `leave` says, and a new stream takes its place while load
// runs.
struct SseWorkload {
  std::uint32_t streams = 100;
  std::uint32_t streams_per_connection = 10;
  DurationRange hold{std::chrono::seconds(2), std::chrono::seconds(10)};
  SseLeave leave = SseLeave::kRst;
  std::string path = "/events";
  bool operator==(const SseWorkload&) const = default;
};

enum class SizeDistribution {
  kUniform,    // uniform in [min, max]
  kLogNormal,  // log-uniform-ish: ln(size) normal, mean at the geometric middle
               // of [min, max], ±3σ spanning it, clamped to [min, max]
};
const char* to_string(SizeDistribution d);

// POST (or PUT) bodies streamed with HTTP/2 flow control. Exactly one of
// `rate` (open model: uploads started per second; an upload that would exceed
// max_in_flight is counted as dropped) or `concurrency` (closed model: that
// many uploads always in flight). Neither given: concurrency 4.
struct UploadWorkload {
  std::optional<double> rate;
  std::optional<std::uint32_t> concurrency;
  std::uint32_t max_in_flight = 64;  // open model only
  std::uint32_t connections = 4;     // default: min(4, concurrency) in the closed model
  SizeRange size{64 * 1024, 4 * 1024 * 1024};
  SizeDistribution distribution = SizeDistribution::kUniform;
  std::string path = "/upload";
  std::string method = "POST";  // POST or PUT
  // Check the reply's JSON {size, sha256} against what was sent when present.
  bool verify = true;
  bool operator==(const UploadWorkload&) const = default;
};

enum class Protocol { kH2, kH1 };
const char* to_string(Protocol p);

// A new connection `rate` times per second, each carrying
// requests_per_connection sequential GETs of `path` and then closed by the
// client. At most max_in_flight connections at once; arrivals beyond that
// are counted as dropped. tls_resume: each new TLS connection offers the
// session ticket of an earlier one (abbreviated handshake) instead of a full
// handshake every time.
struct ShortConnectionsWorkload {
  double rate = 50;
  Protocol protocol = Protocol::kH2;
  std::uint32_t requests_per_connection = 1;
  std::uint32_t max_in_flight = 64;
  std::string path = "/";
  bool tls_resume = false;
  bool operator==(const ShortConnectionsWorkload&) const = default;
};

// `connections` connections opened when load starts and then held silent.
// A fraction never finishes the TLS handshake (TCP connect only),
// a fraction finishes the handshake but never sends a request, and the rest
// send one GET of `path` and then stay silent. Records when the server closes
// each one. hold = nullopt: held through the cooldown until the end of the run.
struct IdleWorkload {
  std::uint32_t connections = 100;
  std::optional<Nanos> hold;
  double no_tls_handshake = 0;  // 0..1
  double no_request = 0;        // 0..1; no_tls_handshake + no_request <= 1
  std::string path = "/";
  bool operator==(const IdleWorkload&) const = default;
};

// h2load's models. Closed model: `clients` connections × `max_streams`
// concurrent streams each, until `requests` are done or `duration` passed (or
// while load runs when neither is given). Open model (`rate` set): requests
// are due at a constant rate, latency measured from the due time; at most
// clients × max_streams in flight, the rest counted as dropped.
struct BenchWorkload {
  std::uint32_t clients = 1;      // h2load -c
  std::uint32_t max_streams = 1;  // h2load -m
  std::optional<std::uint64_t> requests;  // h2load -n (>= clients)
  std::optional<Nanos> duration;          // h2load -D
  std::optional<double> rate;             // open model, requests per second
  std::vector<std::string> paths{"/"};    // requests cycle through them
  std::string method = "GET";
  std::uint64_t body_size = 0;            // h2load -d (a generated body of this size)
  std::vector<std::string> headers;       // h2load -H, "name: value"
  bool h1 = false;                        // h2load --h1
  bool operator==(const BenchWorkload&) const = default;
};

using WorkloadParams = std::variant<TabsWorkload, SseWorkload, UploadWorkload,
                                    ShortConnectionsWorkload, IdleWorkload, BenchWorkload>;

struct Workload {
  // Unique within the scenario; default: the kind, or "<kind>2", "<kind>3"...
  // for later workloads of the same kind. [a-z0-9_-]+.
  std::string name;
  WorkloadParams params;
  SourcePos pos;  // of the list item
  WorkloadKind kind() const { return static_cast<WorkloadKind>(params.index()); }
  bool operator==(const Workload&) const = default;
};

// ---------------------------------------------------------------------------
// attribution

// `attribution: true` or `attribution: {slot: 3s}`: during steady, switch
// each workload (all but idle) on and off in slots, every workload after its
// own Walsh pattern (rows of a Hadamard matrix: each on half the slots, every
// two mutually orthogonal), so that the analysis can tell apart what each
// kind of traffic leaves behind (docs/attribution.md). Off by default: it
// halves each workload's average rate during steady.
struct Attribution {
  bool enabled = false;
  Nanos slot{};  // slot length, whole seconds; 0: chosen from the steady length
  SourcePos pos;
  bool operator==(const Attribution&) const = default;
};

// ---------------------------------------------------------------------------
// thresholds and regression rules

// Threshold, Quantity, Unit and CompareOp: harness/scenario/threshold.h.

enum class Direction { kLowerIsBetter, kHigherIsBetter };
const char* to_string(Direction d);  // "lower", "higher"

// How one metric is compared with the baseline. A regression is a change in
// the bad direction larger than max(tolerance × baseline, floor) (and beyond
// the baseline's spread; the compare module decides how). `leak` metrics
// (slopes) also require the slope's confidence interval to exclude the limit.
// What a metric beyond its limit does: fail the job (a regression) or warn.
enum class Gate { kFail, kWarn };

struct RegressionRule {
  std::string metric;
  Direction direction = Direction::kLowerIsBetter;
  double tolerance = 0.10;  // relative, 0.10 = 10 %
  Quantity floor;           // absolute, in the metric's unit
  bool leak = false;
  // Efficiency figures (CPU per request, latency, throughput) warn by default:
  // on a shared machine they move with the machine's load; `h2soak ab` gates
  // them pair by pair.
  Gate gate = Gate::kFail;
  SourcePos pos;            // empty file for built-in rules
  bool operator==(const RegressionRule&) const = default;
};

struct Regression {
  // The built-in rules (default_regression_rules() in loader.h) merged with
  // the scenario's: a rule for the same metric replaces the built-in one.
  // With `builtin: false` only the scenario's rules apply.
  std::vector<RegressionRule> rules;
  bool operator==(const Regression&) const = default;
};

// ---------------------------------------------------------------------------

struct Scenario {
  std::string name;         // `name:`; default: the file's stem
  std::string description;  // optional free text
  std::string source_file;  // the path it was loaded from ("" for text input)
  Target target;
  std::vector<Phase> phases;  // in run order
  Sample sample;
  std::vector<Workload> workloads;  // at least one
  std::vector<Threshold> thresholds;
  Regression regression;
  Attribution attribution;

  // The phase with this name, or nullptr.
  const Phase* phase(std::string_view name) const;
  Nanos total_duration() const;  // sum of the phase durations
  bool operator==(const Scenario&) const = default;
};

// A suite: scenario files run one after another (`h2soak run SUITE.yaml`,
// the nightly job). Its scenarios are loaded, overridden and validated by
// load_suite(); a suite file never nests another suite.
struct SuiteEntry {
  std::string file;  // as written, relative to the suite file's folder
  std::string path;  // resolved path
  // Phase durations replacing the scenario's (`phases: {steady: 30s}`).
  std::map<std::string, Nanos> phase_overrides;
  SourcePos pos;
  bool operator==(const SuiteEntry&) const = default;
};

struct Suite {
  std::string name;  // the value of the top-level `suite:` key
  std::string description;
  std::string source_file;
  // Optional `budget:`: the loader fails when the scenarios' total duration
  // exceeds it.
  std::optional<Nanos> budget;
  std::vector<SuiteEntry> entries;
  std::vector<Scenario> scenarios;  // entries[i] loaded, overrides applied, validated
  Nanos total_duration() const;
  bool operator==(const Suite&) const = default;
};

}  // namespace h2soak::scenario
