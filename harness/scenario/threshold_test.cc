#include <gtest/gtest.h>

#include "harness/scenario/loader.h"

namespace h2soak::scenario {
namespace {

TEST(Quantity, Units) {
  EXPECT_EQ(*parse_quantity("3"), (Quantity{3, Unit::kNumber}));
  EXPECT_EQ(*parse_quantity("-1.5"), (Quantity{-1.5, Unit::kNumber}));
  EXPECT_EQ(*parse_quantity("250ms"), (Quantity{0.25, Unit::kDuration}));
  EXPECT_EQ(*parse_quantity("2m"), (Quantity{120, Unit::kDuration}));
  EXPECT_EQ(*parse_quantity("64KiB"), (Quantity{65536, Unit::kSize}));
  EXPECT_EQ(*parse_quantity("2M"), (Quantity{2 * 1024 * 1024, Unit::kSize}));
  EXPECT_EQ(*parse_quantity("10KiB/s"), (Quantity{10240, Unit::kSizeRate}));
  EXPECT_EQ(*parse_quantity("1MiB/m"), (Quantity{1024 * 1024 / 60.0, Unit::kSizeRate}));
  EXPECT_EQ(*parse_quantity("500/s"), (Quantity{500, Unit::kRate}));
  EXPECT_EQ(*parse_quantity("5%"), (Quantity{0.05, Unit::kPercent}));
  EXPECT_FALSE(parse_quantity("").ok());
  EXPECT_FALSE(parse_quantity("fast").ok());
  EXPECT_FALSE(parse_quantity("10KiB/fortnight").ok());
  EXPECT_FALSE(parse_quantity("1e308/ms").ok());  // infinite: no gate, and no JSON number
}

TEST(Threshold, Parses) {
  auto t = parse_threshold("errors == 0");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->metric, "errors");
  EXPECT_EQ(t->op, CompareOp::kEq);
  EXPECT_EQ(t->value, (Quantity{0, Unit::kNumber}));
  auto l = parse_threshold("  latency.p99<=250ms ");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->op, CompareOp::kLe);
  EXPECT_EQ(l->text, "latency.p99<=250ms");
  EXPECT_EQ(parse_threshold("rps >= 500/s")->op, CompareOp::kGe);
  EXPECT_EQ(parse_threshold("threads.residual != 1")->op, CompareOp::kNe);
  EXPECT_EQ(parse_threshold("gauge.go_goroutines.slope < 1/s")->metric, "gauge.go_goroutines.slope");
  EXPECT_TRUE(parse_threshold("uploads.latency.p50 < 1s", {"uploads"}).ok());
  EXPECT_FALSE(parse_threshold("uploads.latency.p50 < 1s").ok());
}

TEST(Threshold, Errors) {
  EXPECT_EQ(parse_threshold("erors == 0").error().what(), "unknown metric 'erors'; did you mean 'errors'?");
  EXPECT_FALSE(parse_threshold("errors").ok());
  EXPECT_FALSE(parse_threshold("errors ==").ok());
  EXPECT_FALSE(parse_threshold("== 0").ok());
  EXPECT_FALSE(parse_threshold("latency..p99 < 1s").ok());
  EXPECT_FALSE(parse_threshold("gauge < 1").ok());
  EXPECT_FALSE(parse_threshold("rss.peak < 5").ok());
  EXPECT_TRUE(parse_threshold("rss.peak < 512MiB").ok());
  EXPECT_TRUE(parse_threshold("latency.p99 < 0").ok());
}

// Gates on a result's own metric names (`h2soak compare --threshold`, the
// thresholds of old result files): the same grammar, any metric.
TEST(ResultThreshold, ParsesOperatorsAndUnits) {
  auto t = parse_result_threshold("latency.p99 < 250ms");
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->metric, "latency.p99");
  EXPECT_EQ(t->op, CompareOp::kLt);
  EXPECT_EQ(t->value, (Quantity{0.25, Unit::kDuration}));

  t = parse_result_threshold("errors==0");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->metric, "errors");
  EXPECT_EQ(t->op, CompareOp::kEq);
  EXPECT_EQ(t->value.unit, Unit::kNumber);

  t = parse_result_threshold("rss.peak <= 256MiB");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->op, CompareOp::kLe);
  EXPECT_EQ(t->value, (Quantity{256.0 * 1024 * 1024, Unit::kSize}));

  EXPECT_EQ(parse_result_threshold("x >= -1.5")->value.value, -1.5);
  EXPECT_EQ(parse_result_threshold("x != 3")->op, CompareOp::kNe);
  EXPECT_EQ(parse_result_threshold("x > 3")->op, CompareOp::kGt);
  // What the scenario grammar refuses by name is left to the evaluation.
  EXPECT_TRUE(parse_result_threshold("uploads.latency.p50 < 1s").ok());
  EXPECT_TRUE(parse_result_threshold("rss.peak < 536870912").ok());
  EXPECT_TRUE(parse_result_threshold("throughput.rps >= 1000").ok());
}

TEST(ResultThreshold, RejectsBadExpressions) {
  EXPECT_FALSE(parse_result_threshold("latency.p99").ok());
  EXPECT_FALSE(parse_result_threshold("< 3").ok());
  EXPECT_FALSE(parse_result_threshold("x <").ok());
  EXPECT_FALSE(parse_result_threshold("x < abc").ok());
  EXPECT_FALSE(parse_result_threshold("x < 3 parsecs").ok());
  EXPECT_FALSE(parse_result_threshold("x =< 3").ok());
  EXPECT_FALSE(parse_result_threshold("latency.p50 ~ 3").ok());
}

TEST(Threshold, NamesOfUnitsAndOperatorsReadBack) {
  for (Unit u : {Unit::kNumber, Unit::kDuration, Unit::kSize, Unit::kSizeRate, Unit::kRate, Unit::kPercent}) {
    EXPECT_EQ(unit_named(to_string(u)), u);
  }
  for (CompareOp op : {CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe, CompareOp::kEq, CompareOp::kNe}) {
    EXPECT_EQ(compare_op_named(to_string(op)), op);
  }
  EXPECT_EQ(unit_named("parsecs"), std::nullopt);
  EXPECT_EQ(compare_op_named("=<"), std::nullopt);
}

TEST(Suggest, ClosestMatch) {
  const std::vector<std::string> keys{"think", "tabs_per_user", "users", "session"};
  EXPECT_EQ(closest_match("thnk", keys), "think");
  EXPECT_EQ(closest_match("thnik", keys), "think");  // a transposition is one edit
  EXPECT_EQ(closest_match("user", keys), "users");
  EXPECT_EQ(closest_match("sesion", keys), "session");
  EXPECT_EQ(closest_match("colour", keys), std::nullopt);
  EXPECT_EQ(closest_match("xx", {"h1", "h2"}), std::nullopt);
}

TEST(Spawn, ReferenceAndCommands) {
  auto ref = parse_spawn("h2soak-target");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(std::get<SpawnReference>(*ref).args, (std::vector<std::string>{"--port", "0"}));
  auto ref_port = parse_spawn("h2soak-target --port=9000");
  EXPECT_EQ(std::get<SpawnReference>(*ref_port).args, (std::vector<std::string>{"--port=9000"}));
  auto path = parse_spawn("build/target_server/h2soak-target --port 0");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(std::get<SpawnCommand>(*path).argv.front(), "build/target_server/h2soak-target");
  auto quoted = split_command(R"(sh -c 'exec ./srv --x "a b"' "c\"d" e\ f)");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(*quoted, (std::vector<std::string>{"sh", "-c", "exec ./srv --x \"a b\"", "c\"d", "e f"}));
  EXPECT_FALSE(parse_spawn("   ").ok());
  EXPECT_FALSE(split_command("a \"b").ok());
}

}  // namespace
}  // namespace h2soak::scenario
