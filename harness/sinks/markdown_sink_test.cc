#include "harness/sinks/markdown_sink.h"

#include <gtest/gtest.h>

#include "harness/sinks/test_verdict.h"

namespace h2soak::sinks {
namespace {

TEST(MarkdownSink, HeadlineFailuresAndTable) {
  auto md = render_markdown(testing::sample_verdict());
  EXPECT_EQ(md.rfind("## h2soak compare: FAIL: 1 regression, 1 failed threshold", 0), 0u) << md;
  EXPECT_NE(md.find("### Failures"), std::string::npos);
  EXPECT_NE(md.find("- `mixed` `rss.residual`: "), std::string::npos) << md;
  EXPECT_NE(md.find("| Scenario | Metric | Baseline | Current | Change | Limit | Status |"), std::string::npos);
  EXPECT_NE(md.find("| `mixed` | `rss.residual` | 100.0 MiB | 150.0 MiB | +50.0 MiB (+50.0%) | &lt;= 110.0 MiB (tolerance) | **REGRESSION** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `mixed` | `errors.total == 0` | 2 | **FAILED** |"), std::string::npos) << md;
  EXPECT_NE(md.find("### Notes"), std::string::npos);
}

TEST(MarkdownSink, PipesAreEscapedSoRowsKeepSevenColumns) {
  auto md = render_markdown(testing::sample_verdict());
  auto pos = md.find("gauge.a<b>");
  ASSERT_NE(pos, std::string::npos) << md;
  auto start = md.rfind('\n', pos) + 1;
  auto row = md.substr(start, md.find('\n', pos) - start);
  int unescaped = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++unescaped;
  }
  EXPECT_EQ(unescaped, 8) << row;
}

TEST(MarkdownSink, CellEscaping) {
  EXPECT_EQ(markdown_cell("a|b"), "a\\|b");
  EXPECT_EQ(markdown_cell("x_y*z"), "x\\_y\\*z");
  EXPECT_EQ(markdown_cell("<tag>"), "&lt;tag&gt;");
  EXPECT_EQ(markdown_cell("l1\nl2"), "l1<br>l2");
}

}  // namespace
}  // namespace h2soak::sinks
