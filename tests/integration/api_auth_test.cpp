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

}  // namespace
}  // namespace ims::test
