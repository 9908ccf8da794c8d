// Who may call the HTTP API, on the real binary: an agent with its SIP credentials over HTTP
// Digest (SHA-256 or MD5, challenged like SIP), the operator with the admin token; no
// credentials, a wrong password, a wrong token and Basic are 401 with the challenges; /health
// needs nothing.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr std::string_view kToken = "s3cret-admin-token-0123";

class ApiAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string yaml = imswitch_yaml_with({{"admin_token", "\"" + std::string(kToken) + "\""}});
    ASSERT_FALSE(yaml.empty());
    SwitchOptions o;
    o.config = dir_.write("imswitch.yaml", yaml);
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
    ASSERT_TRUE(sw_->http());
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  ScratchDir dir_{"imswitch-api-auth-"};
  std::unique_ptr<SwitchProcess> sw_;
  const std::string target_ = "/api/v1/directory?q=mar";
};

TEST_F(ApiAuth, NoCredentialsGet401WithBothDigestChallenges) {
  HttpClient c(*sw_->http());
  auto r = c.get(target_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  const auto challenges = r->all("www-authenticate");
  ASSERT_EQ(challenges.size(), 2u) << r->body;
  auto first = parse_challenge(challenges[0]);
  auto second = parse_challenge(challenges[1]);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->algorithm, "SHA-256");
  EXPECT_EQ(second->algorithm, "MD5");
  EXPECT_EQ(first->realm, "127.0.0.1");
  EXPECT_TRUE(nlohmann::json::parse(r->body).contains("error"));
  // /health stays open, for load balancers and probes.
  auto health = c.get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200u);
}

TEST_F(ApiAuth, AnAgentsSipCredentialsOpenTheApiWithEitherAlgorithm) {
  HttpClient c(*sw_->http());
  auto sha = authed_get(c, target_, "alice", "pw-alice");
  ASSERT_TRUE(sha);
  EXPECT_EQ(sha->status, 200u) << sha->body;
  auto md5 = authed_request(c, "GET", target_, "bob", "pw-bob", {}, Digest::Md5);
  ASSERT_TRUE(md5);
  EXPECT_EQ(md5->status, 200u) << md5->body;
  auto wrong = authed_get(c, target_, "alice", "not-her-password");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401u);
  auto nobody = authed_get(c, target_, "mallory", "pw-mallory");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 401u);
}

TEST_F(ApiAuth, TheAdminTokenOpensItAndAnyOtherTokenOrBasicDoesNot) {
  HttpClient c(*sw_->http());
  auto admin = admin_request(c, "GET", target_, kToken);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200u) << admin->body;
  auto wrong = admin_request(c, "GET", target_, "s3cret-admin-token-0124");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401u);
  auto basic = c.request("GET", target_, {{"Authorization", "Basic YWxpY2U6cHctYWxpY2U="}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401u);
  EXPECT_NE(basic->body.find("Basic"), std::string::npos) << basic->body;
  auto garbled = c.request("GET", target_, {{"Authorization", "Digest username=\"alice"}});
  ASSERT_TRUE(garbled);
  EXPECT_TRUE(garbled->status == 400u || garbled->status == 401u) << garbled->status;
  EXPECT_TRUE(still_serving(*sw_));
}

// http.tls: true: HTTPS only, on the switch's (here self-signed) certificate; Basic is then
// accepted, checked against the directory's secrets; Digest and the token work as over HTTP.
class ApiHttps : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string yaml = imswitch_yaml_with({{"admin_token", "\"" + std::string(kToken) + "\""}});
    const auto at = yaml.rfind("\n  tls: false");  // http's, the last
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at, 13, "\n  tls: true");
    SwitchOptions o;
    o.config = dir_.write("imswitch.yaml", yaml);
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
    ASSERT_TRUE(sw_->http());
    ca_ = sw_->dir() + "/tls/imswitch.crt";
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  ScratchDir dir_{"imswitch-api-https-"};
  std::unique_ptr<SwitchProcess> sw_;
  std::string ca_;
};

TEST_F(ApiHttps, BasicDigestAndTokenOverTlsAndNothingInTheClear) {
  EXPECT_TRUE(sw_->wait_for_log("HTTP API on https://127.0.0.1:", 1, 1s));
  HttpClient c(*sw_->http(), ca_);
  ASSERT_TRUE(c.connected()) << c.tls_error();
  auto health = c.get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200u);

  // No credentials: Digest challenges, and Basic's too now.
  auto r = c.get("/api/v1/agents/alice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  const auto challenges = r->all("www-authenticate");
  ASSERT_EQ(challenges.size(), 3u);
  EXPECT_EQ(challenges[2], "Basic realm=\"127.0.0.1\", charset=\"UTF-8\"");

  // alice:pw-alice, and a wrong password.
  r = c.request("GET", "/api/v1/agents/alice", {{"Authorization", "Basic YWxpY2U6cHctYWxpY2U="}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body).value("login", ""), "alice");
  r = c.request("GET", "/api/v1/agents/alice", {{"Authorization", "Basic YWxpY2U6d3Jvbmc="}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  r = c.request("GET", "/api/v1/agents/alice", {{"Authorization", "Basic !!notbase64"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400u) << r->body;

  auto digest = authed_get(c, "/api/v1/agents/bob", "bob", "pw-bob");
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->status, 200u);
  auto admin = admin_request(c, "GET", "/api/v1/queues", kToken);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200u);

  // Plain HTTP to the TLS port gets no answer: the handshake fails and the connection closes.
  HttpClient plain(*sw_->http());
  ASSERT_TRUE(plain.connected());
  EXPECT_FALSE(plain.get("/health"));
}

}  // namespace
}  // namespace ims::test
