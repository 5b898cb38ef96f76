#include "harness/run/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace h2soak::run {
namespace {

// What a printer wrote into a memory stream, one entry per line.
class Captured {
 public:
  Captured() : file_(open_memstream(&data_, &size_)) {}
  ~Captured() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::vector<std::string> lines() {
    std::fflush(file_);
    std::vector<std::string> out;
    std::string text(data_, size_);
    for (std::size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(text.substr(start, nl - start));
    }
    return out;
  }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

ProgressState at(double elapsed, const std::string& phase) {
  ProgressState s;
  s.label = "mixed";
  s.phase = phase;
  s.elapsed = elapsed;
  s.total = 60;
  return s;
}

// A CI log gets a line when the phase changes and every 10 s within one,
// not one per second (hundreds of lines per scenario before).
TEST(ProgressPrinter, OffATerminalPrintsPhaseChangesAndEveryTenSeconds) {
  Captured out;
  ProgressPrinter printer(out.file(), /*tty=*/false);
  for (int t = 1; t <= 40; ++t) printer.print(at(t, t <= 5 ? "warmup" : t <= 30 ? "steady" : "cooldown"));
  printer.finish();
  const auto lines = out.lines();
  std::vector<std::string> phases;
  for (const auto& l : lines) phases.push_back(l.substr(l.find('[') + 1, l.find(']') - l.find('[') - 1));
  // warmup at 1; steady at 6, 16, 26; cooldown at 31.
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(lines[0].find("  1.0s/60s"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("  6.0s/60s"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(" 16.0s/60s"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(" 26.0s/60s"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find(" 31.0s/60s"), std::string::npos) << lines[4];
  EXPECT_EQ(phases[4].substr(0, 8), "cooldown");
  for (const auto& l : lines) EXPECT_EQ(l.find('\r'), std::string::npos);
}

TEST(ProgressPrinter, OnATerminalRewritesOneLineEverySecond) {
  Captured out;
  ProgressPrinter printer(out.file(), /*tty=*/true);
  for (int t = 1; t <= 12; ++t) printer.print(at(t, "steady"));
  printer.finish();
  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), 1u);  // one line, ended by finish()
  std::size_t rewrites = 0;
  for (std::size_t i = lines[0].find('\r'); i != std::string::npos; i = lines[0].find('\r', i + 1)) ++rewrites;
  EXPECT_EQ(rewrites, 12u);
}

}  // namespace
}  // namespace h2soak::run
