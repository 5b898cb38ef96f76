#include "harness/sinks/terminal_sink.h"

#include <gtest/gtest.h>

#include <sstream>

#include "harness/sinks/test_verdict.h"

namespace h2soak::sinks {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string line_with(const std::string& text, const std::string& part) {
  for (const auto& l : lines_of(text)) {
    if (l.find(part) != std::string::npos) return l;
  }
  return {};
}

TEST(TerminalSink, RowsForEveryMetricWithStatus) {
  auto text = render_terminal(testing::sample_verdict(), false);
  auto rss = line_with(text, "rss.residual");
  EXPECT_NE(rss.find("REGRESSION"), std::string::npos) << text;
  EXPECT_NE(rss.find("100.0 MiB"), std::string::npos) << rss;
  EXPECT_NE(rss.find("150.0 MiB"), std::string::npos) << rss;
  EXPECT_NE(rss.find("+50.0 MiB (+50.0%)"), std::string::npos) << rss;
  EXPECT_NE(line_with(text, "throughput.rps").find("IMPROVED"), std::string::npos);
  EXPECT_NE(line_with(text, "latency.p50").find("PASS"), std::string::npos);
  EXPECT_NE(line_with(text, "new.metric").find("NEW"), std::string::npos);
  EXPECT_NE(line_with(text, "old.metric").find("MISSING"), std::string::npos);
  EXPECT_NE(line_with(text, "errors.total == 0").find("FAILED"), std::string::npos);
  EXPECT_NE(text.find("FAIL: 1 regression, 1 failed threshold"), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b["), std::string::npos) << "no colour when not asked";
}

TEST(TerminalSink, ColumnsAreAligned) {
  auto lines = lines_of(render_terminal(testing::sample_verdict(), false));
  // The header and every metric row put STATUS at the same column.
  std::size_t header = std::string::npos;
  int rows = 0;
  for (const auto& l : lines) {
    if (l.rfind("SCENARIO  METRIC", 0) == 0) header = l.find("STATUS");
    if (header == std::string::npos || l.rfind("mixed", 0) != 0 || l.find("==") != std::string::npos ||
        l.find(" < ") != std::string::npos) {
      continue;
    }
    ++rows;
    EXPECT_EQ(l.find_first_of("PRINM", header), header) << l;
  }
  EXPECT_EQ(rows, 7);
}

TEST(TerminalSink, ColourOnlyWhenAsked) {
  auto text = render_terminal(testing::sample_verdict(), true);
  EXPECT_NE(text.find("\x1b[31;1m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[0m"), std::string::npos);
}

TEST(TerminalSink, OutputToAFileIsNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  TerminalSink sink(Output::stream(f));
  ASSERT_TRUE(sink.write(testing::sample_verdict()).ok());
  std::rewind(f);
  char buf[256] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_GT(n, 0u);
  EXPECT_EQ(std::string(buf).find("\x1b["), std::string::npos);
}

}  // namespace
}  // namespace h2soak::sinks
