#include "common/auth/verifier.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common/auth/errors.hpp"

namespace ims::auth {
namespace {

constexpr std::string_view kRealm = "example.com";
constexpr std::string_view kRuri = "sip:example.com";
constexpr std::int64_t kT0 = 1'700'000'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef";

Verifier make_verifier(VerifierConfig config = {}) {
  auto v = Verifier::with_secret(kSecret, std::move(config));
  EXPECT_TRUE(v.ok());
  return std::move(v).value();
}

std::string nonce_of(const std::string& challenge) {
  const std::size_t at = challenge.find("nonce=\"") + 7;
  return challenge.substr(at, challenge.find('"', at) - at);
}

// What a client sends: the Authorization value for one request, computed client-side.
struct ClientAuth {
  Algorithm algorithm = Algorithm::Sha256;
  std::string user = "alice";
  std::string password = "wonderland";
  std::string realm = std::string(kRealm);
  std::string nonce;
  std::uint32_t nc = 1;
  std::string method = "REGISTER";
  std::string uri = std::string(kRuri);
  bool qop = true;

  std::string header() const {
    char nc_text[9];
    std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
    const std::string cnonce = "c0ffee42";
    const std::string h1 = ha1(algorithm, user, realm, password);
    const std::string r = response(algorithm, h1, nonce, nc_text, cnonce,
                                   qop ? Qop::Auth : Qop::None, method, uri);
    std::string v = "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" +
                    nonce + "\", uri=\"" + uri + "\", response=\"" + r + "\", algorithm=" +
                    std::string(algorithm_name(algorithm));
    if (qop) v += ", cnonce=\"" + cnonce + "\", qop=auth, nc=" + nc_text;
    return v;
  }
};

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    directory_["alice"] = StoredSecret{.password = "wonderland"};
    // bob's secret is only his HA1s, as a config file would hold them.
    directory_["bob"] = StoredSecret{
        .ha1_md5 = ha1(Algorithm::Md5, "bob", kRealm, "builder"),
        .ha1_sha256 = ha1(Algorithm::Sha256, "bob", kRealm, "builder"),
    };
  }

  Verdict verify(const std::vector<std::string>& values, std::int64_t now_ms,
                 std::string_view method = "REGISTER", std::string_view ruri = kRuri) {
    std::vector<std::string_view> views(values.begin(), values.end());
    return verifier_.verify(AuthRequest{method, ruri, views, kRealm}, lookup_, now_ms);
  }

  // A fresh nonce, as the client would read it from the first 401.
  std::string fresh_nonce(std::int64_t now_ms) {
    return nonce_of(verifier_.challenges(kRealm, now_ms, false).front());
  }

  Verifier verifier_ = make_verifier();
  std::map<std::string, StoredSecret, std::less<>> directory_;
  SecretLookup lookup_ = [this](std::string_view login) -> const StoredSecret* {
    const auto it = directory_.find(login);
    return it == directory_.end() ? nullptr : &it->second;
  };
};

void expect_authenticated(const Verdict& v, std::string_view login, Algorithm a) {
  const auto* ok = std::get_if<Authenticated>(&v);
  ASSERT_NE(ok, nullptr) << "verdict index " << v.index();
  EXPECT_EQ(ok->login, login);
  EXPECT_EQ(ok->algorithm, a);
}

void expect_challenge(const Verdict& v, bool stale, ChallengeCause cause) {
  const auto* c = std::get_if<Challenge>(&v);
  ASSERT_NE(c, nullptr) << "verdict index " << v.index();
  EXPECT_EQ(c->stale, stale);
  EXPECT_EQ(c->cause, cause) << to_string(c->cause);
}

void expect_bad_request(const Verdict& v, std::string_view reason_part) {
  const auto* b = std::get_if<BadRequest>(&v);
  ASSERT_NE(b, nullptr) << "verdict index " << v.index();
  EXPECT_NE(b->reason.find(reason_part), std::string::npos) << b->reason;
}

TEST_F(VerifierTest, ChallengesOfferSha256ThenMd5WithOneNonce) {
  const auto c = verifier_.challenges(kRealm, kT0, false);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_NE(c[0].find("algorithm=SHA-256"), std::string::npos) << c[0];
  EXPECT_NE(c[1].find("algorithm=MD5"), std::string::npos) << c[1];
  for (const auto& h : c) {
    EXPECT_EQ(h.rfind("Digest realm=\"example.com\"", 0), 0u) << h;
    EXPECT_NE(h.find("qop=\"auth\""), std::string::npos) << h;
    EXPECT_EQ(h.find("stale"), std::string::npos) << h;
  }
  EXPECT_EQ(nonce_of(c[0]), nonce_of(c[1]));
  const auto s = verifier_.challenges(kRealm, kT0, true);
  EXPECT_NE(s[0].find("stale=true"), std::string::npos) << s[0];
  EXPECT_NE(nonce_of(s[0]), nonce_of(c[0]));
}

TEST_F(VerifierTest, ASingleMd5ChallengeCanBeOfferedToOneClient) {
  const std::vector<Algorithm> md5_only{Algorithm::Md5};
  const auto c = verifier_.challenges(kRealm, kT0, false, md5_only);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].find("algorithm=MD5"), std::string::npos) << c[0];
  ClientAuth md5{.algorithm = Algorithm::Md5, .nonce = nonce_of(c[0])};
  expect_authenticated(verify({md5.header()}, kT0), "alice", Algorithm::Md5);
}

TEST_F(VerifierTest, AChallengeNeverOffersWhatTheSwitchWithdrew) {
  verifier_ = make_verifier({.offered = {Algorithm::Sha256}});
  const std::vector<Algorithm> md5_only{Algorithm::Md5};
  const auto c = verifier_.challenges(kRealm, kT0, false, md5_only);
  ASSERT_EQ(c.size(), 1u);  // nothing left of the wish: what the switch offers
  EXPECT_NE(c[0].find("algorithm=SHA-256"), std::string::npos) << c[0];
}

TEST_F(VerifierTest, NoCredentialsIsAPlainChallenge) {
  expect_challenge(verify({}, kT0), false, ChallengeCause::NoCredentials);
}

TEST_F(VerifierTest, Sha256WithPasswordAuthenticates) {
  ClientAuth a{.nonce = fresh_nonce(kT0)};
  expect_authenticated(verify({a.header()}, kT0 + 50), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, Md5WithPasswordAuthenticates) {
  ClientAuth a{.algorithm = Algorithm::Md5, .nonce = fresh_nonce(kT0)};
  expect_authenticated(verify({a.header()}, kT0 + 50), "alice", Algorithm::Md5);
}

TEST_F(VerifierTest, Ha1SecretsAuthenticateBothAlgorithms) {
  const std::string nonce = fresh_nonce(kT0);
  ClientAuth sha{.user = "bob", .password = "builder", .nonce = nonce};
  expect_authenticated(verify({sha.header()}, kT0), "bob", Algorithm::Sha256);
  ClientAuth md5{.algorithm = Algorithm::Md5, .user = "bob", .password = "builder",
                 .nonce = nonce, .nc = 2};
  expect_authenticated(verify({md5.header()}, kT0), "bob", Algorithm::Md5);
}

TEST_F(VerifierTest, UpperCaseHa1InConfigStillWorks) {
  std::string h1 = ha1(Algorithm::Md5, "carol", kRealm, "pw");
  for (char& c : h1) c = char(std::toupper(static_cast<unsigned char>(c)));
  directory_["carol"] = StoredSecret{.ha1_md5 = h1};
  ClientAuth a{.algorithm = Algorithm::Md5, .user = "carol", .password = "pw",
               .nonce = fresh_nonce(kT0)};
  expect_authenticated(verify({a.header()}, kT0), "carol", Algorithm::Md5);
}

TEST_F(VerifierTest, MissingHa1ForTheAlgorithmIsRejected) {
  directory_["dave"] = StoredSecret{.ha1_md5 = ha1(Algorithm::Md5, "dave", kRealm, "pw")};
  ClientAuth a{.user = "dave", .password = "pw", .nonce = fresh_nonce(kT0)};  // SHA-256
  expect_challenge(verify({a.header()}, kT0), false, ChallengeCause::Rejected);
}

TEST_F(VerifierTest, WrongPasswordAndUnknownUserLookTheSame) {
  const std::string nonce = fresh_nonce(kT0);
  ClientAuth wrong{.password = "guess", .nonce = nonce};
  ClientAuth unknown{.user = "mallory", .nonce = nonce};
  expect_challenge(verify({wrong.header()}, kT0), false, ChallengeCause::Rejected);
  expect_challenge(verify({unknown.header()}, kT0), false, ChallengeCause::Rejected);
  EXPECT_EQ(verifier_.challenges(kRealm, kT0, false).size(), 2u);  // same answer for both
}

TEST_F(VerifierTest, WrongGuessesDoNotSpendTheNonceCount) {
  const std::string nonce = fresh_nonce(kT0);
  ClientAuth attacker{.password = "guess", .nonce = nonce, .nc = 0xffffffff};
  expect_challenge(verify({attacker.header()}, kT0), false, ChallengeCause::Rejected);
  ClientAuth alice{.nonce = nonce, .nc = 1};
  expect_authenticated(verify({alice.header()}, kT0), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, SameRequestTwiceIsReplayedAndAnsweredStale) {
  ClientAuth a{.nonce = fresh_nonce(kT0)};
  const std::string h = a.header();
  expect_authenticated(verify({h}, kT0), "alice", Algorithm::Sha256);
  expect_challenge(verify({h}, kT0 + 10), true, ChallengeCause::NonceReplayed);
}

TEST_F(VerifierTest, IncreasingCountsReuseTheNonce) {
  ClientAuth a{.nonce = fresh_nonce(kT0)};
  for (std::uint32_t nc = 1; nc <= 5; ++nc) {
    a.nc = nc;
    expect_authenticated(verify({a.header()}, kT0 + nc), "alice", Algorithm::Sha256);
  }
  a.nc = 3;
  expect_challenge(verify({a.header()}, kT0 + 10), true, ChallengeCause::NonceReplayed);
}

TEST_F(VerifierTest, ExpiredNonceGivesStaleThenTheNewNonceWorks) {
  const std::int64_t life = verifier_.config().nonce.lifetime_ms;
  ClientAuth a{.nonce = fresh_nonce(kT0)};
  expect_authenticated(verify({a.header()}, kT0), "alice", Algorithm::Sha256);
  a.nc = 2;
  const std::int64_t later = kT0 + life + 1;
  expect_challenge(verify({a.header()}, later), true, ChallengeCause::NonceStale);
  // The 401 carries stale=true; the client retries without asking its user.
  const auto c = verifier_.challenges(kRealm, later, true);
  EXPECT_NE(c[0].find("stale=true"), std::string::npos);
  ClientAuth retry{.nonce = nonce_of(c[0])};
  expect_authenticated(verify({retry.header()}, later + 20), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, WrongResponseOnExpiredNonceIsNotStale) {
  ClientAuth a{.password = "guess", .nonce = fresh_nonce(kT0)};
  expect_challenge(verify({a.header()}, kT0 + verifier_.config().nonce.lifetime_ms + 1), false,
                   ChallengeCause::Rejected);
}

TEST_F(VerifierTest, RightDigestOnAForeignNonceIsStale) {
  ClientAuth a{.nonce = std::string(64, 'a')};
  expect_challenge(verify({a.header()}, kT0), true, ChallengeCause::NonceInvalid);
}

TEST_F(VerifierTest, OtherRealmsAndSchemesAreSkipped) {
  ClientAuth other{.realm = "elsewhere.org", .nonce = fresh_nonce(kT0)};
  expect_challenge(verify({other.header()}, kT0), false, ChallengeCause::NoCredentials);
  expect_challenge(verify({"Basic YWxpY2U6d29uZGVybGFuZA=="}, kT0), false,
                   ChallengeCause::NoCredentials);
  ClientAuth ours{.nonce = fresh_nonce(kT0)};
  expect_authenticated(verify({"Basic YWxpY2U6d29uZGVybGFuZA==", other.header(), ours.header()},
                              kT0),
                       "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, PrefersSha256WhenBothAreSent) {
  const std::string nonce = fresh_nonce(kT0);
  ClientAuth md5{.algorithm = Algorithm::Md5, .nonce = nonce};
  ClientAuth sha{.nonce = nonce};
  expect_authenticated(verify({md5.header(), sha.header()}, kT0), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, UnsupportedAlgorithmIsSkipped) {
  const std::string v =
      "Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", uri=\"sip:example.com\", "
      "response=\"x\", algorithm=MD5-sess, qop=auth, nc=00000001, cnonce=\"c\"";
  expect_challenge(verify({v}, kT0), false, ChallengeCause::NoCredentials);
}

TEST_F(VerifierTest, MalformedCredentialsAreABadRequest) {
  expect_bad_request(verify({"Digest username=\"alice\", realm=\"example.com\""}, kT0),
                     "missing nonce");
  expect_bad_request(verify({"Digest username=\"alice"}, kT0), "Bad credentials");
  ClientAuth a{.nonce = fresh_nonce(kT0)};
  expect_bad_request(verify({a.header() + ", nc=00000002"}, kT0), "duplicate nc");
}

TEST_F(VerifierTest, DigestUriMustNameTheRequestUri) {
  ClientAuth a{.nonce = fresh_nonce(kT0), .uri = "sip:other.example.com"};
  expect_bad_request(verify({a.header()}, kT0), "digest uri");
  ClientAuth same{.nonce = fresh_nonce(kT0), .uri = "sip:EXAMPLE.com"};  // equal by §19.1.4
  expect_authenticated(verify({same.header()}, kT0), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, DigestUriCheckCanBeTurnedOff) {
  verifier_ = make_verifier({.check_digest_uri = false});
  ClientAuth a{.nonce = fresh_nonce(kT0), .uri = "sip:other.example.com"};
  expect_authenticated(verify({a.header()}, kT0), "alice", Algorithm::Sha256);
}

TEST_F(VerifierTest, MethodIsPartOfTheDigest) {
  ClientAuth a{.nonce = fresh_nonce(kT0), .method = "REGISTER"};
  expect_challenge(verify({a.header()}, kT0, "MESSAGE"), false, ChallengeCause::Rejected);
}

TEST_F(VerifierTest, Md5CanBeWithdrawn) {
  verifier_ = make_verifier({.offered = {Algorithm::Sha256}});
  const auto c = verifier_.challenges(kRealm, kT0, false);
  ASSERT_EQ(c.size(), 1u);
  ClientAuth md5{.algorithm = Algorithm::Md5, .nonce = nonce_of(c[0])};
  expect_challenge(verify({md5.header()}, kT0), false, ChallengeCause::NoCredentials);
}

TEST_F(VerifierTest, NoQopIsRefusedByDefault) {
  ClientAuth a{.algorithm = Algorithm::Md5, .nonce = fresh_nonce(kT0), .qop = false};
  expect_challenge(verify({a.header()}, kT0), false, ChallengeCause::NoCredentials);
}

TEST_F(VerifierTest, NoQopWhenAllowedMakesTheNonceSingleUse) {
  verifier_ = make_verifier({.accept_no_qop = true});
  ClientAuth a{.algorithm = Algorithm::Md5, .nonce = fresh_nonce(kT0), .qop = false};
  expect_authenticated(verify({a.header()}, kT0), "alice", Algorithm::Md5);
  expect_challenge(verify({a.header()}, kT0 + 1), true, ChallengeCause::NonceReplayed);
}

TEST_F(VerifierTest, ProxyAuthorizationValuesWorkTheSame) {
  // The caller passes Proxy-Authorization values for a 407 flow; nothing else changes.
  ClientAuth a{.nonce = fresh_nonce(kT0), .method = "MESSAGE", .uri = "sip:bob@example.com"};
  expect_authenticated(verify({a.header()}, kT0, "MESSAGE", "sip:bob@example.com"), "alice",
                       Algorithm::Sha256);
}

TEST(VerifierConfig, RejectsEmptyOrDuplicateOffers) {
  EXPECT_EQ(Verifier::with_secret(kSecret, {.offered = {}}).error().code, AuthErrc::BadConfig);
  EXPECT_EQ(Verifier::with_secret(kSecret, {.offered = {Algorithm::Md5, Algorithm::Md5}})
                .error()
                .code,
            AuthErrc::BadConfig);
  EXPECT_EQ(Verifier::with_secret("short").error().code, AuthErrc::WeakSecret);
  EXPECT_TRUE(Verifier::create().ok());
}

TEST(SecretHa1, PrefersAValidHa1AndFallsBackToThePassword) {
  const std::string good = ha1(Algorithm::Md5, "u", "r", "pw");
  EXPECT_EQ(secret_ha1(StoredSecret{.ha1_md5 = good}, Algorithm::Md5, "u", "r"), good);
  EXPECT_EQ(secret_ha1(StoredSecret{.password = "pw", .ha1_md5 = "not hex"}, Algorithm::Md5,
                       "u", "r"),
            good);
  EXPECT_FALSE(secret_ha1(StoredSecret{.ha1_md5 = "not hex"}, Algorithm::Md5, "u", "r"));
  EXPECT_FALSE(secret_ha1(StoredSecret{.ha1_md5 = good}, Algorithm::Sha256, "u", "r"));
  EXPECT_FALSE(secret_ha1(StoredSecret{}, Algorithm::Md5, "u", "r"));
}

}  // namespace
}  // namespace ims::auth
