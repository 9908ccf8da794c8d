#include "common/util/strings.hpp"

#include <gtest/gtest.h>

namespace ims::util {
namespace {

TEST(Strings, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Call-ID", "call-id"));
  EXPECT_FALSE(iequals("Call-ID", "Call-IDs"));
  EXPECT_FALSE(iequals("a", "b"));
}

TEST(Strings, TrimStripsLwsAndLineEnds) {
  EXPECT_EQ(trim(" \t x y \r\n"), "x y");
  EXPECT_EQ(trim("   "), "");
}

TEST(Strings, ParseUintRejectsSignsSpacesAndOverflow) {
  EXPECT_EQ(parse_uint("42"), 42u);
  EXPECT_FALSE(parse_uint("-1"));
  EXPECT_FALSE(parse_uint(" 1"));
  EXPECT_FALSE(parse_uint("1x"));
  EXPECT_FALSE(parse_uint(""));
  EXPECT_FALSE(parse_uint("4294967296", 4294967295u));
  EXPECT_FALSE(parse_uint("99999999999999999999999"));
}

}  // namespace
}  // namespace ims::util
