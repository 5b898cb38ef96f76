#include "harness/run/bench.h"

#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/net/request.h"
#include "harness/net/socket.h"
#include "harness/net/url.h"
#include "harness/result/environment.h"
#include "harness/run/generator_check.h"
#include "harness/run/start_barrier.h"
#include "harness/scenario/loader.h"
#include "harness/util/clock.h"
#include "harness/util/fd_limit.h"
#include "harness/util/units.h"

namespace h2soak::run {
namespace {

constexpr OptionName kDuration{"-D", "duration"};
constexpr OptionName kWarmup{"--warm-up-time", "warm_up_time"};
constexpr OptionName kDataSize{"--data-size", "data_size"};
constexpr OptionName kRate{"--rate", "rate"};
constexpr OptionName kConnectTimeout{"--connect-timeout", "connect_timeout"};
constexpr OptionName kRequestTimeout{"--request-timeout", "request_timeout"};
constexpr OptionName kActiveTimeout{"-T", "connection_active_timeout"};
constexpr OptionName kInactivityTimeout{"-N", "connection_inactivity_timeout"};
constexpr OptionName kHeaderTableSize{"--header-table-size", "header_table_size"};
constexpr OptionName kMaxFrameSize{"--max-frame-size", "max_frame_size"};
constexpr OptionName kShard{"--shard", "shard"};
constexpr OptionName kStartAt{"--start-at", "start_at"};

bool keywords(const BenchOptions& o) { return o.spelling == BenchSpelling::kKeywords; }

// A check's message in the spelling asked for: as the CLI says it, as h2soak.bench says it.
Error rejected(const BenchOptions& o, std::string flags, std::string keyword) {
  return Error(keywords(o) ? std::move(keyword) : std::move(flags));
}

// A message about the value of one option: "-D: ...", "duration: ...".
Error about(const BenchOptions& o, OptionName opt, const std::string& message) {
  return Error(message, opt.in(o.spelling));
}

// A message from below (URL, resolver, body file): as is for the CLI, "name: ..." for Python.
Error from(const BenchOptions& o, const char* keyword, const Error& e) {
  return keywords(o) ? Error(e.message(), keyword) : e;
}

// "" is 0.
Result<Nanos> duration_of(const BenchOptions& o, const std::string& text, OptionName opt) {
  if (text.empty()) return Nanos{0};
  return parse_option(o.spelling, opt, text, units::parse_duration);
}

Result<std::uint64_t> size_of(const BenchOptions& o, const std::string& text, OptionName opt) {
  return parse_option(o.spelling, opt, text, units::parse_size);
}

// The URLs, all on the first one's origin, and that origin's address.
Status set_urls(const BenchOptions& o, workloads::BenchPlan& plan) {
  const char* name = o.keywords.urls;
  if (o.urls.empty()) return rejected(o, "give at least one URL", std::string(name) + ": give at least one URL");
  for (const auto& text : o.urls) {
    auto url = net::parse_url(text);
    if (!url) return from(o, name, url.error());
    if (!plan.urls.empty() && url->origin() != plan.urls.front().origin()) {
      return from(o, name, Error("all URLs must share scheme, host and port with the first: " + text));
    }
    plan.urls.push_back(*url);
  }
  auto address = net::resolve(plan.urls.front().host, plan.urls.front().port);
  if (!address) return from(o, name, address.error());
  plan.address = *address;
  return {};
}

// -t -c -m -n -D --warm-up-time
Status set_load_shape(const BenchOptions& o, workloads::BenchPlan& plan) {
  if (o.threads < 1) return rejected(o, "-t must be at least 1", "threads: must be at least 1");
  const std::string clients = o.keywords.clients, streams = o.keywords.max_streams;
  if (o.clients < 1) return rejected(o, "-c must be at least 1", clients + ": must be at least 1");
  if (o.max_streams < 1) return rejected(o, "-m must be at least 1", streams + ": must be at least 1");
  if (static_cast<std::uint32_t>(o.threads) > o.clients) {
    return rejected(o, "-t must not exceed -c (each thread needs a client)",
                    "threads: must not exceed " + clients + " (each thread needs a " +
                        (clients == "clients" ? "client" : "connection") + ")");
  }
  auto duration = duration_of(o, o.duration, kDuration);
  if (!duration) return duration.error();
  if (auto warmup = duration_of(o, o.warmup, kWarmup); !warmup) return warmup.error();
  const bool timed = duration->count() > 0;
  plan.requests = timed ? 0 : o.requests;
  if (!timed && o.requests == 0) {
    return rejected(o, "-n must be at least 1 (or give -D)", "requests: must be at least 1 (or give duration)");
  }
  if (!timed && o.requests < o.clients && o.rate.empty()) {
    return rejected(o, "-n must be at least -c (every client sends a request)",
                    "requests: must be at least clients (every client sends a request)");
  }
  plan.clients = o.clients;
  plan.max_streams = o.max_streams;
  return {};
}

// -d --data-size --method -H
Status set_request(const BenchOptions& o, workloads::BenchPlan& plan) {
  if (!o.data_file.empty() && !o.data_size.empty()) {
    return rejected(o, "give -d FILE or --data-size, not both", "data: give data (a file) or data_size, not both");
  }
  if (!o.data_file.empty()) {
    auto body = net::load_body_file(o.data_file);
    if (!body) return from(o, "data", body.error());
    plan.body = *body;
  } else if (!o.data_size.empty()) {
    auto size = size_of(o, o.data_size, kDataSize);
    if (!size) return size.error();
    plan.body = net::make_generated_body(*size);
  }
  plan.method = !o.method.empty() ? o.method : plan.body.size() > 0 ? "POST" : "GET";
  for (const auto& h : o.headers) {
    const auto colon = h.find(':', !h.empty() && h[0] == ':' ? 1 : 0);
    if (colon == std::string::npos || colon == 0) {
      return rejected(o, "-H wants \"name: value\", got \"" + h + "\"",
                      "headers: want \"name: value\", got \"" + h + "\"");
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    plan.headers.emplace_back(h.substr(0, colon), value);
  }
  return {};
}

// --rate --poisson --max-in-flight
Status set_model(const BenchOptions& o, workloads::BenchPlan& plan) {
  if (!o.rate.empty()) {
    auto r = units::parse_rate(o.rate);
    if (!r) return about(o, kRate, r.error().message());
    if (*r <= 0) return rejected(o, "--rate must be positive", "rate: must be positive");
    plan.rate = *r;
  } else if (o.poisson) {
    return rejected(o, "--poisson needs --rate", "poisson: needs rate");
  }
  plan.poisson = o.poisson;
  plan.max_in_flight = o.max_in_flight;
  return {};
}

// --connect-timeout --request-timeout -T -N -w -W --header-table-size --max-frame-size --h1 -k --tls-resume --ca-file
Status set_connection(const BenchOptions& o, workloads::BenchPlan& plan) {
  struct Timeout {
    const std::string& text;
    OptionName option;
    Nanos& field;
  };
  for (const Timeout& t : {Timeout{o.connect_timeout, kConnectTimeout, plan.connect_timeout},
                           Timeout{o.request_timeout, kRequestTimeout, plan.request_timeout},
                           Timeout{o.active_timeout, kActiveTimeout, plan.active_timeout},
                           Timeout{o.inactivity_timeout, kInactivityTimeout, plan.inactivity_timeout}}) {
    auto d = duration_of(o, t.text, t.option);
    if (!d) return d.error();
    t.field = *d;
  }
  if (o.window_bits > 30 || o.connection_window_bits > 30) {
    const bool stream = o.window_bits > 30;
    return rejected(o, "-w/-W must be at most 30",
                    fmt::format("{}: must be within 0..30, got {}", stream ? "window_bits" : "connection_window_bits",
                                stream ? o.window_bits : o.connection_window_bits));
  }
  plan.settings.window_bits = o.window_bits;
  plan.settings.connection_window_bits = o.connection_window_bits;
  auto table = size_of(o, o.header_table_size, kHeaderTableSize);
  if (!table) return table.error();
  if (*table > UINT32_MAX) return rejected(o, "--header-table-size is too large", "header_table_size: too large");
  plan.settings.header_table_size = static_cast<std::uint32_t>(*table);
  auto frame = size_of(o, o.max_frame_size, kMaxFrameSize);
  if (!frame) return frame.error();
  if (*frame < 16384 || *frame > 16777215) {
    return rejected(o, "--max-frame-size must be within 16384..16777215",
                    "max_frame_size: must be within 16384..16777215");
  }
  plan.settings.max_frame_size = static_cast<std::uint32_t>(*frame);
  plan.settings.max_concurrent_streams = o.max_streams;
  plan.h1 = o.h1;
  plan.insecure = o.insecure;
  plan.tls_resume = o.tls_resume;
  plan.ca_file = o.ca_file;
  return {};
}

// --shard: this shard's part of the whole run's plan, or why it cannot run.
Result<workloads::BenchPlan> shard_part(const BenchOptions& o, const workloads::BenchPlan& whole) {
  auto shard = scenario::parse_shard(o.shard, kShard.in(o.spelling));
  if (!shard) return shard.error();
  const std::string name = shard->str(), n = std::to_string(shard->count);
  auto part = shard_bench_plan(whole, *shard);
  if (!part) return part.error();
  const std::string clients = o.keywords.clients;
  if (part->clients == 0) {
    if (whole.requests > 0) {
      return rejected(o,
                      fmt::format("--shard {}: -n {} split {} ways leaves this shard no request (give -n at least {})",
                                  name, whole.requests, n, n),
                      fmt::format("shard: requests={} split {} ways leaves shard {} no request (give at least {})",
                                  whole.requests, n, name, n));
    }
    return rejected(o, fmt::format("--shard {}: -c {} split {} ways leaves this shard no client (give -c at least {})",
                                   name, whole.clients, n, n),
                    fmt::format("shard: {}={} split {} ways leaves shard {} no {} (give at least {})", clients,
                                whole.clients, n, name, clients, n));
  }
  if (static_cast<std::uint32_t>(o.threads) > part->clients) {
    return rejected(o, fmt::format("--shard {}: -t {} exceeds this shard's {} client(s) (-c {} split {} ways)", name,
                                   o.threads, part->clients, whole.clients, n),
                    fmt::format("threads: {} exceeds shard {}'s {} {} ({}={} split {} ways)", o.threads, name,
                                part->clients, clients, clients, whole.clients, n));
  }
  return part;
}

// The workload params a result names: the run's own share of the load.
std::map<std::string, std::string> params_of(const BenchOptions& o, const workloads::BenchPlan& plan) {
  std::map<std::string, std::string> p;
  p["urls"] = fmt::format("{}", fmt::join(o.urls, " "));
  p["clients"] = std::to_string(plan.clients);
  p["max_streams"] = std::to_string(plan.max_streams);
  p["threads"] = std::to_string(o.threads);
  p["requests"] = std::to_string(plan.requests);
  p["duration"] = o.duration;
  p["rate"] = plan.rate > 0 ? fmt::format("{}", plan.rate) : "";
  p["model"] = plan.rate > 0 ? (plan.poisson ? "open-poisson" : "open-constant") : "closed";
  p["method"] = plan.method;
  p["body_bytes"] = std::to_string(plan.body.size());
  return p;
}

constexpr const char* kBenchPlanSchema = "h2soak.bench/v1";

// SplitMix64's output function (Steele, Lea, Flood 2014): neighbouring inputs
// give unrelated outputs, so seeds derived from one seed and an index do not
// collide with each other or with the seed's neighbours (the worker seeds).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Shard `index`'s --poisson seed: the run's own for index 0 (so --shard 1/1,
// and shard 1/N, draw what the unsharded run draws), SplitMix64 of the run's
// seed XOR the index for the others.
std::uint64_t shard_seed(std::uint64_t run_seed, unsigned index) {
  return index == 0 ? run_seed : splitmix64(run_seed ^ index);
}

}  // namespace

Result<workloads::BenchPlan> make_bench_plan(const BenchOptions& options) {
  workloads::BenchPlan plan;
  for (auto step : {set_urls, set_load_shape, set_request, set_model, set_connection}) {
    if (auto st = step(options, plan); !st) return st.error();
  }
  if (!options.shard.empty()) {
    auto part = shard_part(options, plan);
    if (!part) return part.error();
    plan = std::move(*part);
  }
  const std::uint64_t fds = plan.clients + fd_overhead(options.threads);
  const std::string what = keywords(options) ? options.keywords.clients + ("=" + std::to_string(plan.clients))
                                             : "-c " + std::to_string(plan.clients);
  if (auto st = check_fd_budget(fds, what, raise_fd_limit()); !st) {
    return from(options, options.keywords.clients, st.error());
  }
  return plan;
}

Result<workloads::BenchPlan> shard_bench_plan(const workloads::BenchPlan& whole, const scenario::Shard& shard) {
  // The whole run as a scenario's bench workload, split by the one shard split.
  scenario::BenchWorkload load;
  load.clients = whole.clients;
  load.max_streams = whole.max_streams;
  if (whole.requests > 0) load.requests = whole.requests;
  if (whole.rate > 0) load.rate = whole.rate;
  scenario::Plan one;
  one.workloads.push_back({.name = "bench", .kind = scenario::WorkloadKind::kBench, .params = load});
  auto split = scenario::shard_plan(one, shard);
  if (!split) return split.error();
  const scenario::PlannedWorkload& pw = split->workloads.front();
  const auto& part = std::get<scenario::BenchWorkload>(pw.params);
  workloads::BenchPlan plan = whole;
  plan.clients = part.clients;
  plan.requests = part.requests.value_or(0);
  plan.rate = part.rate.value_or(0);
  plan.first_due = pw.arrival_offset;
  plan.seed = shard_seed(whole.seed, shard.index);
  // A capacity, as upload's max_in_flight: split, at least 1 (0 stays "c*m of this shard").
  if (whole.max_in_flight > 0) {
    plan.max_in_flight =
        std::max<std::uint64_t>(1, scenario::shard_count(whole.max_in_flight, shard.index, shard.count));
  }
  return plan;
}

std::string bench_plan_text(const BenchOptions& o, const workloads::BenchPlan& whole) {
  std::string text = std::string(kBenchPlanSchema) + "\n";
  const auto line = [&text](const std::string& key, const std::string& value) { text += key + "=" + value + "\n"; };
  for (const auto& [key, value] : params_of(o, whole)) line(key, value);
  line("warm_up_time", o.warmup);
  for (const auto& h : o.headers) line("header", h);
  line("data", o.data_file);
  line("data_size", o.data_size);
  line("h1", o.h1 ? "true" : "false");
  line("connection_active_timeout", o.active_timeout);
  line("connection_inactivity_timeout", o.inactivity_timeout);
  line("request_timeout", o.request_timeout);
  line("connect_timeout", o.connect_timeout);
  line("window_bits", std::to_string(o.window_bits));
  line("connection_window_bits", std::to_string(o.connection_window_bits));
  line("header_table_size", o.header_table_size);
  line("max_frame_size", o.max_frame_size);
  line("poisson", o.poisson ? "true" : "false");
  line("max_in_flight", std::to_string(o.max_in_flight));
  line("insecure", o.insecure ? "true" : "false");
  line("tls_resume", o.tls_resume ? "true" : "false");
  line("tls13_ciphers", o.ciphersuites);
  line("ca_file", o.ca_file);
  return text;
}

Result<std::map<std::string, std::string>> parse_bench_plan_text(const std::string& text) {
  const std::string first = std::string(kBenchPlanSchema) + "\n";
  if (text.rfind(first, 0) != 0) {
    return Error(std::string("not a bench plan (its first line is not ") + kBenchPlanSchema + ")");
  }
  std::map<std::string, std::string> values;
  std::size_t at = first.size();
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) return Error("bench plan: not a key=value line: \"" + line + "\"");
    values.emplace(line.substr(0, eq), line.substr(eq + 1));  // a repeated key (header) keeps its first value
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return values;
}

Result<std::optional<double>> bench_start_at(const BenchOptions& options, double now_unix) {
  if (options.start_at.empty()) return std::optional<double>{};
  auto at = parse_start_at(options.start_at, now_unix, kStartAt.in(options.spelling));
  if (!at) return at.error();
  return std::optional<double>(*at);
}

bool wait_for_bench_start(std::optional<double> start_at, const std::atomic<bool>* stop) {
  if (!start_at) return true;
  return wait_until(time_zero(now(), unix_seconds(), start_at, Nanos{0}, Nanos{0}), stop, {});
}

load::RunnerOptions bench_runner_options(const BenchOptions& options) {
  load::RunnerOptions r;
  r.threads = options.threads;
  // Checked by make_bench_plan().
  r.duration = options.duration.empty() ? Nanos{0} : units::parse_duration(options.duration).value();
  r.warmup = options.warmup.empty() ? Nanos{0} : units::parse_duration(options.warmup).value();
  r.tls.insecure = options.insecure;
  r.tls.resume = options.tls_resume;
  r.tls.ciphersuites = options.ciphersuites;
  r.tls.ca_file = options.ca_file;
  return r;
}

result::RunResult bench_result(const BenchOptions& options, const workloads::BenchPlan& plan,
                               const load::RunOutcome& out, double start_unix, const std::string& version,
                               const std::string& git_revision, std::vector<std::string> command_line) {
  result::RunResult r;
  r.metadata = result::collect_metadata(version, git_revision, std::move(command_line));
  r.metadata.scenario_name = "bench";
  r.metadata.start_unix = start_unix;
  r.metadata.duration = seconds_between(out.origin, out.end);
  r.metadata.extra["steady_seconds"] = fmt::format("{:.6f}", out.steady_seconds);
  r.status.state = out.interrupted ? result::RunState::kAborted : result::RunState::kCompleted;
  if (out.interrupted) r.status.reason = "interrupted";
  if (out.never_connected) {
    r.status.state = result::RunState::kAborted;
    r.status.reason = "no connection could be established";
  }
  const double warm = seconds_between(out.origin, out.steady_start);
  r.phases.push_back({"warmup", 0, warm});
  r.phases.push_back({"steady", warm, warm + out.steady_seconds});
  result::WorkloadResult w;
  w.name = "bench";
  w.kind = "bench";
  w.params = params_of(options, plan);
  w.phases.push_back({"warmup", out.warmup()});
  w.phases.push_back({"steady", out.steady()});
  r.workloads.push_back(std::move(w));
  r.target.url = options.urls.front();
  r.target.mode = "none";
  if (!options.shard.empty()) {
    // The whole run: the plan before the split (the load-shape steps again, pure).
    workloads::BenchPlan whole = plan;
    (void)set_load_shape(options, whole);
    (void)set_model(options, whole);
    r.metadata.extra["shard"] = scenario::parse_shard(options.shard)->str();
    r.metadata.extra["bench_plan"] = bench_plan_text(options, whole);
    r.metadata.scenario_hash = scenario::text_hash(r.metadata.extra["bench_plan"]);
  }

  // No process samples: bench has no sampler; the workers watched themselves.
  r.generator.emplace();
  r.generator->workers = generator_workers(out.workers);
  const sampler::PhaseMark steady{"steady", warm, warm + out.steady_seconds};
  r.generator->warnings = check_generator(*r.generator, steady, r.metadata.cpu_count, r.analysis);
  return r;
}

}  // namespace h2soak::run
