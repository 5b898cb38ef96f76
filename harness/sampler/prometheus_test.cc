#include "harness/sampler/prometheus.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace h2soak::sampler {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(H2SOAK_SOURCE_DIR) + "/harness/sampler/testdata/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<double> pick(const std::vector<PromSample>& all, const std::string& sel) {
  auto s = parse_selector(sel);
  EXPECT_TRUE(s.ok()) << sel;
  return select(all, *s);
}

class PromFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = parse_prometheus(fixture("go_service.prom"));
    ASSERT_TRUE(r.ok()) << r.error().message();
    all_ = std::move(r.value());
  }
  std::vector<PromSample> all_;
};

TEST_F(PromFixture, BareGauges) {
  EXPECT_EQ(pick(all_, "go_goroutines"), 1342.0);
  EXPECT_EQ(pick(all_, "go_memstats_heap_inuse_bytes"), 1.5958016e+07);
  EXPECT_EQ(pick(all_, "process_max_fds"), 1048576.0);
  EXPECT_EQ(pick(all_, "go_gc_duration_seconds_count"), 187.0);
}

TEST_F(PromFixture, LabelSubsetSelectsAndSums) {
  EXPECT_EQ(pick(all_, "http_connections"), 47.0);  // bare name: sum over all series
  EXPECT_EQ(pick(all_, "http_connections{state=\"idle\"}"), 35.0);
  EXPECT_EQ(pick(all_, "http_connections{proto=\"h2\",state=\"idle\"}"), 30.0);
  EXPECT_EQ(pick(all_, "http_connections{state=\"closing\"}"), std::nullopt);
  EXPECT_EQ(pick(all_, "promhttp_metric_handler_requests_total{code=\"200\"}"), 4021.0);
  EXPECT_EQ(pick(all_, "http_request_duration_seconds_bucket{le=\"+Inf\"}"), 10000.0);
}

TEST_F(PromFixture, MissingNameHasNoValue) {
  EXPECT_EQ(pick(all_, "go_threads"), std::nullopt);
  EXPECT_EQ(pick(all_, "go_goroutine"), std::nullopt);  // no prefix matching
}

TEST_F(PromFixture, SpecialValuesAndEscapes) {
  EXPECT_TRUE(std::isnan(*pick(all_, "odd_values{kind=\"nan\"}")));
  EXPECT_EQ(*pick(all_, "odd_values{kind=\"pinf\"}"), INFINITY);
  EXPECT_EQ(*pick(all_, "odd_values{kind=\"ninf\"}"), -INFINITY);
  EXPECT_DOUBLE_EQ(*pick(all_, "odd_values{kind=\"neg_exp\"}"), -0.0015);
  EXPECT_EQ(*pick(all_, "odd_values{path=\"C:\\\\dir \\\"q\\\"\\nx\"}"), 7.0);
  EXPECT_EQ(*pick(all_, "odd_values{kind=\"with_ts\"}"), 3.0);
  EXPECT_EQ(*pick(all_, "odd_values{kind=\"spaced\"}"), 4.0);
  EXPECT_DOUBLE_EQ(*pick(all_, "go_gc_duration_seconds{quantile=\"0.5\"}"), 5.3e-05);
}

TEST(Prometheus, CommentsEofCrlfAndExemplars) {
  auto r = parse_prometheus("# a comment\r\nx 1\r\n\n# EOF\ny_total 2 # {trace_id=\"abc\"} 1.0\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "x");
  EXPECT_EQ((*r)[1].value, 2.0);
}

TEST(Prometheus, ErrorsNameTheLine) {
  auto r = parse_prometheus("ok 1\nbad{a=\"x} 2\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("line 2"), std::string::npos) << r.error().message();
  EXPECT_FALSE(parse_prometheus("x notanumber\n").ok());
  EXPECT_FALSE(parse_prometheus("9x 1\n").ok());
  EXPECT_FALSE(parse_prometheus("x\n").ok());
}

TEST(PromSelector, Parse) {
  auto s = parse_selector("http_connections{state=\"idle\", proto=\"h2\"}");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "http_connections");
  ASSERT_EQ(s->labels.size(), 2u);
  EXPECT_EQ(s->labels[1].first, "proto");
  EXPECT_EQ(s->labels[1].second, "h2");
  EXPECT_FALSE(parse_selector("").ok());
  EXPECT_FALSE(parse_selector("x{a=b}").ok());
  EXPECT_FALSE(parse_selector("x y").ok());
  EXPECT_FALSE(parse_selector("{a=\"b\"}").ok());
}

}  // namespace
}  // namespace h2soak::sampler
