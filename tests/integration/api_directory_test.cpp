// GET /api/v1/directory on the real binary with config/imswitch.yaml's sample directory: the
// Team Communicator finds agents by a word prefix of their name, email or phone and queues by
// number, each hit with the state the switch knows now (logged out, Ready, Not Ready with the
// reason the agent published) and its actions; bad parameters are 400.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/api_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApiDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    SwitchOptions o;
    o.config = source_dir() + "/config/imswitch.yaml";
    o.extra_args = {"--log-level", "debug"};
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
  json search(const std::string& query_string, unsigned want_status = 200) {
    HttpClient c(*sw_->http());
    auto r = authed_get(c, "/api/v1/directory?" + query_string, "bob", "pw-bob");
    EXPECT_TRUE(r) << query_string;
    if (!r) return {};
    EXPECT_EQ(r->status, want_status) << query_string << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  static const json* hit(const json& result, std::string_view key, std::string_view value) {
    for (const auto& h : result["hits"])
      if (h.value(std::string(key), "") == value) return &h;
    return nullptr;
  }
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(ApiDirectory, AWordPrefixFindsAliceMartinWithHerState) {
  auto r = search("q=mar");
  const json* alice = hit(r, "login", "alice");
  ASSERT_NE(alice, nullptr) << r.dump(2);
  EXPECT_EQ((*alice)["type"], "agent");
  EXPECT_EQ((*alice)["display_name"], "Alice Martin");
  EXPECT_EQ((*alice)["match"], "prefix");
  EXPECT_EQ((*alice)["state"], "logged_out");
  EXPECT_EQ((*alice)["actions"], json::array({"im", "consult"}));
  EXPECT_EQ((*alice)["address"], "sip:alice@127.0.0.1");

  std::string error;
  AgentOptions ao;
  ao.login = "alice";
  ao.password = "pw-alice";
  auto a = Agent::open(*sw_, ao, &error);
  ASSERT_TRUE(a) << error;
  auto reg = a->register_contact(600);
  ASSERT_TRUE(reg && reg->status == 200);
  r = search("q=MAR");
  alice = hit(r, "login", "alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ((*alice)["state"], "ready") << r.dump(2);

  auto published = a->request(publish(*a, "", "closed", "lunch"));
  ASSERT_TRUE(published && published->status == 200);
  ASSERT_TRUE(sw_->wait_for_log("agent alice: Not Ready (lunch)", 1, 5s)) << sw_->log_tail();
  r = search("q=alice%40example.com");
  alice = hit(r, "login", "alice");
  ASSERT_NE(alice, nullptr) << r.dump(2);
  EXPECT_EQ((*alice)["match"], "exact");
  EXPECT_EQ((*alice)["state"], "not_ready");
  EXPECT_EQ((*alice)["reason"], "lunch");
}

TEST_F(ApiDirectory, QueuesByNumberAndTheTypeFilterAndLimit) {
  auto r = search("q=2001");
  const json* q = hit(r, "number", "2001");
  ASSERT_NE(q, nullptr) << r.dump(2);
  EXPECT_EQ((*q)["type"], "queue");
  EXPECT_EQ((*q)["waiting"], 0);
  EXPECT_EQ((*q)["actions"], json::array({"im"}));

  r = search("q=e&type=agent&limit=2");
  ASSERT_EQ(r["hits"].size(), 2u) << r.dump(2);
  for (const auto& h : r["hits"]) EXPECT_EQ(h["type"], "agent");
  EXPECT_TRUE(search("q=zzzzqqq")["hits"].empty());
}

TEST_F(ApiDirectory, BadParametersAre400WithTheReason) {
  auto r = search("q=mar&type=planet", 400);
  EXPECT_NE(r.value("error", "").find("type"), std::string::npos) << r.dump();
  r = search("q=mar&limit=-1", 400);
  EXPECT_NE(r.value("error", "").find("limit"), std::string::npos) << r.dump();
  r = search("q=" + std::string(300, 'a'), 400);
  EXPECT_NE(r.value("error", "").find("q"), std::string::npos) << r.dump();
  EXPECT_TRUE(still_serving(*sw_));
}

}  // namespace
}  // namespace ims::test
