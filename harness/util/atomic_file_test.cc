#include "harness/util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace h2soak {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/h2soak_atomic_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  std::string dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  const std::string path = dir_ + "/out.json";
  ASSERT_TRUE(write_file_atomically(path, "first", true).ok());
  EXPECT_EQ(*read_file(path), "first");
  ASSERT_TRUE(write_file_atomically(path, "second, longer", true).ok());
  EXPECT_EQ(*read_file(path), "second, longer");
  EXPECT_EQ(entries(), 1u);  // no temporary file left behind
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0600, 0600u);  // not mkstemp's 0600-only: 0644 minus umask
}

TEST_F(AtomicFileTest, FailedWriteLeavesOldFileAndNoLeftovers) {
  const std::string path = dir_ + "/out.json";
  ASSERT_TRUE(write_file_atomically(path, "old content", true).ok());
  // Make write() itself fail part-way: a file size limit turns the big write
  // into EFBIG after the first bytes (SIGXFSZ ignored so the process survives).
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string big(1 << 20, 'x');
  Status s = write_file_atomically(path, big, true);
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find(path), std::string::npos) << s.error().message();
  EXPECT_EQ(*read_file(path), "old content");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, MissingFolderIsAnError) {
  Status s = write_file_atomically(dir_ + "/no/such/folder/out.json", "x", true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("temporary"), std::string::npos) << s.error().message();
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AtomicFileTest, RenameOntoADirectoryFailsCleanly) {
  fs::create_directory(dir_ + "/taken");
  fs::create_directory(dir_ + "/taken/inner");  // non-empty: rename() must fail
  Status s = write_file_atomically(dir_ + "/taken", "x", true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(entries(), 1u);
  EXPECT_TRUE(fs::is_directory(dir_ + "/taken"));
}

TEST_F(AtomicFileTest, ReadMissingFileNamesIt) {
  auto r = read_file(dir_ + "/missing.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("missing.json"), std::string::npos);
}

}  // namespace
}  // namespace h2soak

namespace h2soak {
namespace {

TEST(AtomicFileNoReplace, RefusesAnExistingFileAndLeavesItUnchanged) {
  char tmpl[] = "/tmp/h2soak_atomic_nr_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/baseline.json";
  ASSERT_TRUE(write_file_atomically(path, "kept", /*overwrite=*/false).ok());
  EXPECT_FALSE(write_file_atomically(path, "lost?", /*overwrite=*/false).ok());
  EXPECT_EQ(*read_file(path), "kept");
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace h2soak
