#include <gtest/gtest.h>

#include <set>

#include "target_server/faults/fault.h"

namespace h2soak::server {
namespace {

TEST(FaultCatalogueTest, EveryCatalogueRowOnceWithItsRateAndUnit) {
  std::set<std::string_view> names;
  for (const FaultSpec& s : fault_catalogue()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_FALSE(s.what.empty()) << s.name;
    EXPECT_FALSE(s.default_rate.empty()) << s.name;
    EXPECT_FALSE(s.unit.empty()) << s.name;
  }
  const std::set<std::string_view> expected = {"template-reparse", "session-no-evict", "sse-thread-leak",
                                               "upload-retain",    "pool-no-reset",    "fd-leak",
                                               "no-stream-limit",  "context-retain"};
  EXPECT_EQ(names, expected);
}

TEST(FaultSetTest, ParsesNamesAndScales) {
  FaultSet set;
  std::string error;
  EXPECT_TRUE(set.empty());
  ASSERT_TRUE(set.add("fd-leak", &error)) << error;
  ASSERT_TRUE(set.add("upload-retain:0.25", &error)) << error;
  EXPECT_FALSE(set.empty());
  std::string text;
  set.render_metrics(text);
  EXPECT_NE(text.find("h2soak_target_fault{name=\"fd-leak\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h2soak_target_fault_scale{name=\"upload-retain\"} 0.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h2soak_target_fault_leaked{name=\"fd-leak\",unit=\"fds\"} 0\n"), std::string::npos) << text;
}

TEST(FaultSetTest, RejectsWhatItCannotRun) {
  FaultSet set;
  std::string error;
  EXPECT_FALSE(set.add("leak-everything", &error));
  EXPECT_NE(error.find("unknown --fault 'leak-everything'"), std::string::npos) << error;
  EXPECT_NE(error.find("fd-leak"), std::string::npos) << "lists the known names: " << error;
  for (const char* bad : {"fd-leak:", "fd-leak:0", "fd-leak:-1", "fd-leak:x", "fd-leak:1e9", "fd-leak:nan"}) {
    error.clear();
    EXPECT_FALSE(set.add(bad, &error)) << bad;
    EXPECT_NE(error.find("scale"), std::string::npos) << bad << ": " << error;
  }
  ASSERT_TRUE(set.add("fd-leak", &error));
  EXPECT_FALSE(set.add("fd-leak:2", &error));
  EXPECT_NE(error.find("given twice"), std::string::npos) << error;
}

TEST(FaultSetTest, NoStreamLimitSwitchesOffTheLimitAndTheIdleTimeout) {
  FaultSet set;
  std::string error;
  ASSERT_TRUE(set.add("no-stream-limit", &error));
  Config cfg;
  set.configure(cfg);
  EXPECT_GE(cfg.max_concurrent_streams, 1u << 30);
  EXPECT_GE(cfg.idle_timeout, std::chrono::hours(24));
  FaultSet other;
  ASSERT_TRUE(other.add("fd-leak", &error));
  Config untouched;
  other.configure(untouched);
  EXPECT_EQ(untouched.idle_timeout, Config{}.idle_timeout);
}

// A fault that exposes occurrences(), to check how a scale spreads over occasions.
class Probe final : public Fault {
 public:
  using Fault::Fault;
  unsigned next() { return occurrences(); }
};

std::unique_ptr<Fault> make_probe(const FaultSpec& spec, double scale) { return std::make_unique<Probe>(spec, scale); }
const FaultSpec kProbe{"probe", "test", "test", "things", make_probe};

TEST(FaultTest, ScaleSpreadsEvenly) {
  for (double scale : {0.1, 0.5, 1.0, 2.0, 2.5}) {
    Probe p(kProbe, scale);
    unsigned total = 0, most = 0;
    for (int i = 0; i < 1000; ++i) {
      unsigned n = p.next();
      total += n;
      most = std::max(most, n);
    }
    EXPECT_EQ(total, static_cast<unsigned>(scale * 1000)) << scale;
    EXPECT_LE(most, static_cast<unsigned>(scale) + 1) << scale;
  }
}

TEST(ConnectionKeepTest, ReleasesWhatItHeldWhenTheConnectionEnds) {
  Probe p(kProbe, 1.0);
  {
    ConnectionKeep keep;
    keep.keep(p, std::string(1000, 'x'));
    keep.keep(p, std::string(24, 'y'));
    EXPECT_EQ(keep.bytes(), 1024u);
    EXPECT_EQ(p.leaked(), 1024);
    EXPECT_EQ(p.events(), 2u);
  }
  EXPECT_EQ(p.leaked(), 0);
  EXPECT_EQ(p.events(), 2u);
}

}  // namespace
}  // namespace h2soak::server
