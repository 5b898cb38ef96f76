#pragma once
// The verdict as JUnit XML, the format CI services show as test results:
//   <testsuites name="h2soak compare" tests= failures=>
//     <testsuite name=SCENARIO tests= failures= skipped=>
//       <testcase classname="h2soak.SCENARIO" name=METRIC>      one per scenario × metric
//         <failure type="regression" message=REASON>table cells</failure>   REGRESSION
//         <skipped message="in the baseline but not in the results"/>       MISSING
//       <testcase classname="h2soak.SCENARIO" name="threshold: EXPR">       one per threshold
//         <failure type="threshold" message=DETAIL/>
//   Notes go to the first suite's <system-out> (the schema has none on <testsuites>).
// All text and attribute values are escaped (xml_escape); characters XML 1.0
// cannot carry (control characters other than tab, LF, CR) become U+FFFD.

#include <string>
#include <string_view>

#include "harness/sinks/sink.h"

namespace h2soak::sinks {

std::string render_junit(const compare::Verdict& verdict);

// Escapes & < > " ' and replaces characters not allowed in XML 1.0.
std::string xml_escape(std::string_view text);

class JUnitSink final : public Sink {
 public:
  explicit JUnitSink(Output out) : out_(std::move(out)) {}
  const char* name() const override { return "junit"; }
  Status write(const compare::Verdict& verdict) override { return out_.put(render_junit(verdict)); }

 private:
  Output out_;
};

}  // namespace h2soak::sinks
