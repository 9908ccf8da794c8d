// Store and forward on the real binary (PRODUCT §3, RFC 3428 §7 policy): a MESSAGE to an agent
// without a device is kept and answered 202 once committed, delivered in order at the agent's
// next REGISTER and deleted after its 2xx; nothing answered 202 is lost across a SIGKILL, even
// with many requests in flight when it hits.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr Millis kWait = 5s;

class Durability : public StoredSwitchTest {
 protected:
  Durability() : StoredSwitchTest("imswitch-durable-") {}
};

TEST_F(Durability, OfflineAgentGetsStoredMessagesInOrderOnce) {
  auto alice = agent("alice");
  auto carol = agent("carol");
  ASSERT_TRUE(alice && carol);
  const std::vector<std::string> bodies = {"first", "second: ça", "third\r\nwith a line"};
  std::vector<std::string> sent_call_ids;
  for (const auto& body : bodies) {
    auto rsp = alice->message("carol", body, "text/plain;charset=utf-8");
    ASSERT_EQ(status_of(rsp), 202) << "carol is offline: the message is kept";
    sent_call_ids.push_back(rsp->header("Call-ID").value_or(""));
  }

  ASSERT_EQ(status_of(carol->register_contact(600)), 200);
  std::vector<SipMessage> got;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    auto m = carol->receive_request(kWait, 200);
    ASSERT_TRUE(m) << "stored message " << i << " not delivered";
    got.push_back(*m);
  }

  for (std::size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(got[i].start_line, "MESSAGE " + carol->contact_uri() + " SIP/2.0");
    EXPECT_EQ(got[i].body, bodies[i]) << "delivery order";
    EXPECT_EQ(got[i].header("Content-Type").value_or(""), "text/plain;charset=utf-8");
    EXPECT_NE(got[i].header("From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
    EXPECT_NE(got[i].header("To").value_or("").find("sip:carol@127.0.0.1"), std::string::npos);
    EXPECT_TRUE(is_rfc1123_date(got[i].header("Date").value_or("")))
        << "a stored message says when it was sent: " << got[i].header("Date").value_or("");
    const auto call_id = got[i].header("Call-ID").value_or("");
    EXPECT_EQ(std::count(sent_call_ids.begin(), sent_call_ids.end(), call_id), 0);
  }
  // Delivered and answered 200: registering again delivers nothing (a refresh goes through the
  // store after any delivery round the previous one started).
  EXPECT_EQ(status_of(carol->register_contact(600)), 200);
  EXPECT_EQ(status_of(carol->register_contact(600)), 200);
  EXPECT_EQ(carol->waiting_requests(), 0u) << "a delivered message came again";
}

TEST_F(Durability, StoredMessageIsDeliveredOverTcp) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  ASSERT_EQ(status_of(alice->message("carol", "over the connection")), 202);

  auto carol = agent("carol", "tcp");
  ASSERT_TRUE(carol);
  ASSERT_EQ(status_of(carol->register_contact(600)), 200);
  auto got = carol->receive_request(kWait, 200);

  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "over the connection");
}

TEST_F(Durability, StoredMessageRefusedWith480IsOfferedAgainLater) {
  auto alice = agent("alice");
  auto carol = agent("carol");
  ASSERT_TRUE(alice && carol);
  ASSERT_EQ(status_of(alice->message("carol", "one")), 202);
  ASSERT_EQ(status_of(alice->message("carol", "two")), 202);

  ASSERT_EQ(status_of(carol->register_contact(600)), 200);
  auto refused = carol->receive_request(kWait, 480);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->body, "one");
  ASSERT_EQ(status_of(carol->register_contact(600)), 200);
  auto first = carol->receive_request(kWait, 200);
  auto second = carol->receive_request(kWait, 200);

  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "one") << "a refused message is kept, in its place";
  EXPECT_EQ(second->body, "two");
}

TEST_F(Durability, SendersOtherDeviceGetsACopyOfAStoredMessage) {
  auto desk = agent("alice");
  auto mobile = agent("alice");
  ASSERT_TRUE(desk && mobile);
  ASSERT_EQ(status_of(desk->register_contact(600)), 200);
  ASSERT_EQ(status_of(mobile->register_contact(600)), 200);

  EXPECT_EQ(status_of(desk->message("carol", "see you")), 202);
  auto copy = mobile->receive_request(kWait, 200);

  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->header("Imswitch-Copy").value_or(""), "sent");
  EXPECT_EQ(copy->body, "see you");
}

// A stored message too large for UDP waits for a TCP device; the messages after it must not
// wait with it (RFC 3428 §4 size rule, PRODUCT §3 delivery at the next registration).
TEST_F(Durability, LargeStoredMessageDoesNotHoldBackLaterOnes) {
  auto alice = agent("alice", "tcp");
  ASSERT_TRUE(alice);
  const std::string large(2000, 'z');
  ASSERT_EQ(status_of(alice->message("erin", large)), 202);
  ASSERT_EQ(status_of(alice->message("erin", "small")), 202);

  auto erin_udp = agent("erin");
  ASSERT_TRUE(erin_udp);
  ASSERT_EQ(status_of(erin_udp->register_contact(600)), 200);
  auto small = erin_udp->receive_request(kWait, 200);
  EXPECT_TRUE(small) << "the small message is held back behind one UDP cannot carry";
  EXPECT_EQ(small ? small->body : "", "small");

  auto erin_tcp = agent("erin", "tcp");
  ASSERT_TRUE(erin_tcp);
  ASSERT_EQ(status_of(erin_tcp->register_contact(600)), 200);
  auto big = erin_tcp->receive_request(kWait, 200);
  ASSERT_TRUE(big) << "the large message never reached the TCP device";
  EXPECT_EQ(big->body, large);
}

// store.queue_limit bounds what one offline agent can be sent (STYLE rule 9): past it a new
// message is refused, not answered 202.
TEST_F(Durability, MessagesBeyondTheQueueLimitAreRefused) {
  ScratchDir config_dir("imswitch-limit-");
  const std::string yaml = imswitch_yaml_with({{"queue_limit", "3"}});
  ASSERT_FALSE(yaml.empty()) << "no store.queue_limit in config/imswitch.yaml";
  ASSERT_TRUE(exits_cleanly(*sw_));
  options_.config = config_dir.write("imswitch.yaml", yaml);
  options_.store = config_dir.path() + "/store.db";
  sw_ = start_switch(options_);
  ASSERT_TRUE(sw_);
  auto alice = agent("alice");
  ASSERT_TRUE(alice);

  for (int i = 1; i <= 3; ++i)
    EXPECT_EQ(status_of(alice->message("grace", "kept " + std::to_string(i))), 202);
  auto over = alice->message("grace", "one too many");

  ASSERT_TRUE(over);
  EXPECT_GE(over->status, 400) << "past store.queue_limit: " << over->start_line;
  auto grace = agent("grace");
  ASSERT_TRUE(grace);
  ASSERT_EQ(status_of(grace->register_contact(600)), 200);
  for (int i = 1; i <= 3; ++i) {
    auto m = grace->receive_request(kWait, 200);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->body, "kept " + std::to_string(i));
  }
  grace->register_contact(600);
  EXPECT_EQ(grace->waiting_requests(), 0u) << "a message past the limit was kept";
}

TEST_F(Durability, AcceptedMessageSurvivesSigkill) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  ASSERT_EQ(status_of(alice->message("dave", "kept through a crash")), 202);

  kill_and_restart();
  auto dave = agent("dave");
  ASSERT_TRUE(dave);
  ASSERT_EQ(status_of(dave->register_contact(600)), 200);
  auto got = dave->receive_request(kWait, 200);

  ASSERT_TRUE(got) << "a message answered 202 was lost by SIGKILL";
  EXPECT_EQ(got->body, "kept through a crash");
}

TEST_F(Durability, RegistrationAnswered200SurvivesSigkill) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(status_of(bob->register_contact(3600)), 200);
  const std::string contact = bob->contact_uri();

  kill_and_restart();
  auto later = agent("bob");
  ASSERT_TRUE(later);
  auto rsp = later->query();

  ASSERT_EQ(status_of(rsp), 200);
  EXPECT_TRUE(contact_expires(*rsp, contact)) << "binding of " << contact << " lost";
}

// A refresh that only moves the expiry is answered without waiting for its commit, but it is
// still stored: after a clean restart the binding has the refreshed lifetime.
TEST_F(Durability, PlainRefreshIsStoredToo) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(status_of(bob->register_contact(300)), 200);
  ASSERT_EQ(status_of(bob->register_contact(3600)), 200);
  const std::string contact = bob->contact_uri();

  const ExitStatus stopped = sw_->stop(5s, SIGTERM);
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.describe();
  sw_ = start_switch(options_);
  ASSERT_NE(sw_, nullptr);
  auto later = agent("bob");
  ASSERT_TRUE(later);
  auto rsp = later->query();

  ASSERT_EQ(status_of(rsp), 200);
  const auto left = contact_expires(*rsp, contact);
  ASSERT_TRUE(left) << "binding of " << contact << " lost";
  EXPECT_GT(*left, 300u) << "the refresh to an hour was not stored";
}

// The binding restored from the store still leads to the device (its UDP socket is unchanged;
// the switch's port is new, and the device answers to the switch's Via).
TEST_F(Durability, RestoredRegistrationIsReachable) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(status_of(bob->register_contact(3600)), 200);

  kill_and_restart();
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  auto at_bob = std::async(std::launch::async, [&bob] { return bob->receive_request(kWait); });
  auto rsp = alice->message("bob", "after the restart");
  auto got = at_bob.get();

  ASSERT_TRUE(got) << "the restored binding did not lead to bob";
  EXPECT_EQ(got->body, "after the restart");
  EXPECT_EQ(status_of(rsp), 200);
}

// Many MESSAGEs in flight to an offline agent, SIGKILL part-way: every body that was answered
// 202 is delivered after the restart, in the order of its 202, none twice.
TEST_F(Durability, EveryAcceptedMessageSurvivesSigkillUnderLoad) {
  constexpr int kMax = 300;          // bound on messages sent
  constexpr std::size_t kWindow = 8;  // in flight at once
  constexpr std::size_t kKillAfter = 100;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  auto alice = agent("alice", "udp", /*reuse_nonce=*/true);
  ASSERT_TRUE(alice);

  std::map<std::string, std::string> body_of;  // Call-ID -> body
  std::set<std::string> sent;
  std::vector<std::string> accepted;  // bodies answered 202, in answer order
  int next = 0;
  while (accepted.size() < kKillAfter && std::chrono::steady_clock::now() < deadline) {
    while (alice->outstanding() < kWindow && next < kMax) {
      const std::string body = "load " + std::to_string(next++) + " " + unique_token();
      body_of[alice->send(alice->message_request("erin", body))] = body;
      sent.insert(body);
    }
    auto rsp = alice->next_final(kWait);
    ASSERT_TRUE(rsp) << "no answer with " << alice->outstanding() << " in flight";
    ASSERT_EQ(rsp->status, 202) << rsp->start_line;
    accepted.push_back(body_of.at(rsp->header("Call-ID").value_or("")));
  }
  ASSERT_EQ(accepted.size(), kKillAfter);
  const std::size_t in_flight = alice->outstanding();
  kill_and_restart();  // with up to kWindow requests unanswered
  alice->abandon_outstanding();

  auto erin = agent("erin");
  ASSERT_TRUE(erin);
  ASSERT_EQ(status_of(erin->register_contact(600)), 200);
  std::vector<std::string> delivered;
  std::set<std::string> seen;
  std::set<std::string> missing(accepted.begin(), accepted.end());
  // Every accepted body, then whatever else the switch committed before dying (at most the
  // requests that were in flight); a quiet second ends the run.
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = erin->receive_request(missing.empty() ? Millis(1000) : kWait, 200);
    if (!m) break;
    ASSERT_TRUE(sent.count(m->body)) << "delivered a body nobody sent: " << m->body;
    EXPECT_TRUE(seen.insert(m->body).second) << "delivered twice: " << m->body;
    delivered.push_back(m->body);
    missing.erase(m->body);
  }

  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << accepted.size()
                               << " messages answered 202 were lost, e.g. " << *missing.begin();
  EXPECT_LE(delivered.size(), accepted.size() + in_flight);
  std::vector<std::string> accepted_delivered;
  for (const auto& b : delivered)
    if (std::find(accepted.begin(), accepted.end(), b) != accepted.end())
      accepted_delivered.push_back(b);
  if (test_switch_threads() == 1) {
    EXPECT_EQ(accepted_delivered, accepted) << "delivery order differs from the order of the 202s";
  } else {
    // Several SIP cores handle MESSAGEs in flight at once side by side: each is stored and
    // delivered once, but two concurrent ones may be stored in either order.
    std::multiset<std::string> a(accepted_delivered.begin(), accepted_delivered.end());
    EXPECT_EQ(a, std::multiset<std::string>(accepted.begin(), accepted.end()));
  }
}

}  // namespace
}  // namespace ims::test
