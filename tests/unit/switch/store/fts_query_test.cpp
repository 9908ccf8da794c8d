// fts: user words become quoted FTS5 strings, never query syntax.

#include "switch/store/fts_query.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::store::fts {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view text) {
  auto r = split_words(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : Words{};
}

TEST(FtsQuery, WordsAreSplitAtWhitespaceAndControlCharacters) {
  EXPECT_EQ(split("  carte\tbloquée\r\nhier "), (Words{"carte", "bloquée", "hier"}));
  EXPECT_EQ(split(std::string_view("a\0b", 3)), (Words{"a", "b"}));
  EXPECT_EQ(split(""), Words{});
}

TEST(FtsQuery, WordsWithoutALetterOrDigitAreDropped) {
  EXPECT_EQ(split("\" * ( ) -- ; ?!"), Words{});
  EXPECT_EQ(split("(x) \"y\" été"), (Words{"(x)", "\"y\"", "été"}));
}

TEST(FtsQuery, TooMuchIsInvalid) {
  std::string many;
  for (std::size_t i = 0; i < kMaxSearchWords; ++i) many += "w ";
  EXPECT_TRUE(split_words(many).ok());
  auto r = split_words(many + "one-more");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StoreErrc::Invalid);
  r = split_words(std::string(kMaxSearchBytes + 1, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StoreErrc::Invalid);
}

TEST(FtsQuery, EachWordIsQuotedAndTheLastOneIsAPrefix) {
  EXPECT_EQ(match_all({"carte", "bloq"}, true), "\"carte\" \"bloq\"*");
  EXPECT_EQ(match_all({"carte", "bloq"}, false), "\"carte\" \"bloq\"") << "a complete word";
  EXPECT_EQ(match_all({"say", "\"hi!\""}, true), "\"say\" \"\"\"hi!\"\"\"") << "quotes doubled";
  EXPECT_EQ(match_all({"NEAR(a", "OR", "b)"}, true), "\"NEAR(a\" \"OR\" \"b)\"");
  EXPECT_EQ(match_all({"go", "you"}, true), "\"go\" \"you\"") << "too short to be a prefix";
  EXPECT_EQ(match_all({"été"}, true), "\"été\"*") << "five bytes of UTF-8";
  EXPECT_EQ(match_all({}, true), "");
}

TEST(FtsQuery, TextEndingInWhitespaceEndsItsLastWord) {
  EXPECT_TRUE(ends_in_word("refund ord"));
  EXPECT_FALSE(ends_in_word("refund order "));
  EXPECT_FALSE(ends_in_word("refund\n"));
  EXPECT_FALSE(ends_in_word(""));
}

TEST(FtsQuery, APartyTokenIsOneWordPerLogin) {
  EXPECT_EQ(party_token("alice"), "p616c696365");
  EXPECT_EQ(party_token("a.b"), "p612e62");
  EXPECT_NE(party_token("ab"), party_token("a b"));
}

}  // namespace
}  // namespace ims::sw::store::fts
