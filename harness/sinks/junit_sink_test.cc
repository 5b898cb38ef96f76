#include "harness/sinks/junit_sink.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "harness/sinks/test_verdict.h"

namespace h2soak::sinks {
namespace {

// A small well-formedness checker: balanced, properly nested tags; quoted
// attributes; '&' only in the five entities or numeric references; no raw
// '<' in text or attributes; no control characters. Returns "" or the problem.
std::string check_xml(const std::string& x) {
  std::vector<std::string> stack;
  auto entity_ok = [&](std::size_t i) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (x.compare(i, std::strlen(e), e) == 0) return true;
    }
    return x.compare(i, 2, "&#") == 0 && x.find(';', i) != std::string::npos;
  };
  std::size_t i = 0;
  int roots = 0;
  while (i < x.size()) {
    char c = x[i];
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control character";
    if (c == '&' && !entity_ok(i)) return "bare & at " + std::to_string(i);
    if (c == '>' && stack.empty() && i > 0) return "text outside the root";
    if (c != '<') {
      ++i;
      continue;
    }
    if (x.compare(i, 2, "<?") == 0) {
      i = x.find("?>", i);
      if (i == std::string::npos) return "unterminated <?";
      i += 2;
      continue;
    }
    if (x.compare(i, 2, "</") == 0) {
      auto end = x.find('>', i);
      std::string name = x.substr(i + 2, end - i - 2);
      if (stack.empty() || stack.back() != name) return "mismatched </" + name + ">";
      stack.pop_back();
      i = end + 1;
      continue;
    }
    // Start tag: name, then attributes name="value", then > or />.
    std::size_t j = i + 1;
    while (j < x.size() && (std::isalnum(static_cast<unsigned char>(x[j])) || x[j] == '-' || x[j] == '_')) ++j;
    std::string name = x.substr(i + 1, j - i - 1);
    if (name.empty()) return "bad tag at " + std::to_string(i);
    for (;;) {
      while (x[j] == ' ') ++j;
      if (x[j] == '>') {
        if (stack.empty()) ++roots;
        stack.push_back(name);
        ++j;
        break;
      }
      if (x.compare(j, 2, "/>") == 0) {
        if (stack.empty()) ++roots;
        j += 2;
        break;
      }
      std::size_t k = j;
      while (k < x.size() && (std::isalnum(static_cast<unsigned char>(x[k])) || x[k] == '-' || x[k] == '_')) ++k;
      if (k == j || x[k] != '=' || x[k + 1] != '"') return "bad attribute in <" + name + ">";
      auto close = x.find('"', k + 2);
      if (close == std::string::npos) return "unterminated attribute";
      std::string value = x.substr(k + 2, close - k - 2);
      if (value.find('<') != std::string::npos) return "raw < in attribute";
      for (std::size_t p = 0; p < value.size(); ++p) {
        if (value[p] == '&' && !entity_ok(k + 2 + p)) return "bare & in attribute";
      }
      j = close + 1;
    }
    i = j;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "expected one root element";
  return "";
}

TEST(JUnitSink, WellFormedWithOneTestcasePerMetricAndThreshold) {
  auto xml = render_junit(testing::sample_verdict());
  EXPECT_EQ(check_xml(xml), "") << xml;
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  // 7 metrics + 2 thresholds; 1 regression + 1 failed threshold; 1 missing.
  EXPECT_NE(xml.find("<testsuites name=\"h2soak compare\" tests=\"9\" failures=\"2\" errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"mixed\" tests=\"9\" failures=\"2\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"h2soak.mixed\" name=\"rss.residual\">\n      <failure type=\"regression\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"h2soak.mixed\" name=\"latency.p50\"/>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"threshold: errors.total == 0\">\n      <failure type=\"threshold\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"old.metric\">\n      <skipped"), std::string::npos);
  EXPECT_NE(xml.find("<system-out>"), std::string::npos);
}

// An attribution run's explanation leads the failure message: what a CI
// page shows first.
TEST(JUnitSink, FailureMessageStartsWithTheExplanation) {
  auto v = testing::sample_verdict();
  for (auto& m : v.metrics) {
    if (m.metric == "rss.residual") m.explanation = "+64.0 KiB per upload of upload [60.0 KiB, 68.0 KiB], 90 % of the steady growth";
  }
  auto xml = render_junit(v);
  EXPECT_EQ(check_xml(xml), "") << xml;
  EXPECT_NE(xml.find("<failure type=\"regression\" message=\"rss.residual: +64.0 KiB per upload of upload [60.0 KiB, "
                     "68.0 KiB], 90 % of the steady growth; "),
            std::string::npos)
      << xml;
}

TEST(JUnitSink, EscapesNamesMessagesAndControlCharacters) {
  auto xml = render_junit(testing::sample_verdict());
  EXPECT_NE(xml.find("name=\"gauge.a&lt;b&gt;&amp;&quot;c&apos;|d\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"threshold: latency.p50 &lt; 250ms\""), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("laptop\xEF\xBF\xBD"), std::string::npos);
}

TEST(JUnitSink, XmlEscape) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(xml_escape(std::string("x\0y", 3)), "x\xEF\xBF\xBDy");
  EXPECT_EQ(xml_escape("µs"), "µs");
}

TEST(JUnitSink, CheckerRejectsBrokenXml) {
  // The checker must be able to fail, or the tests above prove nothing.
  EXPECT_NE(check_xml("<a><b></a></b>"), "");
  EXPECT_NE(check_xml("<a x=\"1&2\"/>"), "");
  EXPECT_NE(check_xml("<a>1 < 2</a>"), "");
  EXPECT_NE(check_xml("<a>"), "");
  EXPECT_EQ(check_xml("<?xml version=\"1.0\"?>\n<a x=\"&lt;\"><b/>t&amp;</a>\n"), "");
}

TEST(JUnitSink, WritesAFile) {
  char tmpl[] = "/tmp/h2soak-junit-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/out.xml";
  JUnitSink sink(Output::file(path));
  ASSERT_TRUE(sink.write(testing::sample_verdict()).ok());
  std::FILE* f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  std::remove(path.c_str());
  ::rmdir(tmpl);
  JUnitSink bad(Output::file(std::string(tmpl) + "/gone/out.xml"));
  EXPECT_FALSE(bad.write(testing::sample_verdict()).ok());
}

}  // namespace
}  // namespace h2soak::sinks
