// GET /api/v1/agents/{login} and /api/v1/queues[/{number}] on the real binary with
// config/imswitch.yaml: an agent's directory entry with its state (its counters only for itself
// or the admin), the queues with their lines, one queue's waiting interactions and members by
// state; unknown ones are 404.

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApiAgents : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    sw_ = SwitchProcess::start(im_switch_options(), &error);  // config/imswitch.yaml
    ASSERT_TRUE(sw_) << error;
    ASSERT_TRUE(sw_->http());
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  json get(const std::string& target, const std::string& login, unsigned want = 200) {
    HttpClient c(*sw_->http());
    auto r = authed_get(c, target, login, "pw-" + login);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, want) << target << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(ApiAgents, AnAgentWithItsStateAndItsCountersOnlyForItself) {
  auto alice = get("/api/v1/agents/alice", "bob");
  EXPECT_EQ(alice["display_name"], "Alice Martin");
  EXPECT_EQ(alice["email"], "alice@example.com");
  EXPECT_EQ(alice["state"], "logged_out");
  EXPECT_EQ(alice["address"], "sip:alice@127.0.0.1");
  ASSERT_TRUE(alice["queues"].is_array()) << alice.dump(2);
  EXPECT_NE(std::find(alice["queues"].begin(), alice["queues"].end(), "2001"),
            alice["queues"].end());
  EXPECT_FALSE(alice.contains("counters")) << "bob does not see alice's counters";
  auto self = get("/api/v1/agents/alice", "alice");
  EXPECT_TRUE(self.contains("counters")) << self.dump(2);
  EXPECT_TRUE(get("/api/v1/agents/nobody", "alice", 404).contains("error"));
}

TEST_F(ApiAgents, QueuesListTheirLinesAndOneQueueItsWaitingAndMembers) {
  auto all = get("/api/v1/queues", "alice");
  ASSERT_EQ(all["count"], 2) << all.dump(2);
  EXPECT_EQ(all["queues"][0]["number"], "2001");
  EXPECT_EQ(all["queues"][0]["name"], "Sales");
  EXPECT_EQ(all["queues"][0]["waiting"], 0);

  // Nobody of Sales is logged in: frank's session waits in its line.
  std::string error;
  auto frank = SessionPeer::open(*sw_, "frank", &error);
  ASSERT_TRUE(frank) << error;
  ASSERT_EQ(frank->register_device(true), 200);
  PeerDialog d = frank->invite("2001", "text/plain;charset=UTF-8", "A question on prices");
  ASSERT_TRUE(sw_->wait_for_log("waiting in queue 2001 at position 1", 1, 5s)) << sw_->log_tail(20);

  auto sales = get("/api/v1/queues/2001", "frank");
  ASSERT_EQ(sales["waiting_list"].size(), 1u) << sales.dump(2);
  EXPECT_EQ(sales["waiting_list"][0]["position"], 1);
  EXPECT_GE(sales["waiting_list"][0]["waiting_ms"].get<std::int64_t>(), 0);
  EXPECT_EQ(sales["waiting"], 1);
  EXPECT_GE(sales["counters"]["entered"].get<int>(), 1);
  std::set<std::string> members;
  for (const auto& m : sales["member_list"]) {
    members.insert(m["login"].get<std::string>());
    EXPECT_EQ(m["state"], "logged_out");
  }
  EXPECT_EQ(members, (std::set<std::string>{"alice", "bob", "carol", "dave", "kim"}));

  frank->cancel(d);
  auto r = frank->final(d, 5s);
  if (r) frank->ack(d, *r);
  EXPECT_TRUE(get("/api/v1/queues/9999", "frank", 404).contains("error"));
}

}  // namespace
}  // namespace ims::test
