// GET /api/v1/sessions and /api/v1/sessions/{id} on the real binary: a session held through the
// switch (SessionPeer devices) is listed live while connected and ended after, for each of its
// parties and the admin and never for another agent; its transcript comes with it, refused to
// other agents; pages of the list cover every session once; bad parameters are 400.

#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApiSessions : public ApiTest {
 protected:
  json list(const std::string& caller, const std::string& query, unsigned want = 200) {
    const std::string target = "/api/v1/sessions" + (query.empty() ? "" : "?" + query);
    auto r = caller == "admin" ? as_admin("GET", target) : as_agent(caller, "GET", target);
    EXPECT_EQ(r.status, want) << caller << " " << query << ": " << r.text;
    return r.body;
  }
  ApiAnswer one(const std::string& caller, const std::string& id) {
    const std::string target = "/api/v1/sessions/" + id;
    return caller == "admin" ? as_admin("GET", target) : as_agent(caller, "GET", target);
  }
};

bool is_utc_ms(const json& v) {
  static const std::regex kIso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  return v.is_string() && std::regex_match(v.get<std::string>(), kIso);
}

TEST_F(ApiSessions, LiveWhileConnectedEndedAfterWithItsTranscript) {
  auto alice = peer("alice");
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto held = connect(*alice, *bob, kText, "Where is the Zanzibar parcel?");
  ASSERT_TRUE(held);
  barrier();

  auto live = list("alice", "state=live");
  ASSERT_EQ(live["count"], 1) << live.dump(2);
  const json s = live["sessions"][0];
  const std::string id = s["id"].get<std::string>();
  EXPECT_EQ(s["initiator"], "alice");
  EXPECT_EQ(s["target"], "bob");
  EXPECT_EQ(s["state"], "live");
  EXPECT_GT(s["started_at_ms"].get<std::int64_t>(), 0);
  EXPECT_TRUE(is_utc_ms(s["started_at"])) << s["started_at"];
  for (const char* absent : {"ended_at_ms", "ended_at", "ended_by", "end_reason", "queue",
                             "contact_id"})
    EXPECT_FALSE(s.contains(absent)) << absent;
  EXPECT_FALSE(live.contains("next_cursor"));
  EXPECT_EQ(list("bob", "")["count"], 1);
  EXPECT_EQ(list("bob", "party=alice")["count"], 1);
  EXPECT_EQ(list("carol", "")["count"], 0) << "not carol's session";
  EXPECT_EQ(list("carol", "party=alice")["count"], 0);
  EXPECT_EQ(list("admin", "")["count"], 1);
  EXPECT_EQ(list("admin", "party=bob")["count"], 1);
  EXPECT_EQ(list("admin", "party=carol")["count"], 0);
  EXPECT_EQ(list("alice", "state=ended")["count"], 0);

  auto refused = one("carol", id);
  EXPECT_EQ(refused.status, 403u) << refused.text;
  EXPECT_TRUE(refused.body.contains("error"));

  say(*bob, held->target, *alice, "On its way, tracking 7734");
  end(*alice, held->initiator, *bob);
  ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 1, 5s)) << sw_->log_tail(10);
  barrier();

  EXPECT_EQ(list("alice", "state=live")["count"], 0);
  auto ended = list("bob", "state=ended");
  ASSERT_EQ(ended["count"], 1) << ended.dump(2);
  const json e = ended["sessions"][0];
  EXPECT_EQ(e["id"], id);
  EXPECT_EQ(e["state"], "ended");
  EXPECT_EQ(e["ended_by"], "alice");
  EXPECT_EQ(e["end_reason"], "bye");
  EXPECT_GE(e["ended_at_ms"].get<std::int64_t>(), e["started_at_ms"].get<std::int64_t>());
  EXPECT_TRUE(is_utc_ms(e["ended_at"]));

  auto t = one("bob", id);
  ASSERT_EQ(t.status, 200u) << t.text;
  EXPECT_EQ(t.body["id"], id);
  EXPECT_EQ(t.body["end_reason"], "bye");
  ASSERT_EQ(t.body["messages"].size(), 2u) << t.text;
  const json first = t.body["messages"][0];
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["sender"], "alice");
  EXPECT_EQ(first["recipient"], "bob");
  EXPECT_EQ(first["text"], "Where is the Zanzibar parcel?");
  EXPECT_NE(first["content_type"].get<std::string>().find("text/plain"), std::string::npos);
  EXPECT_TRUE(is_utc_ms(first["stamped_at"]));
  EXPECT_EQ(t.body["messages"][1]["sender"], "bob");
  EXPECT_EQ(t.body["messages"][1]["text"], "On its way, tracking 7734");
  EXPECT_EQ(t.body["offers"], json::array());
  EXPECT_EQ(one("admin", id).status, 200u);
  EXPECT_EQ(one("carol", id).status, 403u);
  EXPECT_EQ(one("admin", "im-nosuchsession").status, 404u);
  EXPECT_EQ(one("alice", "im-nosuchsession").status, 404u);
}

TEST_F(ApiSessions, AQueuedSessionShowsItsQueueAndOffers) {
  auto frank = peer("frank");
  auto bob = peer("bob");  // the only member of Sales (2001) logged in
  ASSERT_TRUE(frank && bob);
  PeerDialog d = frank->invite("2001", kText, "A price question");
  auto invite = bob->next_request("INVITE");
  ASSERT_TRUE(invite) << sw_->log_tail(20);
  PeerDialog b = bob->accept(*invite);
  auto ok = frank->final(d);
  ASSERT_EQ(status_of(ok), 200) << sw_->log_tail(20);
  frank->ack(d, *ok);
  ASSERT_TRUE(bob->next_request("ACK"));
  end(*bob, b, *frank);
  ASSERT_TRUE(sw_->wait_for_log("ended: bye by bob", 1, 5s)) << sw_->log_tail(10);
  barrier();

  auto mine = list("bob", "");
  ASSERT_EQ(mine["count"], 1) << mine.dump(2);
  EXPECT_EQ(mine["sessions"][0]["queue"], "2001");
  EXPECT_EQ(mine["sessions"][0]["target"], "bob") << "the agent who took it";
  auto t = one("frank", mine["sessions"][0]["id"].get<std::string>());
  ASSERT_EQ(t.status, 200u) << t.text;
  ASSERT_EQ(t.body["offers"].size(), 1u) << t.text;
  EXPECT_EQ(t.body["offers"][0]["n"], 1);
  EXPECT_EQ(t.body["offers"][0]["queue"], "2001");
  EXPECT_EQ(t.body["offers"][0]["agent"], "bob");
  EXPECT_EQ(t.body["offers"][0]["outcome"], "answered");
  EXPECT_GT(t.body["offers"][0]["offered_at_ms"].get<std::int64_t>(), 0);
}

TEST_F(ApiSessions, PagesCoverEverySessionOnceNewestFirst) {
  auto alice = peer("alice");
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  for (int i = 0; i < 3; ++i) {
    auto held = connect(*alice, *bob, kText, "Session " + std::to_string(i));
    ASSERT_TRUE(held);
    end(*alice, held->initiator, *bob);
  }
  ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 3, 5s)) << sw_->log_tail(10);
  barrier();

  std::vector<std::string> seen;
  std::int64_t previous = std::numeric_limits<std::int64_t>::max();
  std::string query = "limit=2";
  for (int pages = 0; pages < 5; ++pages) {
    auto page = list("alice", query);
    for (const auto& s : page["sessions"]) {
      seen.push_back(s["id"].get<std::string>());
      EXPECT_LE(s["started_at_ms"].get<std::int64_t>(), previous) << "newest first";
      previous = s["started_at_ms"].get<std::int64_t>();
    }
    if (!page.contains("next_cursor")) break;
    EXPECT_EQ(page["count"], 2);
    query = "limit=2&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 3u) << "none twice";
}

TEST_F(ApiSessions, BadParametersAre400) {
  EXPECT_NE(list("alice", "state=over", 400).value("error", "").find("state"), std::string::npos);
  EXPECT_NE(list("alice", "limit=0", 400).value("error", "").find("limit"), std::string::npos);
  EXPECT_NE(list("alice", "limit=201", 400).value("error", "").find("limit"), std::string::npos);
  EXPECT_NE(list("alice", "cursor=garbage", 400).value("error", "").find("cursor"),
            std::string::npos);
  EXPECT_NE(list("admin", "party=" + std::string(300, 'x'), 400).value("error", "").find("party"),
            std::string::npos);
  HttpClient anonymous(*sw_->http());
  auto r = anonymous.get("/api/v1/sessions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  EXPECT_TRUE(still_serving(*sw_));
}

}  // namespace
}  // namespace ims::test
