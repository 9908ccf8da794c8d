// GET /api/v1/transcripts on the real binary: a session held through the switch (SessionPeer
// devices on config/imswitch.yaml with an admin token) is found by its words, for each of its
// parties and the admin, never for another agent; the search survives a restart of the switch
// on the same store; bad parameters are 400.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApiTranscripts : public ApiTest {
 protected:
  // alice invites bob with `first`; bob answers `reply`; alice ends it.
  void hold_session(std::string_view first, std::string_view reply) {
    auto alice = peer("alice");
    auto bob = peer("bob");
    ASSERT_TRUE(alice && bob);
    auto held = connect(*alice, *bob, kText, first);
    ASSERT_TRUE(held);
    say(*bob, held->target, *alice, reply);
    end(*alice, held->initiator, *bob);
    ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 1, 5s)) << sw_->log_tail(10);
    barrier();
  }
  json search(const std::string& login, const std::string& query, unsigned want = 200) {
    auto r = as_agent(login, "GET", "/api/v1/transcripts?" + query);
    EXPECT_EQ(r.status, want) << login << " " << query << ": " << r.text;
    return r.body;
  }
  json search_as_admin(const std::string& query) {
    auto r = as_admin("GET", "/api/v1/transcripts?" + query);
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body;
  }
};

TEST_F(ApiTranscripts, EachPartyAndTheAdminFindTheWordsAndNobodyElse) {
  hold_session("Is the Zanzibar shipment late?", "Yes, the quokka crate is stuck");
  auto alice = search("alice", "q=zanzibar");
  ASSERT_EQ(alice["count"], 1) << alice.dump(2);
  const auto& hit = alice["hits"][0];
  EXPECT_EQ(hit["sender"], "alice");
  EXPECT_EQ(hit["parties"], json::array({"alice", "bob"}));
  EXPECT_NE(hit["snippet"].get<std::string>().find("\xC2\xABZanzibar\xC2\xBB"), std::string::npos)
      << hit["snippet"];
  EXPECT_TRUE(hit.contains("stamped_at"));

  auto bob = search("bob", "q=QUOKKA+crate");
  ASSERT_EQ(bob["count"], 1) << bob.dump(2);
  EXPECT_EQ(bob["hits"][0]["sender"], "bob");
  EXPECT_EQ(search("carol", "q=zanzibar")["count"], 0) << "not carol's session";
  EXPECT_EQ(search("carol", "q=zanzibar&party=alice")["count"], 0);
  EXPECT_EQ(search("bob", "q=zanzibar&party=alice")["count"], 1);
  EXPECT_EQ(search_as_admin("q=zanzibar")["count"], 1);
  EXPECT_EQ(search_as_admin("q=zanzibar&party=carol")["count"], 0);
  EXPECT_EQ(search_as_admin("q=zanzibar&until=1000")["count"], 0) << "long before the session";
}

TEST_F(ApiTranscripts, WordsFromBeforeARestartAreStillFound) {
  hold_session("Remember the walrus invoice", "Noted");
  restart();
  auto found = search_as_admin("q=walrus");
  ASSERT_EQ(found["count"], 1) << found.dump(2);
  EXPECT_EQ(found["hits"][0]["parties"], json::array({"alice", "bob"}));
}

TEST_F(ApiTranscripts, BadParametersAre400) {
  EXPECT_NE(search("alice", "q=", 400).value("error", "").find("q"), std::string::npos);
  EXPECT_NE(search("alice", "q=x&since=yesterday", 400).value("error", "").find("since"),
            std::string::npos);
  EXPECT_NE(search("alice", "q=x&limit=0", 400).value("error", "").find("limit"),
            std::string::npos);
  EXPECT_EQ(search("alice", "q=x&cursor=garbage", 400).value("error", "").empty(), false);
  EXPECT_TRUE(still_serving(*sw_));
}

}  // namespace
}  // namespace ims::test
