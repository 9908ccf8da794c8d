// GET /api/v1/transcripts on the real binary: a session held through the switch (SessionPeer
// devices on config/imswitch.yaml with an admin token) is found by its words, for each of its
// parties and the admin, never for another agent; the search survives a restart of the switch
// on the same store; bad parameters are 400.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kText = "text/plain;charset=UTF-8";
constexpr std::string_view kToken = "transcripts-admin-token";

class ApiTranscripts : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string yaml =
        imswitch_yaml_with({{"admin_token", "\"" + std::string(kToken) + "\""}});
    ASSERT_FALSE(yaml.empty());
    options_.config = dir_.write("imswitch.yaml", yaml);
    options_.store = dir_.path() + "/imswitch.db";
    start();
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  void start() {
    std::string error;
    sw_ = SwitchProcess::start(options_, &error);
    ASSERT_TRUE(sw_) << error;
    ASSERT_TRUE(sw_->http());
  }
  std::unique_ptr<SessionPeer> peer(const std::string& login) {
    std::string error;
    auto p = SessionPeer::open(*sw_, login, &error);
    EXPECT_TRUE(p) << error;
    if (p) {
      EXPECT_EQ(p->register_device(true), 200) << login;
    }
    return p;
  }
  // alice invites bob with `first`; bob answers `reply`; alice ends it.
  void hold_session(std::string_view first, std::string_view reply) {
    auto alice = peer("alice");
    auto bob = peer("bob");
    ASSERT_TRUE(alice && bob);
    PeerDialog a = alice->invite("bob", kText, first);
    auto invite = bob->next_request("INVITE");
    ASSERT_TRUE(invite);
    PeerDialog b = bob->accept(*invite);
    auto ok = alice->final(a);
    ASSERT_EQ(status_of(ok), 200) << sw_->log_tail(20);
    alice->ack(a, *ok);
    ASSERT_TRUE(bob->next_request("ACK"));
    const auto m = bob->send_in_dialog(b, "MESSAGE", kText, reply);
    auto at_alice = alice->next_request("MESSAGE");
    ASSERT_TRUE(at_alice);
    alice->reply(*at_alice, 200);
    ASSERT_EQ(status_of(bob->response(b, m)), 200) << "the message is in the transcript";
    const auto bye = alice->send_in_dialog(a, "BYE");
    auto at_bob = bob->next_request("BYE");
    ASSERT_TRUE(at_bob);
    bob->reply(*at_bob, 200);
    EXPECT_EQ(status_of(alice->response(a, bye)), 200);
    ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 1, 5s)) << sw_->log_tail(10);
    // A REGISTER's 200 waits for its binding's commit, after every write queued before it: the
    // session's records are in the store once carol is registered.
    EXPECT_TRUE(peer("carol"));
  }
  json as_agent(const std::string& login, const std::string& query, unsigned want = 200) {
    HttpClient c(*sw_->http());
    auto r = authed_get(c, "/api/v1/transcripts?" + query, login, "pw-" + login);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, want) << login << " " << query << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  json as_admin(const std::string& query) {
    HttpClient c(*sw_->http());
    auto r = admin_request(c, "GET", "/api/v1/transcripts?" + query, kToken);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }

  ScratchDir dir_{"imswitch-api-transcripts-"};
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(ApiTranscripts, EachPartyAndTheAdminFindTheWordsAndNobodyElse) {
  hold_session("Is the Zanzibar shipment late?", "Yes, the quokka crate is stuck");
  auto alice = as_agent("alice", "q=zanzibar");
  ASSERT_EQ(alice["count"], 1) << alice.dump(2);
  const auto& hit = alice["hits"][0];
  EXPECT_EQ(hit["sender"], "alice");
  EXPECT_EQ(hit["parties"], json::array({"alice", "bob"}));
  EXPECT_NE(hit["snippet"].get<std::string>().find("\xC2\xABZanzibar\xC2\xBB"), std::string::npos)
      << hit["snippet"];
  EXPECT_TRUE(hit.contains("stamped_at"));

  auto bob = as_agent("bob", "q=QUOKKA+crate");
  ASSERT_EQ(bob["count"], 1) << bob.dump(2);
  EXPECT_EQ(bob["hits"][0]["sender"], "bob");
  EXPECT_EQ(as_agent("carol", "q=zanzibar")["count"], 0) << "not carol's session";
  EXPECT_EQ(as_agent("carol", "q=zanzibar&party=alice")["count"], 0);
  EXPECT_EQ(as_agent("bob", "q=zanzibar&party=alice")["count"], 1);
  EXPECT_EQ(as_admin("q=zanzibar")["count"], 1);
  EXPECT_EQ(as_admin("q=zanzibar&party=carol")["count"], 0);
  EXPECT_EQ(as_admin("q=zanzibar&until=1000")["count"], 0) << "long before the session";
}

TEST_F(ApiTranscripts, WordsFromBeforeARestartAreStillFound) {
  hold_session("Remember the walrus invoice", "Noted");
  auto stopped = sw_->stop();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.describe();
  start();
  auto found = as_admin("q=walrus");
  ASSERT_EQ(found["count"], 1) << found.dump(2);
  EXPECT_EQ(found["hits"][0]["parties"], json::array({"alice", "bob"}));
}

TEST_F(ApiTranscripts, BadParametersAre400) {
  EXPECT_NE(as_agent("alice", "q=", 400).value("error", "").find("q"), std::string::npos);
  EXPECT_NE(as_agent("alice", "q=x&since=yesterday", 400).value("error", "").find("since"),
            std::string::npos);
  EXPECT_NE(as_agent("alice", "q=x&limit=0", 400).value("error", "").find("limit"),
            std::string::npos);
  EXPECT_EQ(as_agent("alice", "q=x&cursor=garbage", 400).value("error", "").empty(), false);
  EXPECT_TRUE(still_serving(*sw_));
}

}  // namespace
}  // namespace ims::test
