// End-to-end checks of `h2soak baseline record-from` and `h2soak compare`:
// spawns the built h2soak binary on files in a scratch directory and checks
// exit codes, output and that the baseline file is never modified. Skipped
// (with a message) when the binary has not been built.

#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "harness/compare/test_support.h"

namespace h2soak::compare {
namespace {

using testing::ScratchDir;
using testing::slurp;
using testing::spit;

const std::string kBinary = std::string(H2SOAK_BINARY_DIR) + "/harness/cli/h2soak";

struct Outcome {
  int code = -1;
  std::string output;  // stdout + stderr
};

Outcome run(const std::string& args) {
  Outcome o;
  std::FILE* p = ::popen((kBinary + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) o.output.append(buf, n);
  int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string result_json(double rss, const std::string& hash = "sha256:aa", const std::string& state = "completed") {
  return R"({"schema":"h2soak.result/v1",
    "metadata":{"h2soak_version":"0.1.0","host":"ci-host","kernel":"Linux","cpu_count":2,
                "scenario_name":"mixed","scenario_hash":")" + hash + R"(","start_unix":1795000000},
    "status":{"state":")" + state + R"(","reason":"exit 137"},
    "analysis":{"rss.residual":{"value":)" + std::to_string(rss) + R"(,"unit":"bytes"},
                "threads.residual":{"value":0,"unit":"count"}}})";
}

class CompareCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBinary)) GTEST_FAIL() << kBinary << " not built (cmake --build <dir> --target h2soak)";
    for (int i = 0; i < 3; ++i) spit(dir_.file("r" + std::to_string(i) + ".json"), result_json(100e6 + i * 1e6));
    auto rec = run("baseline record-from " + dir_.file("r0.json") + " " + dir_.file("r1.json") + " " +
                   dir_.file("r2.json") + " --out " + base());
    ASSERT_EQ(rec.code, 0) << rec.output;
  }
  std::string base() const { return dir_.file("base.json"); }
  ScratchDir dir_;
};

TEST_F(CompareCli, RecordRefusesToOverwriteWithoutForce) {
  const std::string before = slurp(base());
  auto again = run("baseline record-from " + dir_.file("r0.json") + " --out " + base());
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(slurp(base()), before);
  auto forced = run("baseline record-from " + dir_.file("r0.json") + " --out " + base() + " --force");
  EXPECT_EQ(forced.code, 0) << forced.output;
  EXPECT_NE(slurp(base()), before);
}

TEST_F(CompareCli, CleanRunPassesAndWritesReportsWithoutTouchingTheBaseline) {
  const std::string before = slurp(base());
  struct stat st_before{};
  ASSERT_EQ(::stat(base().c_str(), &st_before), 0);
  spit(dir_.file("now.json"), result_json(101.5e6));
  auto out = run("compare " + dir_.file("now.json") + " " + base() + " --summary-md " + dir_.file("s.md") +
                 " --junit " + dir_.file("j.xml") + " --json " + dir_.file("v.json"));
  EXPECT_EQ(out.code, 0) << out.output;
  EXPECT_NE(out.output.find("PASS: 0 regressions"), std::string::npos) << out.output;
  EXPECT_NE(slurp(dir_.file("s.md")).find("| `mixed` | `rss.residual` |"), std::string::npos);
  EXPECT_NE(slurp(dir_.file("j.xml")).find("<testcase classname=\"h2soak.mixed\" name=\"rss.residual\"/>"),
            std::string::npos);
  EXPECT_NE(slurp(dir_.file("v.json")).find("h2soak.verdict/v1"), std::string::npos);
  struct stat st_after{};
  ASSERT_EQ(::stat(base().c_str(), &st_after), 0);
  EXPECT_EQ(slurp(base()), before);
  EXPECT_EQ(st_after.st_mtim.tv_sec, st_before.st_mtim.tv_sec);
  EXPECT_EQ(st_after.st_mtim.tv_nsec, st_before.st_mtim.tv_nsec);
}

TEST_F(CompareCli, WorseRunExitsOneNamingTheMetric) {
  spit(dir_.file("now.json"), result_json(180e6));
  auto out = run("compare " + dir_.file("now.json") + " " + base() + " --junit " + dir_.file("j.xml"));
  EXPECT_EQ(out.code, 1) << out.output;
  EXPECT_NE(out.output.find("rss.residual"), std::string::npos);
  EXPECT_NE(out.output.find("REGRESSION"), std::string::npos);
  EXPECT_NE(slurp(dir_.file("j.xml")).find("<failure type=\"regression\""), std::string::npos);
}

TEST_F(CompareCli, FailedThresholdExitsOne) {
  spit(dir_.file("now.json"), result_json(101e6));
  auto out = run("compare " + dir_.file("now.json") + " " + base() + " --threshold 'rss.residual < 50MB'");
  EXPECT_EQ(out.code, 1) << out.output;
}

TEST_F(CompareCli, CorruptBaselineExitsTwoAndStaysUnchanged) {
  const std::string corrupt = "{\"schema\": \"h2soak.baseline/v1\", \"scenarios\": {";
  spit(dir_.file("corrupt.json"), corrupt);
  auto out = run("compare " + dir_.file("r0.json") + " " + dir_.file("corrupt.json"));
  EXPECT_EQ(out.code, 2) << out.output;
  EXPECT_NE(out.output.find("corrupt.json"), std::string::npos) << out.output;
  EXPECT_EQ(slurp(dir_.file("corrupt.json")), corrupt);
}

TEST_F(CompareCli, OtherSchemaVersionExitsTwo) {
  std::string text = slurp(base());
  text.replace(text.find("h2soak.baseline/v1"), 18, "h2soak.baseline/v9");
  spit(dir_.file("v9.json"), text);
  auto out = run("compare " + dir_.file("r0.json") + " " + dir_.file("v9.json"));
  EXPECT_EQ(out.code, 2) << out.output;
  EXPECT_NE(out.output.find("h2soak.baseline/v9"), std::string::npos) << out.output;
}

TEST_F(CompareCli, HashMismatchExitsTwoUnlessAllowed) {
  spit(dir_.file("now.json"), result_json(101e6, "sha256:bb"));
  auto out = run("compare " + dir_.file("now.json") + " " + base());
  EXPECT_EQ(out.code, 2) << out.output;
  EXPECT_NE(out.output.find("sha256:bb"), std::string::npos) << out.output;
  auto allowed = run("compare " + dir_.file("now.json") + " " + base() + " --allow-hash-mismatch");
  EXPECT_EQ(allowed.code, 0) << allowed.output;
}

TEST_F(CompareCli, IncompleteRunExitsThree) {
  spit(dir_.file("now.json"), result_json(101e6, "sha256:aa", "target_died"));
  auto out = run("compare " + dir_.file("now.json") + " " + base());
  EXPECT_EQ(out.code, 3) << out.output;
  auto rec = run("baseline record-from " + dir_.file("now.json") + " --out " + dir_.file("b2.json"));
  EXPECT_EQ(rec.code, 2) << rec.output;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("b2.json")));
}

TEST_F(CompareCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("compare " + base()).code, 2);
  EXPECT_EQ(run("compare " + base() + " " + dir_.file("r0.json")).code, 2);  // baseline must come last
}

}  // namespace
}  // namespace h2soak::compare
