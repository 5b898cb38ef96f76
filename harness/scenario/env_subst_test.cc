#include "harness/scenario/env_subst.h"

#include <gtest/gtest.h>

#include <map>

namespace h2soak::scenario::detail {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvSubst, ReplacesSetVariablesAndDefaults) {
  auto r = substitute_env("url: ${A}\nport: ${P:-8443}\nempty: ${E:-x}\n", env_of({{"A", "http://h"}, {"E", ""}}), "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->text(), "url: http://h\nport: 8443\nempty: x\n");
}

TEST(EnvSubst, SetValueWinsOverDefault) {
  auto r = substitute_env("p: ${P:-1}", env_of({{"P", "2"}}), "f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text(), "p: 2");
}

TEST(EnvSubst, EscapedDollarAndComments) {
  auto r = substitute_env("a: $${X}\n# ${UNSET} in a comment\nb: c # ${UNSET}\nd: \"#${Y:-y}\"\n", env_of({}), "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->text(), "a: ${X}\n# ${UNSET} in a comment\nb: c # ${UNSET}\nd: \"#y\"\n");
}

TEST(EnvSubst, ApostropheInPlainScalarDoesNotHideAComment) {
  auto r = substitute_env("description: it's fine # ${UNSET}\n", env_of({}), "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
}

TEST(EnvSubst, ErrorsNameFileLineColumn) {
  auto unset = substitute_env("a: 1\nb:  ${NOPE}\n", env_of({}), "f.yaml");
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().message(), "f.yaml:2:5: environment variable NOPE is not set (write ${NOPE:-default} to give a default)");
  auto open = substitute_env("a: ${X\n", env_of({}), "f.yaml");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().message(), "f.yaml:1:4: unterminated \"${\": write ${NAME} or ${NAME:-default}");
  auto bad = substitute_env("a: ${1X}\n", env_of({}), "f.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where(), "f.yaml:1:4");
  auto nl = substitute_env("a: ${X}\n", env_of({{"X", "a\nb"}}), "f.yaml");
  ASSERT_FALSE(nl.ok());
  EXPECT_EQ(nl.error().message(), "f.yaml:1:4: environment variable X contains a line break");
}

TEST(EnvSubst, PositionsMapBackToTheOriginal) {
  //            0123456789012345678901234
  auto r = substitute_env("x: ${LONG_NAME} y: ${S} z\nnext: 1\n", env_of({{"LONG_NAME", "ab"}, {"S", "0123456789"}}), "f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text(), "x: ab y: 0123456789 z\nnext: 1\n");
  // Before any substitution: unchanged (0-based in, 1-based out).
  EXPECT_EQ(r->to_original(0, 0), (std::pair{1, 1}));
  // Inside the first value: the '$' of ${LONG_NAME} (col 3 → 4).
  EXPECT_EQ(r->to_original(0, 4), (std::pair{1, 4}));
  // "y" is at 6 in the output, at 16 in the original.
  EXPECT_EQ(r->to_original(0, 6), (std::pair{1, 17}));
  // Inside the second value → its '$' (original col 19 → 20).
  EXPECT_EQ(r->to_original(0, 12), (std::pair{1, 20}));
  // "z" at 20 in the output; at 24 in the original.
  EXPECT_EQ(r->to_original(0, 20), (std::pair{1, 25}));
  // Other lines are untouched.
  EXPECT_EQ(r->to_original(1, 6), (std::pair{2, 7}));
}

}  // namespace
}  // namespace h2soak::scenario::detail

namespace h2soak::scenario::detail {
namespace {

TEST(EnvSubst, DefaultMayHoldBraces) {
  auto r = substitute_env("url: ${U:-https://127.0.0.1:{port}}\n", env_of({}), "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->text(), "url: https://127.0.0.1:{port}\n");
}

}  // namespace
}  // namespace h2soak::scenario::detail
