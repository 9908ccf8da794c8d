#include "common/sip/uri.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace ims::sip {
namespace {

Uri must_parse(std::string_view text) {
  auto r = parse_uri(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Uri{};
}

bool equal(std::string_view a, std::string_view b) {
  auto ua = parse_uri(a);
  auto ub = parse_uri(b);
  EXPECT_TRUE(ua.ok()) << a;
  EXPECT_TRUE(ub.ok()) << b;
  if (!ua.ok() || !ub.ok()) return false;
  const bool ab = uri_equal(*ua, *ub);
  EXPECT_EQ(ab, uri_equal(*ub, *ua)) << "comparison not symmetric: " << a << " / " << b;
  return ab;
}

// ---- parsing: components -----------------------------------------------------------------

TEST(ParseUri, SplitsSipUriIntoComponents) {
  // RFC 3261 §19.1.3 examples.
  const Uri u = must_parse("sip:alice:secretword@atlanta.com;transport=tcp");
  EXPECT_EQ(u.scheme, UriScheme::Sip);
  EXPECT_EQ(u.user, "alice");
  EXPECT_TRUE(u.has_password);
  EXPECT_EQ(u.password, "secretword");
  EXPECT_EQ(u.host, "atlanta.com");
  EXPECT_EQ(u.host_kind, HostKind::Name);
  EXPECT_FALSE(u.port);
  EXPECT_EQ(u.params.text(), ";transport=tcp");
  EXPECT_EQ(u.headers, "");
}

TEST(ParseUri, KeepsHeadersWithoutQuestionMark) {
  const Uri u = must_parse("sips:alice@atlanta.com?subject=project%20x&priority=urgent");
  EXPECT_EQ(u.scheme, UriScheme::Sips);
  EXPECT_EQ(u.headers, "subject=project%20x&priority=urgent");
  EXPECT_EQ(u.params.text(), "");
}

TEST(ParseUri, TelephoneSubscriberInUserPartWithPassword) {
  const Uri u = must_parse("sip:+1-212-555-1212:1234@gateway.com;user=phone");
  EXPECT_EQ(u.user, "+1-212-555-1212");
  EXPECT_EQ(u.password, "1234");
  EXPECT_EQ(u.params.text(), ";user=phone");
}

TEST(ParseUri, UserPartMayCarrySemicolonsAndParameters) {
  const Uri a = must_parse("sip:alice;day=tuesday@atlanta.com");
  EXPECT_EQ(a.user, "alice;day=tuesday");
  EXPECT_EQ(a.params.text(), "");
  // RFC 4475 §3.1.1.10 (semiuri): the ';' belongs to the user part.
  const Uri b = must_parse("sip:user;par=u%40example.net@example.com");
  EXPECT_EQ(b.user, "user;par=u%40example.net");
  EXPECT_EQ(b.host, "example.com");
}

TEST(ParseUri, NoUserinfo) {
  const Uri u = must_parse("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com");
  EXPECT_EQ(u.user, "");
  EXPECT_FALSE(u.has_password);
  EXPECT_EQ(u.host, "atlanta.com");
  EXPECT_EQ(u.params.text(), ";method=REGISTER");
  EXPECT_EQ(u.headers, "to=alice%40atlanta.com");
}

TEST(ParseUri, EmptyPasswordIsPresent) {
  const Uri u = must_parse("sip:alice:@atlanta.com");
  EXPECT_TRUE(u.has_password);
  EXPECT_EQ(u.password, "");
}

TEST(ParseUri, SchemeIsCaseInsensitive) {
  EXPECT_EQ(must_parse("SIP:alice@atlanta.com").scheme, UriScheme::Sip);
  EXPECT_EQ(must_parse("SiPs:alice@atlanta.com").scheme, UriScheme::Sips);
  EXPECT_EQ(must_parse("TEL:+1234").scheme, UriScheme::Tel);
}

TEST(ParseUri, Ipv4HostAndPorts) {
  const Uri u = must_parse("sip:alice@192.0.2.4:5070");
  EXPECT_EQ(u.host_kind, HostKind::Ipv4);
  EXPECT_EQ(u.host, "192.0.2.4");
  EXPECT_EQ(u.port, 5070);
  EXPECT_EQ(must_parse("sip:h.example.com:0").port, 0);
  EXPECT_EQ(must_parse("sip:h.example.com:65535").port, 65535);
  EXPECT_EQ(must_parse("sip:h.example.com:05060").port, 5060);
}

TEST(ParseUri, HostnameForms) {
  EXPECT_EQ(must_parse("sip:example.com.").host, "example.com.");  // trailing dot allowed
  EXPECT_EQ(must_parse("sip:a-b.c-d.example").host_kind, HostKind::Name);
  EXPECT_EQ(must_parse("sip:localhost").host_kind, HostKind::Name);
  EXPECT_EQ(must_parse("sip:1host.example.com").host_kind, HostKind::Name);
}

// RFC 5118 §4.1, §4.3, §4.4: the brackets decide where the address ends.
TEST(ParseUri, Ipv6ReferenceWithoutPort) {
  const Uri u = must_parse("sip:[2001:db8::10]");
  EXPECT_EQ(u.host, "[2001:db8::10]");
  EXPECT_EQ(u.host_kind, HostKind::Ipv6);
  EXPECT_FALSE(u.port);
}

TEST(ParseUri, Ipv6PortAmbiguousIsPartOfTheAddress) {
  const Uri u = must_parse("sip:[2001:db8::10:5070]");
  EXPECT_EQ(u.host, "[2001:db8::10:5070]");
  EXPECT_FALSE(u.port);
}

TEST(ParseUri, Ipv6PortUnambiguous) {
  const Uri u = must_parse("sip:user@[2001:db8::10]:5070;transport=udp");
  EXPECT_EQ(u.host, "[2001:db8::10]");
  EXPECT_EQ(u.port, 5070);
  EXPECT_EQ(u.params.text(), ";transport=udp");
}

// RFC 5118 §4.9 and §4.10.
TEST(ParseUri, Ipv6WithEmbeddedIpv4) {
  EXPECT_EQ(must_parse("sip:[::ffff:192.0.2.1]").host_kind, HostKind::Ipv6);
  EXPECT_EQ(must_parse("sip:user@[2001:db8::192.0.2.1]").host_kind, HostKind::Ipv6);
  EXPECT_EQ(must_parse("sip:[1:2:3:4:5:6:192.0.2.1]").host_kind, HostKind::Ipv6);
}

TEST(ParseUri, ToleratesRfc3261AbnfThreeColonForm) {
  // RFC 5118 §4.10: "an implementation must tolerate both of the above constructs".
  const Uri u = must_parse("sip:user@[2001:db8:::192.0.2.1]");
  EXPECT_EQ(u.host_kind, HostKind::Ipv6);
  EXPECT_TRUE(host_equal(u.host, "[2001:db8::192.0.2.1]"));
  // ...but only in front of an embedded IPv4 address, the one place that ABNF produces it.
  EXPECT_FALSE(parse_uri("sip:[2001:db8:::1]").ok());
}

TEST(ParseUri, Ipv6AddressForms) {
  for (const char* text :
       {"sip:[::1]", "sip:[::]", "sip:[1::]", "sip:[1:2:3:4:5:6:7:8]", "sip:[1:2:3:4:5:6:7::]",
        "sip:[::2:3:4:5:6:7:8]", "sip:[FE80::a:B]", "sip:[::192.0.2.1]"}) {
    EXPECT_EQ(must_parse(text).host_kind, HostKind::Ipv6) << text;
  }
}

TEST(ParseUri, ParametersAllowIpv6InMaddrAndEscapes) {
  const Uri u = must_parse("sip:host.example.com;maddr=[2001:db8::1];ttl=255;lr");
  EXPECT_EQ(u.params.text(), ";maddr=[2001:db8::1];ttl=255;lr");
  must_parse("sip:h.example.com;maddr=239.255.255.1;ttl=0");
  // RFC 4475 §3.1.1.5 (esc02) Contact: escaped parameter names and values.
  must_parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
}

// RFC 4475 §3.1.1.1 (wsinv) and §3.1.1.2: every user/password character the grammar allows.
TEST(ParseUri, UnusualButValidUserAndPasswordCharacters) {
  const Uri u = must_parse(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
      "(doesn't-it)@example.com");
  EXPECT_EQ(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(u.host, "example.com");
}

// RFC 4475 §3.1.1.3 (esc01) and §3.1.1.4 (escnull).
TEST(ParseUri, EscapedCharactersInUserPartStayEscaped) {
  const Uri a = must_parse("sip:sips%3Auser%40example.com@example.net");
  EXPECT_EQ(a.user, "sips%3Auser%40example.com");
  EXPECT_EQ(a.host, "example.net");
  EXPECT_EQ(unescape(a.user), "sips:user@example.com");
  const Uri b = must_parse("sip:null-%00-null@example.com");
  EXPECT_EQ(unescape(b.user), std::string("null-\0-null", 11));
  EXPECT_EQ(unescape(must_parse("sip:I%20have%20spaces@example.net").user), "I have spaces");
  EXPECT_EQ(unescape(must_parse("sip:%75se%72@example.com").user), "user");
}

TEST(ParseUri, EscapedHeadersAreValid) {
  // RFC 4475 §3.1.2.10 / §3.3.9 carry this; the URI itself is well-formed.
  const Uri u = must_parse("sip:user@example.com?Route=%3Csip:example.com%3E");
  EXPECT_EQ(u.headers, "Route=%3Csip:example.com%3E");
}

TEST(ParseUri, TelUris) {
  const Uri g = must_parse("tel:+1-201-555-0123");
  EXPECT_EQ(g.scheme, UriScheme::Tel);
  EXPECT_EQ(g.user, "+1-201-555-0123");
  EXPECT_EQ(g.host_kind, HostKind::None);
  EXPECT_EQ(g.host, "");
  const Uri l = must_parse("tel:7042;phone-context=example.com");
  EXPECT_EQ(l.user, "7042");
  EXPECT_EQ(l.params.text(), ";phone-context=example.com");
  must_parse("tel:863-1234;phone-context=+1-914-555");
  must_parse("tel:+1(201)555.0123;ext=1234;isub=1411");
  must_parse("tel:*21#;phone-context=+1");
  must_parse("tel:+358-555-1234567;postd=pp22");
  must_parse("tel:a1b2;phone-context=example.com");  // HEXDIG is allowed in local numbers
}

TEST(ParseUri, ErrorCodesNameTheComponent) {
  auto code = [](std::string_view text) {
    auto r = parse_uri(text);
    return r.ok() ? std::error_code{} : r.error().code;
  };
  EXPECT_EQ(code("http://example.com/"), UriErrc::UnsupportedScheme);
  EXPECT_EQ(code("nobodyKnowsThisScheme:totallyopaque"), UriErrc::UnsupportedScheme);
  EXPECT_EQ(code("sip:user@host.example.com:70000"), UriErrc::BadPort);
  EXPECT_EQ(code("sip:user@"), UriErrc::BadHost);
  EXPECT_EQ(code("sip:[::1"), UriErrc::BadHost);
  EXPECT_EQ(code("sip:us%4@example.com"), UriErrc::BadEscape);
  EXPECT_EQ(code("sip:user name@example.com"), UriErrc::BadCharacter);
  EXPECT_EQ(code("sip:user@example.com;"), UriErrc::BadParameter);
  EXPECT_EQ(code("sip:user@example.com?x"), UriErrc::BadHeader);
  EXPECT_EQ(code("sip:@example.com"), UriErrc::BadUserinfo);
  EXPECT_EQ(code("tel:1234"), UriErrc::BadTelNumber);
  EXPECT_EQ(std::string(uri_category().name()), "sip.uri");
}

// ---- parsing: rejections -------------------------------------------------------------------

class RejectsUri : public testing::TestWithParam<const char*> {};

TEST_P(RejectsUri, Invalid) { EXPECT_FALSE(parse_uri(GetParam()).ok()) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(
    Sip, RejectsUri,
    testing::Values(
        "", "sip", "sip:", "sipx:user@example.com", "<sip:user@example.com>",
        // spaces, controls, non-ASCII (RFC 4475 §3.1.2.5 lwsruri, §3.1.2.7 trws)
        "sip:user name@example.com", "sip:user@example .com", "sip:user@example.com ",
        " sip:user@example.com", "sip:user@example.com; lr", "sip:user@example.com\r\n",
        "sip:us\ter@example.com", "sip:user@exampl\xc3\xa9.com", "sip:user@example.com\x7f",
        // escapes
        "sip:us%2@example.com", "sip:us%zz@example.com", "sip:user%@example.com",
        "sip:user:pa%4@example.com", "sip:user@example.com;a=%g1", "sip:user@example.com?a=%",
        // userinfo
        "sip:@example.com", "sip::pw@example.com", "sip:user:pa:ss@example.com",
        "sip:user:p@ss@example.com", "sip:us]er@example.com", "sip:us\"er@example.com",
        "sip:us<er@example.com", "sip:us#er@example.com",
        // host
        "sip:user@", "sip:user@:5060", "sip:user@;lr", "sip:user@?a=b", "sip:user@-example.com",
        "sip:user@example-.com", "sip:user@exa_mple.com", "sip:user@example..com",
        "sip:user@.example.com", "sip:user@example.123", "sip:user@256.1.1.1", "sip:user@1.2.3",
        "sip:user@1.2.3.4.5", "sip:user@1.2.3.0004", "sip:user@exa[mple.com", "sip:.",
        // port
        "sip:user@example.com:", "sip:user@example.com:65536", "sip:user@example.com:-1",
        "sip:user@example.com:5x", "sip:user@example.com:+5", "sip:user@example.com:5:6",
        "sip:user@example.com:99999999999999999999999",
        // parameters
        "sip:user@example.com;", "sip:user@example.com;=x",
        "sip:user@example.com;a=", "sip:user@example.com;;lr", "sip:user@example.com;lr;",
        "sip:user@example.com;a=b=c\"", "sip:user@example.com;ttl=256",
        "sip:user@example.com;ttl=x", "sip:user@example.com;maddr=bad_host",
        "sip:user@example.com;maddr=[::1", "sip:user@example.com;a=<b>",
        // headers
        "sip:user@example.com?", "sip:user@example.com?a", "sip:user@example.com?=x",
        "sip:user@example.com?a=b&", "sip:user@example.com?a=b&&c=d",
        "sip:user@example.com?a=<b>"));

// RFC 5118 §4.2 and IPv6 syntax errors.
INSTANTIATE_TEST_SUITE_P(
    Ipv6, RejectsUri,
    testing::Values("sip:2001:db8::10", "sip:user@2001:db8::10", "sip:[2001:db8::10",
                    "sip:[2001:db8::10:5070", "sip:2001:db8::10]", "sip:[2001:db8::10]x",
                    "sip:[2001:db8::10]:", "sip:[2001:db8::10]:70000", "sip:[]", "sip:[",
                    "sip:[::1]]", "sip:[[::1]]", "sip:[1:2:3:4:5:6:7:8:9]", "sip:[1:2:3:4:5:6:7]",
                    "sip:[1::2::3]", "sip:[12345::1]", "sip:[::g]", "sip:[2001:db8:::1]",
                    "sip:[::::192.0.2.1]", "sip:[1::2:::192.0.2.1]", "sip:[:1:2:3:4:5:6:7]",
                    "sip:[1:2:3:4:5:6:7:]", "sip:[::1%25eth0]", "sip:[::256.0.0.1]",
                    "sip:[::1.2.3]", "sip:[1:2:3:4:5:6:7:1.2.3.4]", "sip:[1.2.3.4]",
                    "sip:[1.2.3.4::]", "sip:[::1.2.3.4:5]", "sip:[2001:db8::10];maddr=[x]",
                    "sip:[1:2:3:4:5:6:7:8::]", "sip:[::1:2:3:4:5:6:7:8]", "sip:[:]", "sip:[:::]"));

INSTANTIATE_TEST_SUITE_P(Tel, RejectsUri,
                         testing::Values("tel:", "tel:+", "tel:+-", "tel:1234", "tel:+1 234",
                                         "tel:+12a4", "tel:+1234;phone-context=", "tel:+1234;=x",
                                         "tel:+1234;", "tel:+1234;;a",
                                         "tel:7042;phone-context=bad_domain", "tel:+1234;ext=12a",
                                         "tel:+1234;ext=", "tel:+1234;a_b=1", "tel:+1234;a=b\"c",
                                         "tel:+1234;isub=%zz", "tel:-;phone-context=+1",
                                         "tel:12g4;phone-context=+1"));

// ---- parsing: accepted and equal to themselves -------------------------------------------

class AcceptsUri : public testing::TestWithParam<const char*> {};

TEST_P(AcceptsUri, ValidAndEqualToItself) {
  auto r = parse_uri(GetParam());
  ASSERT_TRUE(r.ok()) << GetParam() << ": " << r.error().message;
  EXPECT_TRUE(uri_equal(*r, *r));
}

INSTANTIATE_TEST_SUITE_P(
    All, AcceptsUri,
    testing::Values(
        "sip:alice@atlanta.com", "sip:alice:secretword@atlanta.com;transport=tcp",
        "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone", "sips:1212@gateway.com",
        "sip:alice@192.0.2.4", "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
        "sip:alice;day=tuesday@atlanta.com", "sip:user@example.com;lr",
        "sip:user@example.com;lr;transport=tcp;ttl=16;maddr=239.1.1.1;method=INVITE;user=ip",
        "sip:user@example.com;x-unknown;y=%41%42", "sip:u@h.example.com?a=&b=c",
        "sip:u@h.example.com?a=b&a=b", "sip:user@example.com;transport=tcp;transport=udp",
        "sip:[2001:db8::10]", "sip:[2001:db8::10:5070]", "sip:[2001:db8::10]:5070",
        "sip:[::ffff:192.0.2.1]", "sip:user@[2001:db8:::192.0.2.1]", "sip:0.0.0.0:0",
        "sip:255.255.255.255", "sip:user@h;%6C%72", "sip:*@example.com", "sip:%25@example.com",
        "sip:user:@example.com", "tel:+1-201-555-0123", "tel:7042;phone-context=example.com",
        "tel:863-1234;phone-context=+1-914-555", "tel:+1234;X-Foo=bar;ext=1"));

// ---- comparison: RFC 3261 §19.1.4 -------------------------------------------------------

using Pair = std::pair<const char*, const char*>;

class EqualUris : public testing::TestWithParam<Pair> {};
TEST_P(EqualUris, AreEquivalent) {
  EXPECT_TRUE(equal(GetParam().first, GetParam().second))
      << GetParam().first << " vs " << GetParam().second;
}

class UnequalUris : public testing::TestWithParam<Pair> {};
TEST_P(UnequalUris, AreNotEquivalent) {
  EXPECT_FALSE(equal(GetParam().first, GetParam().second))
      << GetParam().first << " vs " << GetParam().second;
}

// The equivalent pairs listed in §19.1.4.
INSTANTIATE_TEST_SUITE_P(
    Rfc3261Examples, EqualUris,
    testing::Values(Pair{"sip:%61lice@atlanta.com;transport=TCP",
                         "sip:alice@AtLanTa.CoM;Transport=tcp"},
                    Pair{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
                    Pair{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
                    Pair{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
                    Pair{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                         "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
                    Pair{"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                         "sip:alice@atlanta.com?priority=urgent&subject=project%20x"}));

// The non-equivalent pairs listed in §19.1.4.
INSTANTIATE_TEST_SUITE_P(
    Rfc3261Examples, UnequalUris,
    testing::Values(
        Pair{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
        Pair{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
        Pair{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
        // "equality is not transitive"
        Pair{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"}));

// One pair per rule of §19.1.4.
INSTANTIATE_TEST_SUITE_P(
    Rules, EqualUris,
    testing::Values(
        Pair{"sip:alice@EXAMPLE.com", "sip:alice@example.COM"},                    // host case
        Pair{"sip:alice@example.com;lr", "sip:alice@example.com"},                 // lr in one only
        Pair{"sip:alice@example.com;lr;foo=1", "sip:alice@example.com;foo=1;lr"},  // order
        Pair{"sip:%61%6c%69%63%65@example.com", "sip:alice@example.com"},  // unreserved escapes
        Pair{"sip:a%3bb@example.com", "sip:a%3Bb@example.com"},            // hex case
        Pair{"sip:alice:%70w@example.com", "sip:alice:pw@example.com"},    // password escapes
        Pair{"sip:a@example.com;transport=%74cp", "sip:a@example.com;TRANSPORT=TCP"},
        Pair{"sip:a@example.com;%6C%72", "sip:a@example.com;LR"},
        Pair{"sip:a@example.com;foo=BAR", "sip:a@example.com;FOO=bar"},  // params case
        Pair{"sip:a@example.com;user=phone", "sip:a@example.com;user=PHONE"},
        Pair{"sip:a@example.com;ttl=1;maddr=239.1.1.1", "sip:a@example.com;maddr=239.1.1.1;ttl=1"},
        Pair{"sip:a@example.com;maddr=[::1]", "sip:a@example.com;maddr=[0:0::0:1]"},
        Pair{"sip:a@example.com:5060", "sip:a@example.com:05060"},
        Pair{"sip:a@192.0.2.4", "sip:a@192.0.2.004"},
        Pair{"sip:a@example.com?Subject=x", "sip:a@example.com?subject=x"},  // header names
        Pair{"sip:a@example.com?subject=a%20b", "sip:a@example.com?%73ubject=a%20b"},
        Pair{"sips:a@example.com", "SIPS:a@example.com"}));

INSTANTIATE_TEST_SUITE_P(
    Rules, UnequalUris,
    testing::Values(
        Pair{"sip:alice@atlanta.com", "sips:alice@atlanta.com"},       // scheme
        Pair{"sip:Alice@atlanta.com", "sip:alice@atlanta.com"},        // user case
        Pair{"sip:atlanta.com", "sip:alice@atlanta.com"},              // user omitted
        Pair{"sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"},     // password omitted
        Pair{"sip:alice:@atlanta.com", "sip:alice@atlanta.com"},       // empty password
        Pair{"sip:alice:PW@atlanta.com", "sip:alice:pw@atlanta.com"},  // password case
        Pair{"sip:a%3Bb@atlanta.com", "sip:a;b@atlanta.com"},          // reserved escapes
        Pair{"sip:a%40b@atlanta.com", "sip:a%2540b@atlanta.com"},
        Pair{"sip:a@atlanta.com:5061", "sip:a@atlanta.com:5060"},
        Pair{"sip:a@atlanta.com;user=ip", "sip:a@atlanta.com"},        // user param
        Pair{"sip:a@atlanta.com;ttl=1", "sip:a@atlanta.com"},          // ttl
        Pair{"sip:a@atlanta.com;method=INVITE", "sip:a@atlanta.com"},  // method
        Pair{"sip:a@atlanta.com;method=INVITE", "sip:a@atlanta.com;method=invite"},
        Pair{"sip:a@atlanta.com;maddr=239.1.1.1", "sip:a@atlanta.com"},  // maddr
        Pair{"sip:a@atlanta.com;maddr=239.1.1.1", "sip:a@atlanta.com;maddr=239.1.1.2"},
        Pair{"sip:a@atlanta.com;transport=tcp", "sip:a@atlanta.com;transport=udp"},
        Pair{"sip:a@atlanta.com;foo", "sip:a@atlanta.com;foo=1"},            // flag vs value
        Pair{"sip:a@atlanta.com?subject=x", "sip:a@atlanta.com?subject=X"},  // header value
        Pair{"sip:a@atlanta.com?subject=x", "sip:a@atlanta.com?subject=x&priority=urgent"},
        Pair{"sip:a@atlanta.com?subject=x", "sip:a@atlanta.com;subject=x"},
        Pair{"sip:a@atlanta.com", "sip:a@atlanta.com."},
        Pair{"sip:a@192.0.2.1", "sip:a@[::ffff:192.0.2.1]"}));

// IPv6 references compare as addresses (RFC 5118 §4.3, §4.9, §4.10).
INSTANTIATE_TEST_SUITE_P(Ipv6, EqualUris,
                         testing::Values(Pair{"sip:[2001:db8::10]", "sip:[2001:DB8:0:0:0:0:0:10]"},
                                         Pair{"sip:[2001:db8::10]", "sip:[2001:0db8:0000::0010]"},
                                         Pair{"sip:[::ffff:192.0.2.1]", "sip:[::ffff:c000:201]"},
                                         Pair{"sip:u@[2001:db8:::192.0.2.1]",
                                              "sip:u@[2001:db8::192.0.2.1]"},
                                         Pair{"sip:[::1]:5060", "sip:[0:0:0:0:0:0:0:1]:5060"}));

INSTANTIATE_TEST_SUITE_P(Ipv6, UnequalUris,
                         testing::Values(Pair{"sip:[2001:db8::10]:5070", "sip:[2001:db8::10:5070]"},
                                         Pair{"sip:[2001:db8::10]", "sip:[2001:db8::11]"},
                                         Pair{"sip:[::1]", "sip:[::1]:5060"}));

// RFC 3966 §4.
INSTANTIATE_TEST_SUITE_P(Tel, EqualUris,
                         testing::Values(Pair{"tel:+1-201-555-0123", "tel:+12015550123"},
                                         Pair{"tel:+1(201)555.0123", "TEL:+1-201-555-0123"},
                                         Pair{"tel:7042;phone-context=example.com",
                                              "tel:7042;phone-context=EXAMPLE.COM"},
                                         Pair{"tel:863-1234;phone-context=+1-914-555",
                                              "tel:8631234;phone-context=+1914555"},
                                         Pair{"tel:+1234;ext=5;isub=6", "tel:+1234;isub=6;ext=5"},
                                         Pair{"tel:+1234;ext=5-6", "tel:+1234;ext=56"},
                                         Pair{"tel:+1234;foo=ABC", "tel:+1234;FOO=abc"},
                                         Pair{"tel:ab12;phone-context=+1",
                                              "tel:AB12;phone-context=+1"}));

INSTANTIATE_TEST_SUITE_P(
    Tel, UnequalUris,
    testing::Values(Pair{"tel:+1234", "tel:1234;phone-context=+1"},
                    Pair{"tel:1234;phone-context=+1", "tel:1234;phone-context=+2"},
                    Pair{"tel:+1234", "tel:+1234;ext=5"},
                    Pair{"tel:+1234;foo=a", "tel:+1234;foo=b"}, Pair{"tel:+1234", "tel:+12345"},
                    Pair{"tel:+1234", "sip:+1234@gw.example.com;user=phone"}));

// ---- host_equal, unescape, format_sip_uri ----------------------------------------------------

TEST(HostEqual, ComparesIpv6AsAddresses) {
  EXPECT_TRUE(host_equal("[::1]", "[0:0:0:0:0:0:0:1]"));
  EXPECT_TRUE(host_equal("[::1]", "::1"));
  EXPECT_TRUE(host_equal("[2001:DB8::A]", "[2001:db8:0::a]"));
  EXPECT_FALSE(host_equal("[::1]", "[::2]"));
  EXPECT_FALSE(host_equal("[::1]", "localhost"));
  EXPECT_FALSE(host_equal("[::ffff:192.0.2.1]", "192.0.2.1"));
}

TEST(HostEqual, NamesCaseInsensitivelyAndIpv4Numerically) {
  EXPECT_TRUE(host_equal("Example.COM", "example.com"));
  EXPECT_FALSE(host_equal("example.com", "example.org"));
  EXPECT_TRUE(host_equal("192.0.2.1", "192.000.2.01"));
  EXPECT_FALSE(host_equal("192.0.2.1", "192.0.2.10"));
}

TEST(Unescape, DecodesValidEscapesOnly) {
  EXPECT_EQ(unescape("%61lice"), "alice");
  EXPECT_EQ(unescape("a%2Fb%2fc"), "a/b/c");
  EXPECT_EQ(unescape("plain"), "plain");
  EXPECT_EQ(unescape(""), "");
  EXPECT_FALSE(unescape("a%2"));
  EXPECT_FALSE(unescape("a%"));
  EXPECT_FALSE(unescape("%zz"));
}

TEST(FormatSipUri, WritesComponentsAndParsesBack) {
  EXPECT_EQ(format_sip_uri("alice", "example.com"), "sip:alice@example.com");
  EXPECT_EQ(format_sip_uri("", "example.com", 5060), "sip:example.com:5060");
  EXPECT_EQ(format_sip_uri("bob", "192.0.2.1", 5070, ";transport=tcp"),
            "sip:bob@192.0.2.1:5070;transport=tcp");
  EXPECT_EQ(format_sip_uri("bob", "example.com", std::nullopt, "lr"), "sip:bob@example.com;lr");
  EXPECT_EQ(format_sip_uri("bob", "example.com", std::nullopt, {}, true), "sips:bob@example.com");
  for (const auto& s : {format_sip_uri("alice", "example.com", 1, ";lr"),
                        format_sip_uri("a b", "::1", 5060), format_sip_uri("x", "[::1]")}) {
    EXPECT_TRUE(parse_uri(s).ok()) << s;
  }
}

TEST(FormatSipUri, BracketsIpv6Hosts) {
  EXPECT_EQ(format_sip_uri("u", "2001:db8::1", 5060), "sip:u@[2001:db8::1]:5060");
  EXPECT_EQ(format_sip_uri("u", "[2001:db8::1]"), "sip:u@[2001:db8::1]");
}

TEST(FormatSipUri, EscapesUserCharactersButKeepsEscapes) {
  EXPECT_EQ(format_sip_uri("alice smith", "example.com"), "sip:alice%20smith@example.com");
  EXPECT_EQ(format_sip_uri("a%20b", "example.com"), "sip:a%20b@example.com");
  EXPECT_EQ(format_sip_uri("a@b:c", "example.com"), "sip:a%40b%3Ac@example.com");
  EXPECT_EQ(format_sip_uri("100%", "example.com"), "sip:100%25@example.com");
  EXPECT_EQ(format_sip_uri("+1-212;x=y", "example.com"), "sip:+1-212;x=y@example.com");
}

}  // namespace
}  // namespace ims::sip
