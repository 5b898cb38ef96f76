#include "harness/compare/baseline_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "harness/util/atomic_file.h"
#include "harness/compare/test_support.h"

namespace h2soak::compare {
namespace {

using testing::make_run;
using testing::ScratchDir;
using testing::slurp;
using testing::spit;

Baseline sample_baseline(double rss = 100) {
  BuildOptions o;
  o.h2soak_version = "0.1.0";
  return *build_baseline({make_run("s", "r.json", {{"rss.peak", {rss, "bytes"}}})}, o);
}

TEST(BaselineStore, SaveLoadRoundTrip) {
  ScratchDir dir;
  const auto path = dir.file("base.json");
  ASSERT_TRUE(save_baseline(path, sample_baseline(), false).ok());
  auto loaded = load_baseline(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_DOUBLE_EQ(loaded->find("s")->metrics.at("rss.peak").reference, 100);
  EXPECT_EQ(dir.entries(), 1u);  // no temporary file left behind
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(BaselineStore, RefusesToOverwriteWithoutForce) {
  ScratchDir dir;
  const auto path = dir.file("base.json");
  ASSERT_TRUE(save_baseline(path, sample_baseline(100), false).ok());
  const std::string before = slurp(path);
  auto st = save_baseline(path, sample_baseline(200), false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().where(), path);
  EXPECT_NE(st.error().what().find("--force"), std::string::npos);
  EXPECT_EQ(slurp(path), before);
  EXPECT_EQ(dir.entries(), 1u);

  ASSERT_TRUE(save_baseline(path, sample_baseline(200), true).ok());
  EXPECT_DOUBLE_EQ(load_baseline(path)->find("s")->metrics.at("rss.peak").reference, 200);
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(BaselineStore, MissingDirectoryFailsCleanly) {
  ScratchDir dir;
  auto st = save_baseline(dir.file("no/such/dir/base.json"), sample_baseline(), false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("no/such/dir"), std::string::npos);
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(BaselineStore, CorruptFileIsAnErrorAndStaysUnchanged) {
  ScratchDir dir;
  const auto path = dir.file("base.json");
  const std::string corrupt = "{\"schema\": \"h2soak.baseline/v1\", \"scenarios\": {\"s\": [1, 2";
  spit(path, corrupt);
  auto b = load_baseline(path);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().where(), path);
  EXPECT_NE(b.error().what().find("corrupt"), std::string::npos) << b.error().what();
  EXPECT_EQ(slurp(path), corrupt);
}

// nlohmann_json reports a number beyond a double as out_of_range, not as a
// parse_error; it used to escape and end the process (found by
// fuzz/baseline_fuzz, fuzz/regressions/).
TEST(BaselineStore, NumberOverflowIsACorruptFile) {
  auto j = parse_json_text("{\"schema\": \"h2soak.baseline/v1\", \"runs\": 1.3e630136}", "base.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().where(), "base.json");
  EXPECT_NE(j.error().what().find("corrupt file, not valid JSON: number overflow"), std::string::npos)
      << j.error().what();
}

TEST(BaselineStore, EmptyAndMissingFilesAreErrors) {
  ScratchDir dir;
  spit(dir.file("empty.json"), "");
  auto e = load_baseline(dir.file("empty.json"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().what().find("empty"), std::string::npos);
  auto m = load_baseline(dir.file("missing.json"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("missing.json"), std::string::npos);
  EXPECT_NE(m.error().what().find("No such file"), std::string::npos);
}

TEST(AtomicFile, TargetIsADirectory) {
  ScratchDir dir;
  auto st = write_file_atomically(dir.path(), "x", true);
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace h2soak::compare
