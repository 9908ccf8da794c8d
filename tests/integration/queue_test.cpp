// Sessions to queues and routing points on the real binary (PRODUCT §1, §4: the 182 Queued and
// RONA rows), played by SessionPeer devices over UDP: each distribution, decline and no-answer
// passing the offer on, 182 with the place in line, the wait limit's overflow and 480, CANCEL
// while queued, agents at capacity skipped, a routing point's case-data rule.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr std::string_view kText = "text/plain;charset=UTF-8";

// Agents q1..q3 (capacity 1), the initiators alice, bob and carol; queues of each distribution,
// a short one for time-outs, and a routing point.
constexpr std::string_view kConfig = R"(
sip:
  domains: [127.0.0.1]
log:
  level: debug
proxy:
  fork_timeout_ms: 1000  # a device gone with the crash below holds a delivery up this long
directory:
  agents:
    - { login: alice, password: pw-alice }
    - { login: bob, password: pw-bob }
    - { login: carol, password: pw-carol }
    - { login: q1, password: pw-q1, im_capacity: 1, skills: { billing: 5 } }
    - { login: q2, password: pw-q2, im_capacity: 1, skills: { billing: 2 } }
    - { login: q3, password: pw-q3, im_capacity: 1 }
    - { login: vip, password: pw-vip }
  queues:
    - { number: "5001", members: [q1, q2, q3], distribution: round_robin }
    - { number: "5002", members: [q1, q2], distribution: longest_idle, no_answer_s: 1 }
    - { number: "5003", members: [q1], wait_limit_s: 1 }
    - { number: "5004", members: [q1], wait_limit_s: 1, overflow: "5005" }
    - { number: "5005", skills: "billing<5", wait_limit_s: 30 }
    - { number: "5006", members: [q1, q2], distribution: least_busy }
    - { number: "5007", members: [q1], wait_limit_s: 60 }
    - { number: "5008", members: [q1], max_waiting: 1 }
  routing_points:
    - number: "6000"
      rules:
        - { case_data: { topic: billing }, target: "5005" }
        - { caller: vip, target: q3 }
      default: "5003"
)";

class Queues : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = std::make_unique<ScratchDir>("imswitch-queues-");
    options_.config = config_->write("queues.yaml", kConfig);
    options_.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"};
    options_.store = config_->path() + "/store.db";  // kept across restarts
    std::string error;
    sw_ = SwitchProcess::start(options_, &error);
    ASSERT_TRUE(sw_) << error;
  }
  // SIGKILL (nothing flushed), then a new switch on the same store file.
  void kill_and_restart() {
    const ExitStatus killed = sw_->stop(5s, SIGKILL);
    EXPECT_EQ(killed.signal, SIGKILL) << killed.describe();
    std::string error;
    sw_ = SwitchProcess::start(options_, &error);
    ASSERT_TRUE(sw_) << error;
  }
  // `imswitch --transcripts 1` on the running switch's store: the latest session.
  std::string transcripts() {
    // A new device's REGISTER is answered once its binding is committed, after every store
    // write the switch made before: a barrier for the session's records.
    EXPECT_TRUE(peer("vip"));
    const std::string out = config_->path() + "/transcripts.txt";
    const ExitStatus st =
        run_program({imswitch_binary(), "--config", options_.config, "--store", options_.store,
                     "--transcripts", "1"},
                    config_->path(), out, 10s);
    EXPECT_TRUE(st.exited && st.code == 0) << st.describe();
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // An agent of the test's directory that sends pager messages (not registered).
  std::unique_ptr<Agent> sender(const std::string& login) {
    std::string error;
    AgentOptions o;
    o.login = login;
    o.password = "pw-" + login;
    auto a = Agent::open(*sw_, o, &error);
    EXPECT_TRUE(a) << error;
    return a;
  }
  // The client library's device of an agent, sending pager messages: registered with
  // +imswitch.session, so a MESSAGE to a queue stays a pager message (a stock client's opens
  // a session, PRODUCT §4b: bridge_test.cpp).
  std::unique_ptr<Agent> app_sender(const std::string& login) {
    std::string error;
    AgentOptions o;
    o.login = login;
    o.password = "pw-" + login;
    o.session_capable = true;
    auto a = Agent::open(*sw_, o, &error);
    EXPECT_TRUE(a) << error;
    if (a) {
      EXPECT_EQ(status_of(a->register_contact(600)), 200) << login;
    }
    return a;
  }
  void TearDown() override {
    if (sw_ && HasFailure()) ADD_FAILURE() << "switch log:\n" << sw_->log_tail(60);
    if (sw_ && !HasFailure()) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  std::unique_ptr<SessionPeer> peer(const std::string& login, bool registered = true) {
    std::string error;
    auto p = SessionPeer::open(*sw_, login, &error);
    EXPECT_TRUE(p) << error;
    if (p && registered) {
      EXPECT_EQ(p->register_device(true), 200) << login;
    }
    return p;
  }
  // Which of the agents' devices is offered the next INVITE (and the INVITE), within timeout.
  struct Offered {
    SessionPeer* agent = nullptr;
    std::optional<SipMessage> invite;
  };
  static Offered offered(const std::vector<SessionPeer*>& agents, Millis timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (SessionPeer* a : agents) {
        if (auto invite = a->next_request("INVITE", 20ms)) return {a, std::move(invite)};
      }
    }
    return {};
  }
  // The agent accepts the offer; the initiator gets 200 and ACKs it.
  static PeerDialog accept(SessionPeer& from, PeerDialog& d, SessionPeer& agent,
                           const SipMessage& invite) {
    PeerDialog target = agent.accept(invite);
    auto ok = from.final(d);
    EXPECT_EQ(status_of(ok), 200);
    if (ok) from.ack(d, *ok);
    EXPECT_TRUE(agent.next_request("ACK"));
    return target;
  }
  // `agent` takes a session from `by` (so it is at capacity 1): the agent's leg.
  PeerDialog occupy(SessionPeer& by, SessionPeer& agent) {
    PeerDialog d = by.invite(agent.login(), kText, "Busy you");
    auto invite = agent.next_request("INVITE");
    EXPECT_TRUE(invite) << agent.login() << " was not invited";
    if (!invite) return {};
    return accept(by, d, agent, *invite);
  }
  // The first number of a 182's reason phrase: the place in line.
  static int position_of(const std::optional<SipMessage>& queued) {
    if (!queued) return -1;
    const auto& r = queued->reason;
    const auto digit = r.find_first_of("0123456789");
    return digit == std::string::npos ? -1 : std::stoi(r.substr(digit));
  }

  std::unique_ptr<ScratchDir> config_;
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Queues, RoundRobinOffersEachMemberInTurn) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q2 = peer("q2"), q3 = peer("q3");
  ASSERT_TRUE(alice && q1 && q2 && q3);
  const std::vector<SessionPeer*> agents{q1.get(), q2.get(), q3.get()};

  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    PeerDialog d = alice->invite("5001", kText, "Hello, queue");
    Offered o = offered(agents);
    ASSERT_TRUE(o.agent) << "nobody was offered session " << i;
    order.push_back(o.agent->login());
    PeerDialog target = accept(*alice, d, *o.agent, *o.invite);
    // The agent ends it, so it is free again for its next turn.
    const auto bye = o.agent->send_in_dialog(target, "BYE");
    EXPECT_EQ(status_of(o.agent->response(target, bye)), 200);
    auto at_alice = alice->next_request("BYE");
    ASSERT_TRUE(at_alice);
    alice->reply(*at_alice, 200);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"q1", "q2", "q3", "q1"}));
}

TEST_F(Queues, AMemberAskingItsOwnQueueIsNotOfferedItsOwnSession) {
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(q1 && q2);

  PeerDialog d = q1->invite("5001", kText, "Can one of you take this?");
  Offered o = offered({q1.get(), q2.get()});

  ASSERT_TRUE(o.agent);
  EXPECT_EQ(o.agent->login(), "q2") << "round robin would start at q1, the initiator";
  accept(*q1, d, *q2, *o.invite);
}

TEST_F(Queues, ADeclinePassesTheOfferToTheNextMember) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(alice && q1 && q2);

  PeerDialog d = alice->invite("5006", kText, "Anyone?");
  Offered first = offered({q1.get(), q2.get()});
  ASSERT_TRUE(first.agent);
  first.agent->reply(*first.invite, 603);
  Offered second = offered({q1.get(), q2.get()});

  ASSERT_TRUE(second.agent) << "the offer was not passed on";
  EXPECT_NE(second.agent, first.agent);
  accept(*alice, d, *second.agent, *second.invite);
  EXPECT_TRUE(first.agent->next_request("ACK")) << "the declined INVITE's failure is ACKed";

  // The stored session names the agent who took it and every offer with its answer.
  const std::string printed = transcripts();
  EXPECT_NE(printed.find("alice -> " + second.agent->login() + " (queue 5006)"),
            std::string::npos) << printed;
  EXPECT_NE(printed.find("offered to " + first.agent->login() + ": declined"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("offered to " + second.agent->login() + ": answered"),
            std::string::npos) << printed;
}

TEST_F(Queues, NoAnswerIsCancelledWithCause408AndTheNextMemberIsOffered) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(alice && q1 && q2);

  PeerDialog d = alice->invite("5002", kText, "Quick one");
  Offered first = offered({q1.get(), q2.get()});
  ASSERT_TRUE(first.agent);
  first.agent->reply(*first.invite, 180);  // rings, nobody answers (no_answer_s: 1)
  auto cancel = first.agent->next_request("CANCEL", 5s);

  ASSERT_TRUE(cancel) << "RONA: the offer is taken back";
  EXPECT_NE(cancel->header("Reason").value_or("").find("cause=408"), std::string::npos)
      << cancel->header("Reason").value_or("(no Reason)");
  first.agent->reply(*cancel, 200);
  first.agent->reply(*first.invite, 487);
  Offered second = offered({q1.get(), q2.get()});
  ASSERT_TRUE(second.agent) << "the next member was not offered";
  EXPECT_NE(second.agent, first.agent);
  accept(*alice, d, *second.agent, *second.invite);
}

TEST_F(Queues, WaitingInitiatorsAreToldTheirPlaceAndMoveUp) {
  auto alice = peer("alice", false), bob = peer("bob", false), carol = peer("carol", false);
  auto vip = peer("vip", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && bob && carol && vip && q1);
  // vip takes q1's only place (capacity 1).
  PeerDialog q1_leg = occupy(*vip, *q1);

  PeerDialog a = alice->invite("5007", kText, "Waiting 1");
  EXPECT_EQ(position_of(alice->provisional(a, 182)), 1);
  PeerDialog b = bob->invite("5007", kText, "Waiting 2");
  EXPECT_EQ(position_of(bob->provisional(b, 182)), 2);
  PeerDialog c = carol->invite("5007", kText, "Waiting 3");
  EXPECT_EQ(position_of(carol->provisional(c, 182)), 3);

  // bob gives up: carol moves to 2.
  bob->cancel(b);
  auto cancelled = bob->final(b);
  EXPECT_EQ(status_of(cancelled), 487);
  if (cancelled) bob->ack(b, *cancelled);
  EXPECT_EQ(position_of(carol->provisional(c, 182)), 2);

  // q1 frees: the head of the line, alice, is offered; carol moves to 1.
  const auto bye = q1->send_in_dialog(q1_leg, "BYE");
  EXPECT_EQ(status_of(q1->response(q1_leg, bye)), 200);
  auto next = q1->next_request("INVITE");
  ASSERT_TRUE(next);
  EXPECT_NE(next->body.find("Waiting 1"), std::string::npos) << next->body;
  EXPECT_EQ(position_of(carol->provisional(c, 182)), 1);
  accept(*alice, a, *q1, *next);
}

TEST_F(Queues, TheWaitLimitEndsWith480AndItsReason) {
  auto alice = peer("alice", false);
  auto carol = peer("carol", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && carol && q1);
  occupy(*carol, *q1);

  PeerDialog d = alice->invite("5003", kText, "Anyone?");
  EXPECT_EQ(position_of(alice->provisional(d, 182)), 1);
  auto r = alice->final(d, 5s);

  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 480);
  EXPECT_NE(r->header("Reason").value_or("").find("no agent available"), std::string::npos);
  alice->ack(d, *r);
}

TEST_F(Queues, TheWaitLimitOverflowsToTheOverflowQueue) {
  auto alice = peer("alice", false), carol = peer("carol", false);
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(alice && carol && q1 && q2);
  occupy(*carol, *q1);

  // 5004 holds only q1 (busy); after a second it overflows to 5005 (billing<5: q2).
  PeerDialog d = alice->invite("5004", kText, "Overflow me");
  Offered o = offered({q2.get()}, 5s);

  ASSERT_TRUE(o.agent) << "the overflow queue's member was not offered";
  accept(*alice, d, *q2, *o.invite);
}

TEST_F(Queues, CancelWhileQueuedIs487AndFreesTheLine) {
  auto alice = peer("alice", false), carol = peer("carol", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && carol && q1);
  PeerDialog q1_leg = occupy(*carol, *q1);

  PeerDialog d = alice->invite("5006", kText, "I'll wait");
  EXPECT_EQ(position_of(alice->provisional(d, 182)), 1);
  alice->cancel(d);
  auto r = alice->final(d);
  EXPECT_EQ(status_of(r), 487);
  if (r) alice->ack(d, *r);

  // q1 frees: nobody is waiting any more, so nothing is offered to it. Its REGISTER's answer
  // comes after anything the BYE set off (one strand, then the store): a barrier.
  const auto bye = q1->send_in_dialog(q1_leg, "BYE");
  EXPECT_EQ(status_of(q1->response(q1_leg, bye)), 200);
  EXPECT_EQ(q1->register_device(true), 200);
  EXPECT_FALSE(q1->next_request("INVITE", 50ms));
}

TEST_F(Queues, AFullLineAnswers486) {
  auto alice = peer("alice", false), bob = peer("bob", false), vip = peer("vip", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && bob && vip && q1);
  occupy(*vip, *q1);

  PeerDialog a = alice->invite("5008", kText, "I'm first");
  EXPECT_EQ(position_of(alice->provisional(a, 182)), 1);
  PeerDialog b = bob->invite("5008", kText, "Me too");
  auto r = bob->final(b);

  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 486) << "max_waiting: 1, and no overflow";
  EXPECT_NE(r->header("Reason").value_or("").find("queue full"), std::string::npos);
  bob->ack(b, *r);
}

TEST_F(Queues, AnAgentAtCapacityIsSkipped) {
  auto alice = peer("alice", false), carol = peer("carol", false);
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(alice && carol && q1 && q2);
  occupy(*carol, *q1);

  PeerDialog d = alice->invite("5006", kText, "Who's free?");
  Offered o = offered({q1.get(), q2.get()});
  ASSERT_TRUE(o.agent);
  EXPECT_EQ(o.agent->login(), "q2");
  accept(*alice, d, *o.agent, *o.invite);
}

TEST_F(Queues, ARoutingPointsCaseDataRuleChoosesTheQueue) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q2 = peer("q2");
  ASSERT_TRUE(alice && q1 && q2);
  const std::string body =
      "--b1\r\nContent-Type: text/plain\r\n\r\nA billing question"
      "\r\n--b1\r\nContent-Type: application/json\r\n\r\n{\"topic\":\"billing\"}\r\n--b1--\r\n";

  // topic=billing -> 5005 (billing<5: q2 only).
  PeerDialog d = alice->invite("6000", "multipart/mixed;boundary=b1", body);
  Offered o = offered({q1.get(), q2.get()});

  ASSERT_TRUE(o.agent);
  EXPECT_EQ(o.agent->login(), "q2");
  accept(*alice, d, *o.agent, *o.invite);
}

TEST_F(Queues, ARoutingPointsCallerRuleReachesAnAgent) {
  auto vip = peer("vip", false);
  auto q3 = peer("q3");
  ASSERT_TRUE(vip && q3);

  PeerDialog d = vip->invite("6000", kText, "It's me");
  auto invite = q3->next_request("INVITE");

  ASSERT_TRUE(invite) << "the caller rule leads to q3";
  accept(*vip, d, *q3, *invite);
}

// SIGHUP re-reads the directory: a queue's members change without a restart.
TEST_F(Queues, AReloadChangesWhoIsOffered) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q3 = peer("q3");
  ASSERT_TRUE(alice && q1 && q3);
  std::string reloaded(kConfig);
  const std::string before = R"(- { number: "5003", members: [q1], wait_limit_s: 1 })";
  const auto at = reloaded.find(before);
  ASSERT_NE(at, std::string::npos);
  reloaded.replace(at, before.size(), R"(- { number: "5003", members: [q3], wait_limit_s: 1 })");
  config_->write("queues.yaml", reloaded);
  ASSERT_EQ(::kill(sw_->pid(), SIGHUP), 0);
  ASSERT_TRUE(sw_->wait_for_log("directory reloaded", 1, 10s));

  PeerDialog d = alice->invite("5003", kText, "Who is in 5003 now?");
  Offered o = offered({q1.get(), q3.get()});

  ASSERT_TRUE(o.agent);
  EXPECT_EQ(o.agent->login(), "q3");
  accept(*alice, d, *o.agent, *o.invite);
}

// ---- agent state (PUBLISH) decides who is offered queue work (PRODUCT §2) ---------------------

TEST_F(Queues, PublishedStateDecidesWhoIsOffered) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1"), q2 = peer("q2"), q3 = peer("q3");
  auto q1_desk = sender("q1");  // q1's agent application, publishing its state
  ASSERT_TRUE(alice && q1 && q2 && q3 && q1_desk);
  const std::vector<SessionPeer*> agents{q1.get(), q2.get(), q3.get()};
  auto take_one = [&]() -> std::string {
    PeerDialog d = alice->invite("5001", kText, "Next please");
    Offered o = offered(agents);
    if (!o.agent) return "";
    PeerDialog target = accept(*alice, d, *o.agent, *o.invite);
    const auto bye = o.agent->send_in_dialog(target, "BYE");
    EXPECT_EQ(status_of(o.agent->response(target, bye)), 200);
    if (auto at_alice = alice->next_request("BYE")) alice->reply(*at_alice, 200);
    return o.agent->login();
  };

  auto closed = q1_desk->request(publish(*q1_desk, "", "closed", "lunch"));
  ASSERT_EQ(status_of(closed), 200);
  // Round robin would start at q1: Not Ready, it is passed over, twice.
  EXPECT_EQ(take_one(), "q2");
  EXPECT_EQ(take_one(), "q3");
  EXPECT_EQ(take_one(), "q2");

  auto open = q1_desk->request(publish(*q1_desk, closed->header("SIP-ETag").value_or(""), "open"));
  ASSERT_EQ(status_of(open), 200);
  EXPECT_EQ(take_one(), "q3");
  EXPECT_EQ(take_one(), "q1") << "Ready again, q1 takes its turn";
}

TEST_F(Queues, AWaitingSessionGoesToAnAgentTheMomentItBecomesReady) {
  auto alice = peer("alice", false);
  auto q1 = peer("q1");
  auto q1_desk = sender("q1");
  ASSERT_TRUE(alice && q1 && q1_desk);
  auto closed = q1_desk->request(publish(*q1_desk, "", "closed", "meeting"));
  ASSERT_EQ(status_of(closed), 200);

  PeerDialog d = alice->invite("5007", kText, "Hello?");
  EXPECT_EQ(position_of(alice->provisional(d, 182)), 1) << "q1 is Not Ready";
  auto open = q1_desk->request(publish(*q1_desk, closed->header("SIP-ETag").value_or(""), "open"));
  ASSERT_EQ(status_of(open), 200);

  auto invite = q1->next_request("INVITE");
  ASSERT_TRUE(invite) << "Ready: the waiting session is offered at once";
  accept(*alice, d, *q1, *invite);
}

// ---- pager messages to a queue (PRODUCT §3) --------------------------------------------------

TEST_F(Queues, APagerMessageToAQueueGoesToOneFreeMember) {
  auto alice = app_sender("alice");
  auto q1 = peer("q1"), q2 = peer("q2"), q3 = peer("q3");
  ASSERT_TRUE(alice && q1 && q2 && q3);
  // The members' devices answer on a thread of their own while alice waits for her answer.
  const std::vector<SessionPeer*> members{q1.get(), q2.get(), q3.get()};
  auto taken = std::async(std::launch::async, [&]() -> std::pair<SessionPeer*, SipMessage> {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (SessionPeer* p : members) {
        if (auto got = p->next_request("MESSAGE", 20ms)) {
          p->reply(*got, 200);
          return {p, *got};
        }
      }
    }
    return {nullptr, {}};
  });

  auto rsp = alice->message("5001", "Can someone check order 42?");
  auto [who, got] = taken.get();

  ASSERT_TRUE(who) << "no member got the message";
  EXPECT_EQ(who->login(), "q1") << "round robin starts at the first member";
  EXPECT_EQ(got.body, "Can someone check order 42?");
  EXPECT_NE(got.header("To").value_or("").find("sip:5001@"), std::string::npos);
  EXPECT_EQ(status_of(rsp), 200) << "the sender hears the member's device";
  // Only one member: a REGISTER's answer comes after anything sent to the others before it.
  for (SessionPeer* p : {q2.get(), q3.get()}) {
    EXPECT_EQ(p->register_device(true), 200);
    EXPECT_FALSE(p->next_request("MESSAGE", 0ms)) << p->login();
  }
}

TEST_F(Queues, APagerMessageWaitsForTheNextFreeMemberAcrossACrash) {
  auto alice = app_sender("alice");
  auto vip = peer("vip", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && vip && q1);
  // 5003's only member is busy: the message is kept in the queue.
  occupy(*vip, *q1);

  auto rsp = alice->message("5003", "Call me back about the refund");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 202) << rsp->start_line;

  kill_and_restart();
  auto back = peer("q1");  // logs in again after the crash, free
  ASSERT_TRUE(back);
  auto got = back->next_request("MESSAGE", 5s);
  ASSERT_TRUE(got) << "the message kept for the queue was lost";
  EXPECT_EQ(got->body, "Call me back about the refund");
  back->reply(*got, 200);
}

TEST_F(Queues, APagerMessageKeptInTheQueueGoesToTheMemberThatFrees) {
  auto alice = app_sender("alice");
  auto vip = peer("vip", false);
  auto q1 = peer("q1");
  ASSERT_TRUE(alice && vip && q1);
  PeerDialog q1_leg = occupy(*vip, *q1);

  auto rsp = alice->message("5007", "first");
  EXPECT_EQ(status_of(rsp), 202);
  rsp = alice->message("5007", "second");
  EXPECT_EQ(status_of(rsp), 202);
  EXPECT_EQ(q1->register_device(true), 200);  // a barrier: what the switch sent is in
  EXPECT_FALSE(q1->next_request("MESSAGE", 0ms)) << "q1 is busy";

  const auto bye = q1->send_in_dialog(q1_leg, "BYE");
  EXPECT_EQ(status_of(q1->response(q1_leg, bye)), 200);
  for (const char* body : {"first", "second"}) {
    auto got = q1->next_request("MESSAGE", 5s);
    ASSERT_TRUE(got) << body;
    EXPECT_EQ(got->body, body) << "in the order they came";
    q1->reply(*got, 200);
  }
}

}  // namespace
}  // namespace ims::test
