#include "switch/directory/fields.hpp"

#include <gtest/gtest.h>

namespace ims::sw::directory {
namespace {

TEST(LoginField, AcceptsSipUserTokens) {
  for (const char* ok : {"alice", "agent0001", "j.doe", "a_b-c", "+1001", "x~y"}) {
    EXPECT_FALSE(login_problem(ok)) << ok;
  }
}

TEST(LoginField, RejectsWhatNeedsEscapingOrIsEmpty) {
  EXPECT_EQ(login_problem(""), "missing: every agent needs a login");
  for (const char* bad : {"al ice", "alice@example.com", "a:b", "a;b", "é", "a\"b"}) {
    EXPECT_TRUE(login_problem(bad)) << bad;
  }
  EXPECT_TRUE(login_problem(std::string(65, 'a')));
  EXPECT_FALSE(login_problem(std::string(64, 'a')));
}

TEST(EmailField, WantsOneAtAndADottedDomain) {
  EXPECT_FALSE(email_problem("alice@example.com"));
  EXPECT_FALSE(email_problem("first.last+tag@mail.example.co.uk"));
  for (const char* bad : {"alice", "@example.com", "alice@", "alice@localhost", "a@b@c.com",
                          "al ice@example.com", "alice@exa_mple.com", "alice@-x.com"}) {
    EXPECT_EQ(email_problem(bad), "not an email address (expected name@example.com)") << bad;
  }
}

TEST(NumberField, IsDigitsWithAnOptionalPlus) {
  EXPECT_FALSE(number_problem("1001"));
  EXPECT_FALSE(number_problem("+33123456789"));
  for (const char* bad : {"", "+", "10 01", "1001a", "++1"}) {
    EXPECT_TRUE(number_problem(bad)) << bad;
  }
  EXPECT_TRUE(number_problem(std::string(21, '1')));
  EXPECT_FALSE(number_problem("+" + std::string(20, '1')));
}

TEST(HexField, ChecksLengthAndDigits) {
  EXPECT_FALSE(hex_problem(std::string(32, 'a'), 32));
  EXPECT_FALSE(hex_problem("0123456789ABCDEF0123456789abcdef", 32));
  EXPECT_TRUE(hex_problem(std::string(31, 'a'), 32));
  EXPECT_TRUE(hex_problem(std::string(32, 'g'), 32));
  EXPECT_TRUE(hex_problem(std::string(32, 'a'), 64));
}

TEST(NameField, RefusesLineBreaks) {
  EXPECT_FALSE(name_problem("Alice Martin"));
  EXPECT_FALSE(name_problem("Zoë Ünal"));
  EXPECT_TRUE(name_problem("Alice\r\nVia: x"));
  EXPECT_TRUE(name_problem("  "));
}

TEST(TokenField, IsLowercase) {
  EXPECT_FALSE(token_problem("french"));
  EXPECT_FALSE(token_problem("tier_2-b"));
  EXPECT_TRUE(token_problem("French"));
  EXPECT_TRUE(token_problem("a b"));
  EXPECT_TRUE(is_known_task("im"));
  EXPECT_FALSE(is_known_task("fax"));
}

TEST(DomainField, AcceptsNamesAndAddresses) {
  for (const char* ok : {"localhost", "example.com", "127.0.0.1", "::1", "[::1]", "2001:db8::1",
                         "sip.example.com."}) {
    EXPECT_FALSE(domain_problem(ok)) << ok;
  }
  for (const char* bad : {"", "exa mple.com", "1.2.3.999", "::g", "-x.com", "a..b"}) {
    EXPECT_TRUE(domain_problem(bad)) << bad;
  }
}

TEST(CanonicalHost, LowercasesAndNormalisesIpv6) {
  EXPECT_EQ(canonical_host("LocalHost"), "localhost");
  EXPECT_EQ(canonical_host("[::1]"), "::1");
  EXPECT_EQ(canonical_host("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonical_host("[2001:DB8::0001]"), "2001:db8::1");
  EXPECT_EQ(canonical_host("example.com."), "example.com");
}

TEST(GlobMatch, StarMatchesAnyRun) {
  EXPECT_TRUE(glob_match("cust*", "cust0001"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_TRUE(glob_match("alice", "alice"));
  EXPECT_FALSE(glob_match("alice", "alice2"));
  EXPECT_FALSE(glob_match("a*b", "acd"));
  EXPECT_TRUE(glob_match("*0001", "agent0001"));
}

}  // namespace
}  // namespace ims::sw::directory
