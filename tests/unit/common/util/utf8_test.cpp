// UTF-8 by code point (RFC 3629): every length round-trips; stray, truncated, overlong,
// surrogate and out-of-range sequences are refused one byte at a time.

#include <gtest/gtest.h>

#include "common/util/utf8.hpp"

namespace ims::util {
namespace {

TEST(Utf8, EveryLengthRoundTrips) {
  for (char32_t cp : {U'A', U'\u00E9', U'\u20AC', U'\U0001F600', U'\U0010FFFF'}) {
    std::string s;
    append_utf8(s, cp);
    std::size_t i = 0;
    EXPECT_EQ(next_utf8(s, i), cp);
    EXPECT_EQ(i, s.size());
    EXPECT_TRUE(valid_utf8(s));
  }
  std::string euro;
  append_utf8(euro, U'\u20AC');
  EXPECT_EQ(euro, "\xE2\x82\xAC");
}

TEST(Utf8, InvalidSequencesAreRefusedOneByteAtATime) {
  for (std::string_view bad : {"\x80", "\xC3", "\xE2\x82", "\xC0\xAF", "\xE0\x80\xAF",
                               "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xC3\x28"}) {
    std::size_t i = 0;
    EXPECT_FALSE(next_utf8(bad, i)) << testing::PrintToString(std::string(bad));
    EXPECT_EQ(i, 1u);
    EXPECT_FALSE(valid_utf8(bad));
  }
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ASCII, caf\xC3\xA9"));
}

}  // namespace
}  // namespace ims::util
