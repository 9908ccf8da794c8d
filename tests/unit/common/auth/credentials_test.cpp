#include "common/auth/credentials.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/auth/errors.hpp"

namespace ims::auth {
namespace {

// RFC 7616 §3.9.1, as one header value.
constexpr std::string_view kRfcExample =
    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
    "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

constexpr std::string_view kMinimal =
    "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"x\"";

std::error_code code_of(std::string_view value) {
  const auto r = parse_credentials(value);
  EXPECT_FALSE(r.ok()) << value;
  return r.ok() ? std::error_code{} : r.error().code;
}

TEST(ParseCredentials, ReadsTheRfc7616Example) {
  const auto c = parse_credentials(kRfcExample);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "Mufasa");
  EXPECT_EQ(c->realm, "http-auth@example.org");
  EXPECT_EQ(c->uri, "/dir/index.html");
  EXPECT_EQ(c->algorithm, Algorithm::Sha256);
  EXPECT_EQ(c->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  ASSERT_TRUE(c->nc.has_value());
  EXPECT_EQ(c->nc->text, "00000001");
  EXPECT_EQ(c->nc->value, 1u);
  EXPECT_EQ(c->cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  EXPECT_EQ(c->qop, Qop::Auth);
  EXPECT_EQ(c->response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(c->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
}

TEST(ParseCredentials, ReadsSippStyleWithoutSpaces) {
  const auto c = parse_credentials(
      "Digest username=\"alice\",realm=\"example.com\",uri=\"sip:example.com\",nonce=\"abc\","
      "response=\"0123\",algorithm=MD5,cnonce=\"6b8b4567\",qop=auth,nc=00000001");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->algorithm, Algorithm::Md5);
  EXPECT_EQ(c->cnonce, "6b8b4567");
}

TEST(ParseCredentials, AbsentAlgorithmMeansMd5AndAbsentQopMeansNone) {
  const auto c = parse_credentials(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->algorithm, Algorithm::Md5);
  EXPECT_EQ(c->qop, Qop::None);
  EXPECT_FALSE(c->nc.has_value());
  EXPECT_FALSE(c->cnonce.has_value());
  EXPECT_FALSE(c->opaque.has_value());
}

TEST(ParseCredentials, SchemeAndNamesAreCaseInsensitiveInAnyOrder) {
  const auto c = parse_credentials(
      "dIGEST  RESPONSE=\"x\" ,URI=\"sip:r\",  Nonce = \"n\" , Realm=\"r\",UserName=\"a\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "a");
  EXPECT_EQ(c->uri, "sip:r");
  EXPECT_EQ(c->response, "x");
}

TEST(ParseCredentials, ResolvesQuotedPairs) {
  const auto c = parse_credentials(
      "Digest username=\"bob \\\"the\\\" \\\\builder\", realm=\"r\", nonce=\"n\", "
      "uri=\"sip:r\", response=\"x\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "bob \"the\" \\builder");
}

TEST(ParseCredentials, CommasAndEqualsInsideQuotesAreData) {
  const auto c = parse_credentials(
      "Digest username=\"a,b=c\", realm=\"r, s\", nonce=\"n\", uri=\"sip:x@r;a=b,c\", "
      "response=\"x\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "a,b=c");
  EXPECT_EQ(c->realm, "r, s");
  EXPECT_EQ(c->uri, "sip:x@r;a=b,c");
}

TEST(ParseCredentials, AcceptsQuotedQopAndNcAndUnquotedValues) {
  const auto c = parse_credentials(
      "Digest username=a, realm=r, nonce=abc==, uri=sip:r, response=x, qop=\"auth\", "
      "nc=\"0000000A\", cnonce=c, algorithm=\"SHA-256\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->nonce, "abc==");
  EXPECT_EQ(c->qop, Qop::Auth);
  EXPECT_EQ(c->nc->value, 10u);
  EXPECT_EQ(c->nc->text, "0000000A");  // kept as sent: the response covers the text
  EXPECT_EQ(c->algorithm, Algorithm::Sha256);
}

TEST(ParseCredentials, IgnoresUnknownParametersEvenTwice) {
  const auto c = parse_credentials(std::string(kMinimal) + ", foo=bar, foo=\"baz\", x-y=1");
  ASSERT_TRUE(c.ok()) << c.error().message;
}

TEST(ParseCredentials, ToleratesEmptyListElements) {
  const auto c = parse_credentials(
      "Digest , username=\"a\",, realm=\"r\", ,nonce=\"n\",uri=\"sip:r\",response=\"x\",");
  ASSERT_TRUE(c.ok()) << c.error().message;
}

TEST(ParseCredentials, OtherSchemesAreNotDigest) {
  EXPECT_EQ(code_of("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), AuthErrc::NotDigest);
  EXPECT_EQ(code_of("Bearer abc"), AuthErrc::NotDigest);
  EXPECT_EQ(code_of("Digestive username=\"a\""), AuthErrc::NotDigest);
}

TEST(ParseCredentials, MissingMandatoryParametersAreErrors) {
  for (std::string_view drop : {"username", "realm", "nonce", "uri", "response"}) {
    std::string v = "Digest";
    for (std::string_view p : {"username", "realm", "nonce", "uri", "response"})
      if (p != drop) v += std::string(v == "Digest" ? " " : ", ") + std::string(p) + "=\"v\"";
    EXPECT_EQ(code_of(v), AuthErrc::MissingParameter) << v;
  }
  EXPECT_EQ(code_of("Digest"), AuthErrc::MissingParameter);
  EXPECT_EQ(code_of("Digest   "), AuthErrc::MissingParameter);
}

TEST(ParseCredentials, QopAuthNeedsCnonceAndNc) {
  const std::string base(kMinimal);
  EXPECT_EQ(code_of(base + ", qop=auth, nc=00000001"), AuthErrc::MissingParameter);
  EXPECT_EQ(code_of(base + ", qop=auth, cnonce=\"c\""), AuthErrc::MissingParameter);
}

TEST(ParseCredentials, DuplicatesAreErrorsWhateverTheirCase) {
  const std::string base(kMinimal);
  EXPECT_EQ(code_of(base + ", nonce=\"m\""), AuthErrc::DuplicateParameter);
  EXPECT_EQ(code_of(base + ", Realm=\"r\""), AuthErrc::DuplicateParameter);
  EXPECT_EQ(code_of(base + ", algorithm=MD5, ALGORITHM=MD5"), AuthErrc::DuplicateParameter);
}

TEST(ParseCredentials, UnsupportedVariantsAreReportedAsSuch) {
  const std::string base(kMinimal);
  EXPECT_EQ(code_of(base + ", algorithm=MD5-sess"), AuthErrc::Unsupported);
  EXPECT_EQ(code_of(base + ", algorithm=SHA-256-sess"), AuthErrc::Unsupported);
  EXPECT_EQ(code_of(base + ", algorithm=SHA-512-256"), AuthErrc::Unsupported);
  EXPECT_EQ(code_of(base + ", qop=auth-int, nc=00000001, cnonce=\"c\""), AuthErrc::Unsupported);
  EXPECT_EQ(code_of(base + ", userhash=true"), AuthErrc::Unsupported);
  EXPECT_EQ(code_of(base + ", username*=UTF-8''J%C3%A4s"), AuthErrc::Unsupported);
  EXPECT_TRUE(parse_credentials(base + ", userhash=false").ok());
}

TEST(ParseCredentials, NcMustBeEightHexDigits) {
  const std::string base = std::string(kMinimal) + ", qop=auth, cnonce=\"c\", nc=";
  for (std::string_view nc : {"1", "0000001", "000000001", "0000000g", "-0000001", "\"\""})
    EXPECT_EQ(code_of(base + std::string(nc)), AuthErrc::Malformed) << nc;
  const auto max = parse_credentials(base + "ffffffff");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->nc->value, 0xffffffffu);
}

TEST(ParseCredentials, SyntaxErrorsAreMalformed) {
  for (std::string_view v : {
           "",                                            // no scheme
           "\"Digest\" username=\"a\"",                   // scheme not a token
           "Digest,username=\"a\"",                       // no space after the scheme
           "Digest username",                             // no '='
           "Digest username=",                            // no value
           "Digest username=\"a",                         // unterminated quote
           "Digest username=\"a\\",                       // quoted-pair at the end
           "Digest username=\"a\" realm=\"r\"",           // no comma
           "Digest username=\"a\"x, realm=\"r\"",         // junk after a quoted value
           "Digest =\"a\"",                               // no name
           "Digest username=\"a\rb\"",                    // control in a quoted string
           "Digest username=\"a\", realm=\"r\x01\"",      // control in a quoted string
           "Digest username=a\x01",                       // control in a token
       }) {
    EXPECT_EQ(code_of(v), AuthErrc::Malformed) << v;
  }
}

TEST(ParseCredentials, BoundsAreEnforced) {
  std::string long_value = std::string(kMinimal) + ", x=\"" +
                           std::string(kMaxCredentialsBytes, 'a') + "\"";
  EXPECT_EQ(code_of(long_value), AuthErrc::TooLong);
  std::string many(kMinimal);
  for (std::size_t i = 0; i < kMaxCredentialsParams; ++i) many += ", p" + std::to_string(i) + "=1";
  EXPECT_EQ(code_of(many), AuthErrc::TooLong);
}

TEST(ParseCredentials, NonAsciiInQuotedStringsIsKept) {
  const auto c = parse_credentials(
      "Digest username=\"J\xc3\xa4s\xc3\xb8n\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", "
      "response=\"x\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "J\xc3\xa4s\xc3\xb8n");
}

// Garbage never crashes: every prefix of a real value, and random mutations of it. Run under
// ASan/UBSan this is the parser's survival corpus.
TEST(ParseCredentials, SurvivesPrefixesAndMutations) {
  const std::string base(kRfcExample);
  for (std::size_t n = 0; n <= base.size(); ++n) (void)parse_credentials(base.substr(0, n));
  std::mt19937 rng(7616);
  const std::string alphabet = "\"\\,= \t\r\nDigestabc0\x01\x7f\xff*";
  for (int i = 0; i < 20000; ++i) {
    std::string v = base;
    const int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (v.size() + 1);
      switch (rng() % 3) {
        case 0: v.insert(v.begin() + long(at), alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < v.size()) v.erase(at, 1); break;
        default: if (at < v.size()) v[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    const auto c = parse_credentials(v);
    if (c.ok()) {
      EXPECT_FALSE(c->qop == Qop::Auth && !c->nc.has_value()) << v;
    }
  }
}

}  // namespace
}  // namespace ims::auth
