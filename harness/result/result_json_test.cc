#include "harness/result/result_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "harness/util/atomic_file.h"
#include "harness/result/environment.h"
#include "harness/scenario/threshold.h"

namespace h2soak::result {
namespace {

using nlohmann::json;

metrics::WorkloadMetrics make_metrics(std::uint32_t seed) {
  metrics::WorkloadMetrics m;
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> lat(std::log(2000.0), 1.0);
  for (int i = 0; i < 5000; ++i) {
    m.request_total.record(static_cast<std::uint64_t>(lat(rng)));
    m.ttfb.record(static_cast<std::uint64_t>(lat(rng) / 2));
  }
  m.connect.record(150);
  m.tls_handshake.record(900);
  m.tls_handshake.record(metrics::Histogram::kMaxValue + 1);  // saturated
  m.counters.requests_started = 5003;
  m.counters.requests_done = 5001;
  m.counters.requests_succeeded = 4990;
  m.counters.requests_failed = 5;
  m.counters.requests_errored = 4;
  m.counters.requests_timeout = 2;
  m.counters.requests_dropped = 7;
  m.counters.status_class = {0, 4980, 10, 3, 2};
  m.counters.record_rst_stream(8);
  m.counters.record_error(metrics::ErrorClass::kTimeout, 2);
  m.counters.bytes_in_headers = 12345;
  m.counters.bytes_in_data = 10'000'000;
  m.counters.bytes_in_total = 10'020'000;
  m.counters.bytes_out = 400'000;
  m.counters.connections_opened = 8;
  m.counters.connections_closed = 8;
  m.extra_histogram("sse.event_gap_us").record(100'000);
  m.extra_counter("sse.events") = 42;
  const TimePoint origin{};
  m.series.set_origin(origin);
  m.series.add_done(origin + std::chrono::seconds(3), 100);
  m.series.add_bytes_in(origin + std::chrono::seconds(4), 5000);
  m.series.sample_in_flight(origin + std::chrono::seconds(4), 16);
  return m;
}

RunResult make_result() {
  RunResult r;
  r.metadata = collect_metadata("0.1.0", "abc1234", {"h2soak", "run", "scenarios/mixed.yaml"});
  r.metadata.scenario_name = "mixed";
  r.metadata.scenario_hash = "sha256:0123";
  r.metadata.scenario_path = "scenarios/mixed.yaml";
  r.metadata.duration = 12.5;
  r.metadata.extra["profile"] = "ci-2core";
  r.status = {RunState::kTargetDied, "target exited with signal 9 at t=7.2s"};
  r.phases = {{"warmup", 0, 2}, {"steady", 2, 10}, {"cooldown", 10, 12.5}};
  WorkloadResult w;
  w.name = "browse";
  w.kind = "tabs";
  w.params = {{"users", "10"}, {"think", "500ms..2s"}};
  w.phases.push_back({"warmup", make_metrics(1)});
  w.phases.push_back({"steady", make_metrics(2)});
  r.workloads.push_back(std::move(w));
  r.target.url = "https://127.0.0.1:8443/";
  r.target.mode = "spawn";
  r.target.command = "h2soak-target --port 8443";
  r.target.pid = 4242;
  r.target.log_path = "out/target.log";
  r.target.exit_signal = 9;
  sampler::SampleSeries s;
  s.pid = 4242;
  s.metrics_url = "http://127.0.0.1:8443/metrics";
  s.gauge_names = {"go_goroutines"};
  s.phases = r.phases;
  for (int i = 0; i < 50; ++i) {
    sampler::Sample x;
    x.t = i * 0.1;
    x.rss = 10'000'000 + i * 4096;
    x.hwm = x.rss + 1;
    x.rss_anon = x.rss / 2;
    x.pss = i % 10 == 0 ? x.rss - 7 : 0;
    x.threads = 4;
    x.fds = 12 + i % 3;
    x.utime = i * 0.013;
    x.stime = i * 0.0071;
    if (i % 10 == 0) x.gauges["go_goroutines"] = 10 + i;
    if (i == 20) x.gauges["extra_gauge"] = 0.5;
    s.samples.push_back(x);
  }
  s.target_vanished = true;
  s.vanished_at = 7.2;
  r.target.samples = std::move(s);
  r.analysis["rss.slope_steady"] = {1234.5, "bytes/s", Direction::kLowerIsBetter, 1000.25, 1500.0, true,
                                    "Theil-Sen"};
  r.analysis["throughput"] = {4100, "req/s", Direction::kHigherIsBetter, std::nullopt, std::nullopt, false, ""};
  r.analysis["nan_metric"] = {std::nan(""), "", Direction::kNone, std::nullopt, std::nullopt, false, ""};
  for (const char* text : {"errors == 0", "latency.p99 < 250ms"}) {
    r.thresholds.push_back(*scenario::parse_result_threshold(text));
  }
  r.verdict.push_back({"latency.p99", 2500.0, 2700.0, 0.08, "+10 %", "pass", "us"});
  r.verdict.push_back({"errors", std::nullopt, 3, std::nullopt, "== 0", "failed", "count"});
  return r;
}

void expect_same(const RunResult& a, const RunResult& b) {
  // The JSON form covers every field; compare it, plus a few typed spot checks.
  EXPECT_EQ(to_json(a), to_json(b));
  ASSERT_EQ(a.workloads.size(), b.workloads.size());
  const auto& ma = a.workloads[0].phases[1].metrics;
  const auto& mb = b.workloads[0].phases[1].metrics;
  EXPECT_TRUE(ma.request_total == mb.request_total);
  EXPECT_TRUE(ma.tls_handshake == mb.tls_handshake);
  EXPECT_EQ(ma.counters, mb.counters);
  EXPECT_EQ(ma.series.points(), mb.series.points());
  EXPECT_TRUE(ma.extra_histograms.at("sse.event_gap_us") == mb.extra_histograms.at("sse.event_gap_us"));
  ASSERT_TRUE(b.target.samples.has_value());
  const auto& sa = a.target.samples->samples;
  const auto& sb = b.target.samples->samples;
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].t, sb[i].t);
    EXPECT_EQ(sa[i].rss, sb[i].rss);
    EXPECT_EQ(sa[i].utime, sb[i].utime);
    EXPECT_EQ(sa[i].gauges, sb[i].gauges);
  }
}

TEST(ResultJson, RoundTripThroughText) {
  const RunResult r = make_result();
  const std::string text = to_json(r).dump();
  auto back = parse_result(text, "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  expect_same(r, *back);
  EXPECT_EQ(back->status.state, RunState::kTargetDied);
  EXPECT_EQ(back->target.exit_signal, 9);
  EXPECT_FALSE(back->target.exit_code.has_value());
  EXPECT_TRUE(std::isnan(back->analysis.at("nan_metric").value));
  EXPECT_EQ(back->analysis.at("rss.slope_steady").ci_low, 1000.25);
  EXPECT_TRUE(back->analysis.at("rss.slope_steady").leak);
  EXPECT_EQ(back->thresholds.size(), 2u);
  EXPECT_EQ(back->verdict.at(1).outcome, "failed");
  EXPECT_EQ(back->metadata.command_line.size(), 3u);
  EXPECT_FALSE(back->metadata.host.empty());
  EXPECT_GT(back->metadata.cpu_count, 0u);
}

TEST(ResultJson, MergedHistogramsFromFileMergeExactly) {
  const RunResult r = make_result();
  auto back = parse_result(to_json(r).dump(), "mem.json");
  ASSERT_TRUE(back.ok());
  metrics::WorkloadMetrics a = r.workloads[0].phases[0].metrics;
  a.merge(r.workloads[0].phases[1].metrics);
  metrics::WorkloadMetrics b = back->workloads[0].phases[0].metrics;
  b.merge(back->workloads[0].phases[1].metrics);
  EXPECT_TRUE(a.request_total == b.request_total);
  EXPECT_EQ(a.counters, b.counters);
}

TEST(ResultJson, SummaryIsWritten) {
  const RunResult r = make_result();
  const json j = to_json(r);
  const json& h = j["workloads"][0]["phases"][1]["histograms"]["request_total"];
  const auto& hist = r.workloads[0].phases[1].metrics.request_total;
  EXPECT_EQ(h["summary"]["p99"], hist.value_at_percentile(99));
  EXPECT_EQ(h["summary"]["p99.9"], hist.value_at_percentile(99.9));
  EXPECT_EQ(h["summary"]["max"], hist.max());
  EXPECT_EQ(j["schema"], kSchema);
  EXPECT_EQ(j["target"]["samples"]["gauges"]["go_goroutines"][1], nullptr);
}

TEST(ResultJson, WriteAndReadFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("h2soak_result_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "run.json").string();
  const RunResult r = make_result();
  ASSERT_TRUE(write_result(r, path).ok());
  auto back = read_result(path);
  ASSERT_TRUE(back.ok()) << back.error().message();
  expect_same(r, *back);
  std::filesystem::remove_all(dir);
}

std::string error_of(const json& j) {
  auto r = from_json(j, "bad.json");
  return r.ok() ? std::string("(no error)") : r.error().message();
}

// An attribution run's schedule survives the round trip; a schedule no run
// could have written is refused with its path.
TEST(ResultJson, ModulationRoundTripAndBounds) {
  RunResult r = make_result();
  r.modulation = Modulation{5.0, 2.0, 4, {{"tabs", "++--"}, {"upload", "+--+"}}};
  auto back = parse_result(to_json(r).dump(), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->modulation.has_value());
  EXPECT_EQ(back->modulation->slots, 4u);
  EXPECT_EQ(back->modulation->slot, 2.0);
  EXPECT_EQ(back->modulation->patterns, r.modulation->patterns);
  EXPECT_FALSE(parse_result(to_json(make_result()).dump(), "m.json")->modulation.has_value());

  json j = to_json(r);
  j["modulation"]["slots"] = 4000000000ULL;
  EXPECT_NE(error_of(j).find("/modulation/slots: must be 1 .. 1000000"), std::string::npos) << error_of(j);
  j = to_json(r);
  j["modulation"]["patterns"]["tabs"] = "++-";
  EXPECT_NE(error_of(j).find("/modulation/patterns/tabs: needs one '+' or '-' per slot"), std::string::npos)
      << error_of(j);
  j = to_json(r);
  j["modulation"]["slot"] = 0;
  EXPECT_NE(error_of(j).find("/modulation/slot: must be a finite number greater than 0"), std::string::npos)
      << error_of(j);
}

TEST(ResultJson, GeneratorRoundTripAndShape) {
  RunResult r = make_result();
  Generator g;
  sampler::SampleSeries own;
  own.pid = 42;
  own.samples.push_back(sampler::Sample{.t = 1.0, .rss = 30u << 20, .threads = 4, .fds = 9, .utime = 0.5});
  g.samples = own;
  GeneratorWorker w;
  w.t = {1.0, 2.0};
  w.busy = {0.25, 0.97};
  w.lag_max = {800, 45000};
  w.loop_lag.record(800);
  w.loop_lag.record(45000);
  g.workers.push_back(w);
  g.warnings.push_back("the generator was CPU-saturated");
  r.generator = g;
  auto back = parse_result(to_json(r).dump(), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->generator.has_value());
  ASSERT_TRUE(back->generator->samples.has_value());
  EXPECT_EQ(back->generator->samples->samples.at(0).rss, 30u << 20);
  ASSERT_EQ(back->generator->workers.size(), 1u);
  EXPECT_EQ(back->generator->workers[0].busy, w.busy);
  EXPECT_EQ(back->generator->workers[0].lag_max, w.lag_max);
  EXPECT_EQ(back->generator->workers[0].loop_lag, w.loop_lag);
  EXPECT_EQ(back->generator->warnings, g.warnings);
  EXPECT_FALSE(parse_result(to_json(make_result()).dump(), "m.json")->generator.has_value());

  json j = to_json(r);
  j["generator"]["workers"][0]["busy"].push_back(0.5);
  EXPECT_NE(error_of(j).find("/generator/workers/0/busy: needs one value per entry of \"t\""), std::string::npos)
      << error_of(j);
}

TEST(ResultJson, CapacityRoundTripAndShape) {
  RunResult r = make_result();
  CapacitySearch c;
  c.objectives = {"latency.p99 < 250ms", "error_rate < 0.1%"};
  c.capacity = 400;
  c.interval_low = 400;
  c.interval_high = 450;
  c.first_broken = "latency.p99 < 250ms";
  c.stop = "refined";
  c.note = "bisected 3 times";
  CapacityStage pass;
  pass.offered = 400;
  pass.achieved = 399.5;
  pass.seconds = 5;
  pass.requests = 1998;
  pass.p50 = 2100;
  pass.p90 = 3000;
  pass.p99 = 9000;
  pass.p999 = 12000;
  pass.passed = true;
  pass.target_cpu = 0.81;
  pass.target_rss_peak = 12u << 20;
  pass.target_threads_peak = 3;
  pass.target_fds_peak = 17;
  CapacityStage fail;
  fail.offered = 450;
  fail.achieved = 401;
  fail.seconds = 1.2;
  fail.dropped = 30;
  fail.drop_rate = 0.05;
  fail.p99 = 1.2e6;
  fail.p999 = std::nan("");  // nothing measured: written as null
  fail.broken = "latency.p99 < 250ms";
  fail.detail = "latency.p99 = 1200000 us, not < 250000";
  fail.stopped_early = true;
  c.stages = {pass, fail};
  r.capacity = c;
  const json j = to_json(r);
  EXPECT_TRUE(j["capacity"]["stages"][1]["latency"]["p999"].is_null());
  EXPECT_TRUE(j["capacity"]["stages"][1]["target"].is_null());
  EXPECT_EQ(j["capacity"]["interval"], json::array({400.0, 450.0}));
  auto back = parse_result(j.dump(), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->capacity.has_value());
  const CapacitySearch& b = *back->capacity;
  EXPECT_EQ(b.objectives, c.objectives);
  EXPECT_EQ(b.capacity, 400);
  EXPECT_EQ(b.interval_high, 450);
  EXPECT_EQ(b.first_broken, c.first_broken);
  EXPECT_EQ(b.stop, "refined");
  ASSERT_EQ(b.stages.size(), 2u);
  EXPECT_TRUE(b.stages[0].passed);
  EXPECT_EQ(b.stages[0].target_rss_peak, 12u << 20);
  EXPECT_EQ(b.stages[0].target_fds_peak, 17u);
  EXPECT_DOUBLE_EQ(*b.stages[0].target_cpu, 0.81);
  EXPECT_EQ(b.stages[0].p99, 9000);
  EXPECT_FALSE(b.stages[1].passed);
  EXPECT_TRUE(b.stages[1].stopped_early);
  EXPECT_TRUE(std::isnan(b.stages[1].p999));
  EXPECT_FALSE(b.stages[1].target_cpu.has_value());
  EXPECT_EQ(b.stages[1].broken, fail.broken);
  EXPECT_EQ(b.stages[1].dropped, 30u);
  EXPECT_FALSE(parse_result(to_json(make_result()).dump(), "m.json")->capacity.has_value());

  json bad = j;
  bad["capacity"]["interval"].push_back(1);
  EXPECT_NE(error_of(bad).find("/capacity/interval: expected [low, high]"), std::string::npos) << error_of(bad);
}

TEST(ResultJson, RejectsOtherSchemaVersions) {
  json j = to_json(make_result());
  j["schema"] = "h2soak.result/v2";
  EXPECT_EQ(error_of(j), "bad.json: unsupported schema \"h2soak.result/v2\": this h2soak reads \"h2soak.result/v1\"");
  j.erase("schema");
  EXPECT_NE(error_of(j).find("not an h2soak result"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("not a JSON object"), std::string::npos);
}

TEST(ResultJson, ErrorsNameFileAndJsonPath) {
  json j = to_json(make_result());
  j["workloads"][0]["phases"][1]["counters"]["requests"]["done"] = "many";
  EXPECT_EQ(error_of(j),
            "bad.json: /workloads/0/phases/1/counters/requests/done: expected an unsigned integer, got a string");

  j = to_json(make_result());
  j["metadata"].erase("host");
  EXPECT_EQ(error_of(j), "bad.json: /metadata: missing field \"host\"");

  j = to_json(make_result());
  j["workloads"][0]["phases"][0]["histograms"]["ttfb"]["buckets"][0][0] = 99999999;
  EXPECT_NE(error_of(j).find("/workloads/0/phases/0/histograms/ttfb/buckets/0/0: bucket index"), std::string::npos)
      << error_of(j);

  j = to_json(make_result());
  j["workloads"][0]["phases"][0]["histograms"]["ttfb"]["count"] = 1;
  EXPECT_NE(error_of(j).find("/histograms/ttfb/count: is 1 but the buckets hold"), std::string::npos) << error_of(j);

  j = to_json(make_result());
  j["workloads"][0]["phases"][0]["histograms"]["ttfb"]["min"] = 0;
  EXPECT_NE(error_of(j).find("/histograms/ttfb: inconsistent histogram"), std::string::npos) << error_of(j);

  j = to_json(make_result());
  j["target"]["samples"]["rss"].erase(0);
  EXPECT_EQ(error_of(j), "bad.json: /target/samples/rss: has 49 entries, \"t\" has 50");

  j = to_json(make_result());
  j["status"]["state"] = "exploded";
  EXPECT_NE(error_of(j).find("/status/state: expected \"completed\""), std::string::npos);

  j = to_json(make_result());
  j["analysis"]["a/b"] = {{"value", 1}, {"unit", "x"}, {"direction", "sideways"}};
  EXPECT_NE(error_of(j).find("/analysis/a~1b/direction"), std::string::npos) << error_of(j);

  j = to_json(make_result());
  j["histogram_encoding"]["sub_buckets"] = 2048;
  EXPECT_NE(error_of(j).find("/histogram_encoding: histograms were written with a different bucket layout"),
            std::string::npos);
}

TEST(ResultJson, CorruptTextIsAClearError) {
  std::string text = to_json(make_result()).dump();
  text.resize(text.size() / 2);  // truncated, as a crash mid-write would leave it
  auto r = parse_result(text, "cut.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("cut.json: invalid JSON: ", 0), 0u) << r.error().message();
  auto r2 = parse_result("{\"schema\": \"h2soak.result/v1\",\n  oops}", "typo.json");
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("line 2"), std::string::npos) << r2.error().message();
  auto r3 = read_result("/nonexistent/dir/run.json");
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message().find("/nonexistent/dir/run.json"), std::string::npos);
  // A number beyond a double is nlohmann_json's out_of_range, not a parse_error.
  auto r4 = parse_result("{\"schema\": \"h2soak.result/v1\", \"x\": 1e400}", "big.json");
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.error().message().rfind("big.json: invalid JSON: number overflow", 0), 0u) << r4.error().message();
}

// start_time is derived from start_unix on writing; a wild start_unix read
// from a file was converted to time_t anyway, which is undefined (UBSan in
// fuzz/result_json_fuzz; inputs in fuzz/regressions/).
TEST(ResultJson, StartTimeBeyondYear9999IsEmpty) {
  RunResult r;
  r.metadata.start_unix = 1e300;
  EXPECT_EQ(to_json(r)["metadata"]["start_time"], "");
  r.metadata.start_unix = 1795384800.25;
  EXPECT_EQ(to_json(r)["metadata"]["start_time"], "2026-11-22T22:00:00.250Z");
}

scenario::Threshold gate(const char* text) { return *scenario::parse_result_threshold(text); }

// Each gate is written twice: as written (`thresholds`, what older readers
// read) and typed (`parsed_thresholds`, what this reader reads).
TEST(ResultJson, ThresholdsAreWrittenTypedAndReadBackUnchanged) {
  RunResult r = make_result();
  r.thresholds.clear();
  for (const char* text : {"errors == 0", "latency.p99 < 250ms", "rss.peak <= 256MiB", "rss.slope < 10KiB/s",
                           "rps >= 500/s", "error_rate < 5%", "tabs.latency.p99 != -1.5"}) {
    r.thresholds.push_back(gate(text));
  }
  const json j = to_json(r);
  EXPECT_EQ(j["thresholds"][3], "rss.slope < 10KiB/s");
  EXPECT_EQ(j["parsed_thresholds"][3],
            (json{{"text", "rss.slope < 10KiB/s"}, {"metric", "rss.slope"}, {"op", "<"}, {"value", 10240.0}, {"unit", "size/s"}}));
  EXPECT_EQ(j["parsed_thresholds"][5]["unit"], "percent");
  EXPECT_EQ(j["parsed_thresholds"][5]["value"], 0.05);
  auto back = parse_result(j.dump(), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->thresholds, r.thresholds);
  auto alone = thresholds_from_json(j, "mem.json");
  ASSERT_TRUE(alone.ok()) << alone.error().message();
  EXPECT_EQ(*alone, r.thresholds);
}

// The typed form wins over the texts when both are there: the texts are for
// older readers and humans.
TEST(ResultJson, ParsedThresholdsAreWhatIsRead) {
  json j = to_json(make_result());
  j["thresholds"] = json::array({"something else < 1"});
  auto back = parse_result(j.dump(), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_EQ(back->thresholds.size(), 2u);
  EXPECT_EQ(back->thresholds[1], gate("latency.p99 < 250ms"));
}

TEST(ResultJson, BadThresholdsNameTheirEntry) {
  json j = to_json(make_result());
  j["parsed_thresholds"][1]["op"] = "=<";
  EXPECT_NE(error_of(j).find("/parsed_thresholds/1/op: expected one of"), std::string::npos) << error_of(j);
  j = to_json(make_result());
  j["parsed_thresholds"][0]["unit"] = "parsecs";
  EXPECT_NE(error_of(j).find("/parsed_thresholds/0/unit"), std::string::npos) << error_of(j);
  j = to_json(make_result());
  j["parsed_thresholds"][0].erase("value");
  EXPECT_NE(error_of(j).find("/parsed_thresholds/0: missing field \"value\""), std::string::npos) << error_of(j);
  j = to_json(make_result());
  j.erase("parsed_thresholds");
  j["thresholds"][1] = "latency.p99 ~ 3";
  EXPECT_NE(error_of(j).find("/thresholds/1: threshold \"latency.p99 ~ 3\" has no comparison"), std::string::npos)
      << error_of(j);
}

// A result written before `parsed_thresholds` (h2soak at b03d16d, a real
// `h2soak run` of testdata/old_text_thresholds.yaml): its `thresholds` are
// texts, some rewritten by that version into "METRIC OP NUMBER" in the
// metric's unit (`rps > 100/s` became `rps > 100`). They are read with the
// scenario grammar into typed gates.
TEST(ResultJson, ResultsWithTextThresholdsStillRead) {
  const std::string path = std::string(H2SOAK_SOURCE_DIR) + "/harness/result/testdata/old_text_thresholds.json";
  auto r = read_result(path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<std::string> texts;
  for (const auto& t : r->thresholds) texts.push_back(t.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"errors == 0", "latency.p99 < 250ms", "rps > 1", "rss.slope < 10485760",
                                             "error_rate < 0.05", "cpu.us_per_request < 50000",
                                             "rss.peak < 1073741824", "tabs.latency.p99 < 300ms"}));
  for (const auto& t : r->thresholds) EXPECT_EQ(t, gate(t.text.c_str()));
  // Written again, the file gains the typed form and keeps the texts.
  const json again = to_json(*r);
  EXPECT_EQ(again["thresholds"], json(texts));
  EXPECT_EQ(again["parsed_thresholds"].size(), texts.size());
}

TEST(ResultJson, EmptyResultRoundTrips) {
  RunResult r;
  auto back = parse_result(to_json(r).dump(), "empty.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(to_json(r), to_json(*back));
  EXPECT_FALSE(back->target.samples.has_value());
}

// A summary read of a whole document takes its metadata, status, analysis and
// thresholds as the full read does, and nothing else.
TEST(ResultJson, SummaryOfAWholeResultMatchesTheFullRead) {
  const json j = to_json(make_result());
  auto full = from_json(j, "run.json");
  auto summary = summary_from_json(j, "run.json");
  ASSERT_TRUE(full.ok()) << full.error().message();
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  const json a = to_json(*full), b = to_json(*summary);
  for (const char* section : {"metadata", "status", "analysis", "parsed_thresholds"}) {
    EXPECT_EQ(a[section], b[section]) << section;
  }
  EXPECT_EQ(summary->analysis.at("rss.slope_steady").leak, std::optional<bool>(true));
  EXPECT_EQ(summary->analysis.at("throughput").leak, std::optional<bool>(false));
  EXPECT_EQ(summary->analysis.at("throughput").direction, Direction::kHigherIsBetter);
  EXPECT_TRUE(summary->workloads.empty());
  EXPECT_FALSE(summary->target.samples.has_value());
  EXPECT_TRUE(summary->verdict.empty());
}

json trimmed_result() {
  return json::parse(R"({
    "schema": "h2soak.result/v1",
    "metadata": {"scenario_name": "mixed", "cpu_count": 2},
    "analysis": {"rps": {"value": 950, "unit": "req/s"},
                 "rss.slope": {"value": 12.5, "unit": "bytes/s", "direction": "lower", "leak": true}}
  })");
}

// A result trimmed to what judging needs reads as a summary; what it does not
// state is unknown or "not stated", and stays so when written again.
TEST(ResultJson, SummaryReadsATrimmedResult) {
  EXPECT_NE(error_of(trimmed_result()).find("bad.json: /metadata: missing field"), std::string::npos);
  auto r = summary_from_json(trimmed_result(), "ci.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->metadata.scenario_name, "mixed");
  EXPECT_EQ(r->metadata.cpu_count, 2u);
  EXPECT_EQ(r->status.state, RunState::kCompleted);
  const AnalysisMetric& rps = r->analysis.at("rps");
  EXPECT_EQ(rps.value, 950);
  EXPECT_FALSE(rps.direction.has_value());
  EXPECT_FALSE(rps.leak.has_value());
  EXPECT_EQ(r->analysis.at("rss.slope").direction, Direction::kLowerIsBetter);
  EXPECT_EQ(r->analysis.at("rss.slope").leak, std::optional<bool>(true));
  const json rps_again = to_json(*r)["analysis"]["rps"];
  EXPECT_FALSE(rps_again.contains("direction"));
  EXPECT_FALSE(rps_again.contains("leak"));
}

std::string summary_error_of(const json& j) {
  auto r = summary_from_json(j, "ci.json");
  return r.ok() ? std::string("(no error)") : r.error().message();
}

// A field a trimmed result does have is decoded as in the full read: a bad
// one is an error that names the file and the field.
TEST(ResultJson, SummaryErrorsNameFileAndField) {
  json j = trimmed_result();
  j["analysis"]["rss.slope"]["leak"] = "yes";
  EXPECT_EQ(summary_error_of(j), "ci.json: /analysis/rss.slope/leak: expected true or false, got a string");

  j = trimmed_result();
  j["analysis"]["rps"]["direction"] = "sideways";
  EXPECT_EQ(summary_error_of(j),
            "ci.json: /analysis/rps/direction: expected \"lower\", \"higher\" or \"none\", got \"sideways\"");

  j = trimmed_result();
  j["metadata"]["host"] = true;
  EXPECT_EQ(summary_error_of(j), "ci.json: /metadata/host: expected a string, got a boolean");

  j = trimmed_result();
  j["status"] = {{"state", "exploded"}};
  EXPECT_NE(summary_error_of(j).find("ci.json: /status/state: expected \"completed\""), std::string::npos);

  j = trimmed_result();
  j["metadata"]["scenario_name"] = "";
  EXPECT_EQ(summary_error_of(j), "ci.json: /metadata/scenario_name: must not be empty");
  j["metadata"].erase("scenario_name");
  EXPECT_EQ(summary_error_of(j), "ci.json: /metadata: missing field \"scenario_name\"");

  j = trimmed_result();
  j["parsed_thresholds"] = json::array({{{"text", "x"}}});
  EXPECT_EQ(summary_error_of(j), "ci.json: /parsed_thresholds/0: missing field \"metric\"");

  j = trimmed_result();
  j["schema"] = "h2soak.baseline/v1";
  EXPECT_EQ(summary_error_of(j), "ci.json: this is a baseline, not a result file");
}

}  // namespace
}  // namespace h2soak::result
