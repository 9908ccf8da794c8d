#include "common/auth/digest.hpp"

#include <gtest/gtest.h>

#include "common/auth/errors.hpp"

namespace ims::auth {
namespace {

// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
constexpr std::string_view kUser = "Mufasa";
constexpr std::string_view kPassword = "Circle of Life";
constexpr std::string_view kRealm = "http-auth@example.org";
constexpr std::string_view kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

TEST(Algorithm, NamesAreTheRfcSpellings) {
  EXPECT_EQ(algorithm_name(Algorithm::Md5), "MD5");
  EXPECT_EQ(algorithm_name(Algorithm::Sha256), "SHA-256");
}

TEST(Algorithm, ParsesCaseInsensitively) {
  EXPECT_EQ(parse_algorithm("MD5").value(), Algorithm::Md5);
  EXPECT_EQ(parse_algorithm("md5").value(), Algorithm::Md5);
  EXPECT_EQ(parse_algorithm("SHA-256").value(), Algorithm::Sha256);
  EXPECT_EQ(parse_algorithm("sha-256").value(), Algorithm::Sha256);
}

TEST(Algorithm, SessVariantsAndOthersAreUnsupported) {
  for (std::string_view name : {"MD5-sess", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess",
                                "AKAv1-MD5", "SHA256", "", "MD5 "}) {
    const auto r = parse_algorithm(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, AuthErrc::Unsupported) << name;
  }
}

TEST(Digest, HexDigestsMatchKnownValues) {
  EXPECT_EQ(hex_digest(Algorithm::Md5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex_digest(Algorithm::Sha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_available(Algorithm::Md5));
  EXPECT_TRUE(is_available(Algorithm::Sha256));
}

TEST(Digest, HexRoundTrips) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  const auto back = from_hex("000FA5ff");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, (std::vector<unsigned char>{0x00, 0x0f, 0xa5, 0xff}));
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
  EXPECT_TRUE(from_hex("").has_value());
}

TEST(Digest, IsHexDigestWantsLowerCaseOfTheRightLength) {
  EXPECT_TRUE(is_hex_digest(Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"));
  EXPECT_FALSE(is_hex_digest(Algorithm::Md5, "8CA523F5E9506FED4657C9700EEBDBEC"));
  EXPECT_FALSE(is_hex_digest(Algorithm::Sha256, "8ca523f5e9506fed4657c9700eebdbec"));
  EXPECT_FALSE(is_hex_digest(Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbeg"));
}

TEST(Digest, Rfc7616Md5Example) {
  const std::string h1 = ha1(Algorithm::Md5, kUser, kRealm, kPassword);
  EXPECT_EQ(response(Algorithm::Md5, h1, kNonce, "00000001", kCnonce, Qop::Auth, "GET",
                     "/dir/index.html"),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, Rfc7616Sha256Example) {
  const std::string h1 = ha1(Algorithm::Sha256, kUser, kRealm, kPassword);
  EXPECT_EQ(h1.size(), 64u);
  EXPECT_EQ(response(Algorithm::Sha256, h1, kNonce, "00000001", kCnonce, Qop::Auth, "GET",
                     "/dir/index.html"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(Digest, Rfc2617Example) {
  // RFC 2617 §3.5 (password "Circle Of Life", capital O).
  const std::string h1 = ha1(Algorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(h1, "939e7578ed9e3c518a452acee763bce9");
  EXPECT_EQ(response(Algorithm::Md5, h1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                     "0a4f113b", Qop::Auth, "GET", "/dir/index.html"),
            "6629fae49393a05397450978507c4ef1");
}

TEST(Digest, NoQopIsTheRfc2069Form) {
  // KD(HA1, nonce ":" HA2); nc and cnonce take no part.
  const std::string h1 = ha1(Algorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  const std::string nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  const std::string r =
      response(Algorithm::Md5, h1, nonce, "00000001", "0a4f113b", Qop::None, "GET",
               "/dir/index.html");
  EXPECT_EQ(r, "670fd8c2df070c60b045671b8b24ff02");
  EXPECT_EQ(r, hex_digest(Algorithm::Md5,
                          h1 + ":" + nonce + ":" + ha2(Algorithm::Md5, "GET", "/dir/index.html")));
  EXPECT_EQ(r, response(Algorithm::Md5, h1, nonce, "", "", Qop::None, "GET", "/dir/index.html"));
}

TEST(Digest, EmptyHa1NeverYieldsAResponse) {
  EXPECT_EQ(response(Algorithm::Md5, "", "n", "00000001", "c", Qop::Auth, "GET", "/"), "");
}

TEST(Digest, EqualConstantTimeComparesWholeStrings) {
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_FALSE(equal_constant_time("", ""));  // an empty digest is a failure, never a match
}

TEST(Challenge, OffersAlgorithmAndQopAuth) {
  EXPECT_EQ(challenge(Algorithm::Sha256, "example.com", "abc", std::nullopt, false),
            "Digest realm=\"example.com\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\"");
  EXPECT_EQ(challenge(Algorithm::Md5, "example.com", "abc", "xyz", true),
            "Digest realm=\"example.com\", nonce=\"abc\", opaque=\"xyz\", algorithm=MD5, "
            "qop=\"auth\", stale=true");
}

TEST(Challenge, QuotesRealmWithQuotedPairs) {
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  const std::string c = challenge(Algorithm::Md5, "we \"quote\"", "n", std::nullopt, false);
  EXPECT_NE(c.find("realm=\"we \\\"quote\\\"\""), std::string::npos) << c;
}

}  // namespace
}  // namespace ims::auth
