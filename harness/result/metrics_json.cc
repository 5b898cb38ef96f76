// JSON for the metrics types (histograms, counters, per-second series,
// WorkloadMetrics). Field names are documented in docs/result-schema.md.
#include <array>

#include <nlohmann/json.hpp>

#include "harness/result/json_node.h"
#include "harness/result/metrics_json_internal.h"
#include "harness/result/result_json.h"

namespace h2soak::result {

using nlohmann::json;
using detail::Node;

namespace {

constexpr std::array<const char*, metrics::kRstCodeSlots> kRstNames = {
    "NO_ERROR",          "PROTOCOL_ERROR",  "INTERNAL_ERROR",    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",  "STREAM_CLOSED",   "FRAME_SIZE_ERROR",  "REFUSED_STREAM",
    "CANCEL",            "COMPRESSION_ERROR", "CONNECT_ERROR",   "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED", "other"};
constexpr std::array<const char*, 5> kStatusNames = {"1xx", "2xx", "3xx", "4xx", "5xx"};

json counters_to_json(const metrics::Counters& c) {
  json status = json::object();
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) status[kStatusNames[i]] = c.status_class[i];
  status["other"] = c.status_other;
  json errors = json::object();
  for (std::size_t i = 0; i < metrics::kErrorClassCount; ++i) {
    errors[std::string(metrics::to_string(static_cast<metrics::ErrorClass>(i)))] = c.errors[i];
  }
  json rst = json::object();
  for (std::size_t i = 0; i < kRstNames.size(); ++i) {
    if (c.rst_codes[i] != 0) rst[kRstNames[i]] = c.rst_codes[i];
  }
  return json{
      {"requests",
       {{"started", c.requests_started},
        {"done", c.requests_done},
        {"succeeded", c.requests_succeeded},
        {"failed", c.requests_failed},
        {"errored", c.requests_errored},
        {"timeout", c.requests_timeout},
        {"dropped", c.requests_dropped}}},
      {"status", status},
      {"errors", errors},
      {"rst_stream_codes", rst},
      {"bytes",
       {{"in_headers", c.bytes_in_headers},
        {"in_data", c.bytes_in_data},
        {"in_total", c.bytes_in_total},
        {"out", c.bytes_out}}},
      {"connections",
       {{"opened", c.connections_opened},
        {"failed", c.connections_failed},
        {"closed", c.connections_closed}}},
  };
}

metrics::Counters counters_from(const Node& n) {
  metrics::Counters c;
  const Node req = n.at("requests");
  c.requests_started = req.at("started").u64();
  c.requests_done = req.at("done").u64();
  c.requests_succeeded = req.at("succeeded").u64();
  c.requests_failed = req.at("failed").u64();
  c.requests_errored = req.at("errored").u64();
  c.requests_timeout = req.at("timeout").u64();
  c.requests_dropped = req.at("dropped").u64();
  const Node status = n.at("status");
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) c.status_class[i] = status.at(kStatusNames[i]).u64();
  c.status_other = status.at("other").u64();
  const Node errors = n.at("errors");
  for (std::size_t i = 0; i < metrics::kErrorClassCount; ++i) {
    c.errors[i] = errors.at(metrics::to_string(static_cast<metrics::ErrorClass>(i))).u64();
  }
  if (auto rst = n.find("rst_stream_codes")) {
    rst->expect_object();
    for (const auto& [key, value] : rst->json().items()) {
      std::size_t slot = kRstNames.size();
      for (std::size_t i = 0; i < kRstNames.size(); ++i) {
        if (key == kRstNames[i]) slot = i;
      }
      const Node v = rst->at(key);
      if (slot == kRstNames.size()) v.fail("unknown HTTP/2 error code name");
      c.rst_codes[slot] = v.u64();
    }
  }
  const Node bytes = n.at("bytes");
  c.bytes_in_headers = bytes.at("in_headers").u64();
  c.bytes_in_data = bytes.at("in_data").u64();
  c.bytes_in_total = bytes.at("in_total").u64();
  c.bytes_out = bytes.at("out").u64();
  const Node conns = n.at("connections");
  c.connections_opened = conns.at("opened").u64();
  c.connections_failed = conns.at("failed").u64();
  c.connections_closed = conns.at("closed").u64();
  return c;
}

json series_to_json(const metrics::IntervalSeries& s) {
  const auto& pts = s.points();
  std::size_t first = 0;
  while (first < pts.size() && pts[first] == metrics::IntervalPoint{}) ++first;
  json done = json::array(), errors = json::array(), in = json::array(), out = json::array(),
       inflight = json::array(), started = json::array();
  for (std::size_t i = first; i < pts.size(); ++i) {
    done.push_back(pts[i].requests_done);
    errors.push_back(pts[i].errors);
    in.push_back(pts[i].bytes_in);
    out.push_back(pts[i].bytes_out);
    inflight.push_back(pts[i].in_flight);
    started.push_back(pts[i].started);
  }
  return json{{"start_second", first == pts.size() ? 0 : first},
              {"requests_done", done},
              {"errors", errors},
              {"bytes_in", in},
              {"bytes_out", out},
              {"in_flight", inflight},
              {"started", started},
              {"overflow", s.overflow()}};
}

metrics::IntervalSeries series_from(const Node& n) {
  const std::uint64_t start = n.at("start_second").u64();
  if (start >= metrics::IntervalSeries::kMaxSeconds) n.at("start_second").fail("too large");
  const Node done = n.at("requests_done");
  const std::size_t len = done.array_size();
  if (start + len > metrics::IntervalSeries::kMaxSeconds) done.fail("series too long");
  std::vector<metrics::IntervalPoint> pts(start + len);
  auto column = [&](const char* name, std::uint64_t metrics::IntervalPoint::*field) {
    const Node col = n.at(name);
    if (col.array_size() != len) {
      col.fail("has " + std::to_string(col.array_size()) + " entries, requests_done has " +
               std::to_string(len));
    }
    for (std::size_t i = 0; i < len; ++i) pts[start + i].*field = col.element(i).u64();
  };
  column("requests_done", &metrics::IntervalPoint::requests_done);
  column("errors", &metrics::IntervalPoint::errors);
  column("bytes_in", &metrics::IntervalPoint::bytes_in);
  column("bytes_out", &metrics::IntervalPoint::bytes_out);
  column("in_flight", &metrics::IntervalPoint::in_flight);
  // Added later in v1: results written before it have no "started".
  if (n.find("started")) column("started", &metrics::IntervalPoint::started);
  metrics::IntervalSeries s;
  s.assign(std::move(pts));
  return s;
}

}  // namespace

json summary_to_json(const HistogramSummary& s) {
  return json{{"count", s.count}, {"min", s.min},   {"max", s.max},   {"mean", s.mean},
              {"sd", s.sd},       {"p50", s.p50},   {"p90", s.p90},   {"p99", s.p99},
              {"p99.9", s.p999},  {"p99.99", s.p9999}};
}

json histogram_to_json(const metrics::Histogram& h, std::string_view unit) {
  json buckets = json::array();
  for (const auto& b : h.to_sparse()) buckets.push_back(json::array({b.index, b.count}));
  return json{{"unit", unit},
              {"count", h.count()},
              {"min", h.min()},
              {"max", h.max()},
              {"sum", h.sum()},
              {"saturated", h.saturated()},
              {"buckets", buckets},
              {"summary", summary_to_json(summarize(h))}};
}

namespace detail {

metrics::Histogram histogram_from(const Node& n) {
  n.expect_object();
  const std::uint64_t count = n.at("count").u64();
  const Node buckets = n.at("buckets");
  std::vector<metrics::Histogram::Bucket> sparse;
  const std::size_t size = buckets.array_size();
  sparse.reserve(size);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Node b = buckets.element(i);
    if (b.array_size() != 2) b.fail("expected [bucket index, count]");
    const std::uint64_t index = b.element(0).u64();
    if (index >= metrics::Histogram::bucket_count()) {
      b.element(0).fail("bucket index " + std::to_string(index) + " out of range (" +
                        std::to_string(metrics::Histogram::bucket_count()) + " buckets)");
    }
    const std::uint64_t c = b.element(1).u64();
    total += c;
    sparse.push_back({static_cast<std::uint32_t>(index), c});
  }
  if (total != count) {
    n.at("count").fail("is " + std::to_string(count) + " but the buckets hold " + std::to_string(total));
  }
  metrics::Histogram h;
  if (!h.from_sparse(sparse, n.at("min").u64(), n.at("max").u64(), n.at("sum").number(),
                     n.at("saturated").u64())) {
    n.fail("inconsistent histogram (buckets not strictly ascending, a zero count, or min/max/"
           "saturated outside their buckets)");
  }
  return h;
}

metrics::WorkloadMetrics workload_metrics_from(const Node& n) {
  metrics::WorkloadMetrics m;
  m.counters = counters_from(n.at("counters"));
  const Node hs = n.at("histograms");
  m.request_total = histogram_from(hs.at("request_total"));
  m.ttfb = histogram_from(hs.at("ttfb"));
  m.connect = histogram_from(hs.at("connect"));
  m.tls_handshake = histogram_from(hs.at("tls_handshake"));
  if (auto extra = n.find("extra_histograms")) {
    extra->expect_object();
    for (const auto& [key, value] : extra->json().items()) {
      m.extra_histograms.emplace(key, histogram_from(extra->at(key)));
    }
  }
  if (auto extra = n.find("extra_counters")) {
    extra->expect_object();
    for (const auto& [key, value] : extra->json().items()) m.extra_counters.emplace(key, extra->at(key).u64());
  }
  if (auto series = n.find("series")) m.series = series_from(*series);
  return m;
}

}  // namespace detail

json workload_metrics_to_json(const metrics::WorkloadMetrics& m) {
  json extra_h = json::object();
  for (const auto& [name, h] : m.extra_histograms) extra_h[name] = histogram_to_json(h, "");
  json extra_c = json::object();
  for (const auto& [name, n] : m.extra_counters) extra_c[name] = n;
  return json{{"counters", counters_to_json(m.counters)},
              {"histograms",
               {{"request_total", histogram_to_json(m.request_total)},
                {"ttfb", histogram_to_json(m.ttfb)},
                {"connect", histogram_to_json(m.connect)},
                {"tls_handshake", histogram_to_json(m.tls_handshake)}}},
              {"extra_histograms", extra_h},
              {"extra_counters", extra_c},
              {"series", series_to_json(m.series)}};
}

}  // namespace h2soak::result
