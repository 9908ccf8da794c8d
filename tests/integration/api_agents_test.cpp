// GET /api/v1/agents/{login} and /api/v1/queues[/{number}] on the real binary with
// config/imswitch.yaml: an agent's directory entry with its state (its counters only for itself
// or the admin), the queues with their lines, one queue's waiting interactions and members by
// state; unknown ones are 404. PUT /api/v1/agents/{login}/state: the agent itself or the admin
// sets it; the directory, the agent's entry and the queues agree at once, a queued session waits
// for the agent set Ready, the state survives a restart, a device's newer PUBLISH wins; every
// refused call changes nothing.

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

class ApiAgentState : public ApiTest {
 protected:
  ApiAnswer put_state(const std::string& caller, const std::string& login, std::string_view body) {
    const std::string target = "/api/v1/agents/" + login + "/state";
    return caller == "admin" ? as_admin("PUT", target, body)
                             : as_agent(caller, "PUT", target, body);
  }
  json agent(const std::string& login) {
    auto r = as_agent("alice", "GET", "/api/v1/agents/" + login);
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body;
  }
  json member(const std::string& queue, const std::string& login) {
    auto r = as_admin("GET", "/api/v1/queues/" + queue);
    EXPECT_EQ(r.status, 200u) << r.text;
    for (const auto& m : r.body["member_list"])
      if (m["login"] == login) return m;
    return {};
  }
};

TEST_F(ApiAgentState, TheAgentSetsItsStateAndEveryViewAgrees) {
  auto bob = peer("bob");
  ASSERT_TRUE(bob);
  EXPECT_EQ(agent("bob")["state"], "ready") << "im.default_state";

  auto r = put_state("bob", "bob", R"({"state":"not_ready","reason":"lunch"})");
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["login"], "bob");
  EXPECT_EQ(r.body["state"], "not_ready");
  EXPECT_EQ(r.body["reason"], "lunch");
  EXPECT_EQ(r.body["display_name"], "Bob Durand") << "the same answer as GET agents/bob";
  EXPECT_TRUE(r.body.contains("counters")) << "bob's own: with its counters";
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Not Ready (lunch), set by bob through the HTTP API",
                                1, 5s))
      << sw_->log_tail(10);

  EXPECT_EQ(agent("bob")["state"], "not_ready");
  EXPECT_EQ(agent("bob")["reason"], "lunch");
  auto dir = as_agent("alice", "GET", "/api/v1/directory?q=bob&type=agent");
  ASSERT_EQ(dir.status, 200u) << dir.text;
  ASSERT_GE(dir.body["hits"].size(), 1u) << dir.text;
  EXPECT_EQ(dir.body["hits"][0]["login"], "bob");
  EXPECT_EQ(dir.body["hits"][0]["state"], "not_ready");
  EXPECT_EQ(dir.body["hits"][0]["reason"], "lunch");
  EXPECT_EQ(member("2001", "bob")["state"], "not_ready") << "the queue desk has it";

  r = put_state("admin", "bob", R"({"state":"ready"})");
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["state"], "ready");
  EXPECT_FALSE(r.body.contains("reason"));
  EXPECT_EQ(member("2001", "bob")["state"], "ready");
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Ready, set by the admin through the HTTP API", 1, 5s))
      << sw_->log_tail(10);
}

TEST_F(ApiAgentState, AQueuedSessionWaitsUntilTheAgentIsSetReady) {
  auto bob = peer("bob");  // the only member of Sales (2001) logged in
  auto frank = peer("frank");
  ASSERT_TRUE(bob && frank);
  ASSERT_EQ(put_state("admin", "bob", R"({"state":"not_ready","reason":"meeting"})").status, 200u);

  PeerDialog d = frank->invite("2001", kText, "Anyone for a price question?");
  ASSERT_TRUE(sw_->wait_for_log("waiting in queue 2001 at position 1", 1, 5s))
      << sw_->log_tail(20);
  auto sales = as_admin("GET", "/api/v1/queues/2001");
  EXPECT_EQ(sales.body["waiting"], 1) << sales.text;
  EXPECT_EQ(sales.body["free_members"], 0) << "bob, Not Ready, is not free";

  ASSERT_EQ(put_state("bob", "bob", R"({"state":"ready"})").status, 200u);
  auto invite = bob->next_request("INVITE");
  ASSERT_TRUE(invite) << "offered once Ready: " << sw_->log_tail(20);
  bob->reply(*invite, 486);
  frank->cancel(d);
  auto r = frank->final(d, 5s);
  if (r) frank->ack(d, *r);
}

TEST_F(ApiAgentState, TheStateSurvivesARestartAndTheNextPutReplacesIt) {
  ASSERT_EQ(put_state("admin", "carol", R"({"state":"not_ready","reason":"training"})").status,
            200u);
  restart();
  EXPECT_TRUE(sw_->wait_for_log("agent carol: Not Ready (training), restored from the store", 1,
                                5s))
      << sw_->log_tail(20);
  auto carol = peer("carol");
  ASSERT_TRUE(carol);
  EXPECT_EQ(agent("carol")["state"], "not_ready");
  EXPECT_EQ(agent("carol")["reason"], "training");

  ASSERT_EQ(put_state("carol", "carol", R"({"state":"ready"})").status, 200u);
  restart();
  auto again = peer("carol");
  ASSERT_TRUE(again);
  EXPECT_EQ(agent("carol")["state"], "ready") << "the first state was replaced, not kept beside";
}

TEST_F(ApiAgentState, ADevicesNewerPublicationWins) {
  ASSERT_EQ(put_state("dave", "dave", R"({"state":"not_ready","reason":"away"})").status, 200u);
  std::string error;
  auto dave = Agent::open(*sw_, sample_agent("dave"), &error);
  ASSERT_TRUE(dave) << error;
  ASSERT_EQ(status_of(dave->register_contact()), 200);
  ASSERT_EQ(status_of(dave->request(publish(*dave, "", "open"))), 200);
  EXPECT_EQ(agent("dave")["state"], "ready");
  ASSERT_EQ(put_state("dave", "dave", R"({"state":"not_ready","reason":"back soon"})").status,
            200u);
  EXPECT_EQ(agent("dave")["reason"], "back soon") << "and the API's next call is newer still";
}

TEST_F(ApiAgentState, RefusedCallsChangeNothing) {
  auto bob = peer("bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(put_state("bob", "bob", R"({"state":"not_ready","reason":"lunch"})").status, 200u);

  auto expect = [&](const std::string& caller, const std::string& login, std::string_view body,
                    unsigned status, std::string_view says) {
    auto r = put_state(caller, login, body);
    EXPECT_EQ(r.status, status) << caller << " " << login << " " << body << ": " << r.text;
    EXPECT_NE(r.body.value("error", "").find(says), std::string::npos)
        << body << ": " << r.text;
  };
  expect("alice", "bob", R"({"state":"ready"})", 403, "own");
  expect("admin", "nobody", R"({"state":"ready"})", 404, "no such agent");
  expect("leo", "leo", R"({"state":"ready"})", 403, "im");  // tasks: [voice]
  expect("bob", "bob", R"({"state":"ready")", 400, "JSON");
  expect("bob", "bob", "", 400, "JSON");
  expect("bob", "bob", R"(["ready"])", 400, "object");
  expect("bob", "bob", R"({"state":"ready","mood":"happy"})", 400, "mood");
  expect("bob", "bob", R"({"state":"busy"})", 400, "state");
  expect("bob", "bob", R"({"state":1})", 400, "state");
  expect("bob", "bob", R"({"reason":"x"})", 400, "state");
  expect("bob", "bob", R"({"state":"ready","reason":"lunch"})", 400, "reason");
  expect("bob", "bob", R"({"state":"not_ready","reason":"a\nb"})", 400, "reason");
  expect("bob", "bob", R"({"state":"not_ready","reason":")" + std::string(300, 'x') + "\"}",
         400, "reason");
  HttpClient anonymous(*sw_->http());
  auto r = anonymous.request("PUT", "/api/v1/agents/bob/state", {}, R"({"state":"ready"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);

  EXPECT_EQ(agent("bob")["state"], "not_ready");
  EXPECT_EQ(agent("bob")["reason"], "lunch");
  EXPECT_TRUE(still_serving(*sw_));
}

}  // namespace
}  // namespace ims::test
