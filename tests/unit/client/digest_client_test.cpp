#include "client/digest_client.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"
#include "common/auth/credentials.hpp"

namespace ims::client {
namespace {

// RFC 7616 §3.9.1: one request answered with SHA-256 and with MD5.
constexpr std::string_view kUser = "Mufasa";
constexpr std::string_view kPassword = "Circle of Life";
constexpr std::string_view kRealm = "http-auth@example.org";
constexpr std::string_view kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view kOpaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
constexpr std::string_view kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

std::string rfc_challenge(std::string_view algorithm) {
  return "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" +
         std::string(algorithm) + ", nonce=\"" + std::string(kNonce) + "\", opaque=\"" +
         std::string(kOpaque) + "\"";
}

TEST(ParseChallenge, ReadsTheRfc7616Example) {
  auto c = parse_challenge(rfc_challenge("SHA-256"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->algorithm, auth::Algorithm::Sha256);
  EXPECT_EQ(c->realm, kRealm);
  EXPECT_EQ(c->nonce, kNonce);
  ASSERT_TRUE(c->opaque);
  EXPECT_EQ(*c->opaque, kOpaque);
  EXPECT_TRUE(c->qop_auth);
  EXPECT_FALSE(c->stale);
}

TEST(ParseChallenge, ReadsWhatTheSwitchSends) {
  const std::string value = auth::challenge(auth::Algorithm::Md5, "127.0.0.1", "n0nce", {}, true);
  auto c = parse_challenge(value);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->algorithm, auth::Algorithm::Md5);
  EXPECT_EQ(c->realm, "127.0.0.1");
  EXPECT_EQ(c->nonce, "n0nce");
  EXPECT_FALSE(c->opaque);
  EXPECT_TRUE(c->stale);
  EXPECT_TRUE(c->qop_auth);
}

TEST(ParseChallenge, AbsentAlgorithmMeansMd5AndAbsentQopTheRfc2069Form) {
  auto c = parse_challenge("digest realm=r,nonce=\"a\\\"b\"");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->algorithm, auth::Algorithm::Md5);
  EXPECT_FALSE(c->qop_auth);
  EXPECT_EQ(c->nonce, "a\"b");
}

TEST(ParseChallenge, RefusesWhatItCannotAnswer) {
  for (std::string_view bad :
       {"Basic realm=\"x\"", "Digest", "Digest realm=\"r\"", "Digest nonce=\"n\"",
        "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
        "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", "Digest realm=\"r, nonce=\"n\"",
        "Digest realm=\"r\" nonce=\"n\"", "Digest =x"}) {
    auto c = parse_challenge(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, ClientErrc::BadChallenge) << bad;
  }
  EXPECT_FALSE(parse_challenge("Digest realm=\"" + std::string(5000, 'r') + "\", nonce=n").ok());
}

TEST(ChooseChallenge, PrefersSha256WhereverItStands) {
  const std::string md5 = auth::challenge(auth::Algorithm::Md5, "r", "n1", {}, false);
  const std::string sha = auth::challenge(auth::Algorithm::Sha256, "r", "n2", {}, false);
  auto c = choose_challenge(std::vector<std::string_view>{md5, sha});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->algorithm, auth::Algorithm::Sha256);
  EXPECT_EQ(c->nonce, "n2");
  c = choose_challenge(std::vector<std::string_view>{"Basic realm=x", md5});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->algorithm, auth::Algorithm::Md5);
  EXPECT_FALSE(choose_challenge(std::vector<std::string_view>{"Basic realm=x"}));
}

TEST(ChooseChallenge, ReadsTheHeaderOfA401OrA407) {
  sip::Message m401 = sip::Message::response(401);
  m401.add(sip::HeaderId::WwwAuthenticate,
           auth::challenge(auth::Algorithm::Md5, "r", "w", {}, false));
  m401.add(sip::HeaderId::ProxyAuthenticate,
           auth::challenge(auth::Algorithm::Md5, "r", "p", {}, false));
  EXPECT_EQ(choose_challenge(m401)->nonce, "w");
  sip::Message m407 = m401;
  m407.set_status(407);
  EXPECT_EQ(choose_challenge(m407)->nonce, "p");
}

TEST(Credentials, MatchTheRfc7616ResponsesForSha256AndMd5) {
  for (auto [algorithm, expected] :
       {std::pair{
            std::string_view("SHA-256"),
            std::string_view("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")},
        std::pair{std::string_view("MD5"), std::string_view("8ca523f5e9506fed4657c9700eebdbec")}}) {
    auto c = parse_challenge(rfc_challenge(algorithm));
    ASSERT_TRUE(c.ok());
    const std::string value =
        credentials_value(*c, {kUser, kPassword, "GET", "/dir/index.html", 1, kCnonce});
    // Read back with the switch's own parser: the same fields, the RFC's response.
    auto parsed = auth::parse_credentials(value);
    ASSERT_TRUE(parsed.ok()) << value;
    EXPECT_EQ(parsed->response, expected) << algorithm;
    EXPECT_EQ(parsed->username, kUser);
    EXPECT_EQ(parsed->realm, kRealm);
    EXPECT_EQ(parsed->nonce, kNonce);
    EXPECT_EQ(parsed->uri, "/dir/index.html");
    EXPECT_EQ(parsed->qop, auth::Qop::Auth);
    ASSERT_TRUE(parsed->nc);
    EXPECT_EQ(parsed->nc->text, "00000001");
    EXPECT_EQ(parsed->cnonce.value_or(""), kCnonce);
    EXPECT_EQ(parsed->opaque.value_or(""), kOpaque);
    EXPECT_EQ(auth::algorithm_name(parsed->algorithm), algorithm);
  }
}

TEST(Credentials, WithoutQopUseTheRfc2069Form) {
  auto c = parse_challenge("Digest realm=\"r\", nonce=\"n\"");
  ASSERT_TRUE(c.ok());
  const std::string value = credentials_value(*c, {"u", "p", "REGISTER", "sip:h", 1, "c"});
  EXPECT_EQ(value.find("qop="), std::string::npos);
  EXPECT_EQ(value.find("nc="), std::string::npos);
  auto parsed = auth::parse_credentials(value);
  ASSERT_TRUE(parsed.ok());
  const std::string ha1 = auth::ha1(auth::Algorithm::Md5, "u", "r", "p");
  EXPECT_EQ(parsed->response, auth::response(auth::Algorithm::Md5, ha1, "n", "", "",
                                             auth::Qop::None, "REGISTER", "sip:h"));
}

TEST(WorthAnswering, TheFirstChallengeAndThenOnlyStaleOnes) {
  DigestChallenge fresh = *parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
  DigestChallenge stale = fresh;
  stale.stale = true;
  EXPECT_TRUE(worth_answering(fresh, 0));
  EXPECT_FALSE(worth_answering(fresh, 1));  // the credentials were refused: a wrong password
  EXPECT_TRUE(worth_answering(stale, 1));   // only the nonce expired
  EXPECT_TRUE(worth_answering(stale, kMaxChallengeRounds - 1));
  EXPECT_FALSE(worth_answering(stale, kMaxChallengeRounds));  // no endless loop
}

TEST(DigestState, CountsNonceUsesAndRestartsOnANewChallenge) {
  DigestState state;
  EXPECT_FALSE(state.next_credentials("u", "p", "MESSAGE", "sip:b@h"));
  state.on_challenge(
      *parse_challenge(auth::challenge(auth::Algorithm::Sha256, "r", "n", {}, false)));
  auto nc_of = [](const std::optional<std::string>& v) {
    return auth::parse_credentials(*v)->nc->text;
  };
  EXPECT_EQ(nc_of(state.next_credentials("u", "p", "MESSAGE", "sip:b@h")), "00000001");
  EXPECT_EQ(nc_of(state.next_credentials("u", "p", "MESSAGE", "sip:b@h")), "00000002");
  state.on_challenge(*parse_challenge(auth::challenge(auth::Algorithm::Md5, "r", "m", {}, true)));
  auto third = state.next_credentials("u", "p", "MESSAGE", "sip:b@h");
  EXPECT_EQ(nc_of(third), "00000001");
  EXPECT_EQ(auth::parse_credentials(*third)->nonce, "m");
  EXPECT_EQ(nc_text(0x1a), "0000001a");
}

}  // namespace
}  // namespace ims::client
