// The pager proxy on the real binary (RFC 3428, RFC 3261 §16): authenticated MESSAGE relayed
// unaltered to every registered device of the target over the flow of its REGISTER, the first
// 2xx answering the sender, copies to the sender's other devices, no open relay, the UDP size
// rule, and store-and-forward when every device fails.
//
// Receivers run on their own thread (std::async) while the sender waits for its answer; each
// agent is used by one thread at a time.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>
#include <memory>
#include <string>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr Millis kWait = 5s;

// A body with non-ASCII bytes, a CRLF and trailing spaces: relayed byte for byte.
const std::string kBody = "Bonjour Bob \xe2\x80\x94 \xc3\xa7" "a va ?\r\nsecond line  ";
const std::string kType = "text/plain;charset=UTF-8";

std::future<std::optional<SipMessage>> receive_async(Agent& agent, int status,
                                                     Millis timeout = kWait) {
  return std::async(std::launch::async,
                    [&agent, status, timeout] { return agent.receive_request(timeout, status); });
}

class Pager : public ::testing::Test {
 protected:
  virtual SwitchOptions options() { return im_switch_options(); }
  void SetUp() override {
    sw_ = start_switch(options());
    ASSERT_NE(sw_, nullptr);
  }
  void TearDown() override {
    if (!sw_) return;
    if (HasFailure()) {
      ADD_FAILURE() << "switch log:\n" << sw_->log_tail(40);
      return;
    }
    EXPECT_TRUE(still_serving(*sw_));
    EXPECT_TRUE(exits_cleanly(*sw_));
  }

  // An agent of config/imswitch.yaml, registered (200) over the given transport.
  std::unique_ptr<Agent> online(const std::string& login, const std::string& transport = "udp") {
    std::string error;
    auto a = Agent::open(*sw_, sample_agent(login, transport), &error);
    EXPECT_NE(a, nullptr) << error;
    if (!a) return nullptr;
    const auto rsp = a->register_contact(600);
    EXPECT_EQ(status_of(rsp), 200) << login << " did not register";
    return status_of(rsp) == 200 ? std::move(a) : nullptr;
  }
  // An agent that only sends (not registered).
  std::unique_ptr<Agent> sender(const std::string& login, const std::string& transport = "udp") {
    std::string error;
    auto a = Agent::open(*sw_, sample_agent(login, transport), &error);
    EXPECT_NE(a, nullptr) << error;
    return a;
  }
  // A round trip through the switch's SIP strand and store: whatever the switch sent to
  // `agent` before answering this has been read into its inbox (or stray responses).
  static void barrier(Agent& agent) { EXPECT_EQ(status_of(agent.register_contact(600)), 200); }

  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Pager, MessageReachesTheTargetUnalteredAndItsAnswerReturns) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("bob", kBody, kType);
  auto got = at_bob.get();

  ASSERT_TRUE(got) << "bob received nothing";
  EXPECT_EQ(got->start_line, "MESSAGE " + bob->contact_uri() + " SIP/2.0");
  EXPECT_EQ(got->body, kBody);
  EXPECT_EQ(got->header("Content-Type").value_or(""), kType);
  EXPECT_NE(got->header("From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
  EXPECT_NE(got->header("To").value_or("").find("sip:bob@127.0.0.1"), std::string::npos);
  EXPECT_EQ(got->header("Max-Forwards").value_or(""), "69");
  EXPECT_EQ(got->all("Via").size(), 2u);  // the switch's, then alice's (§16.6 step 8)
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_EQ(rsp->param("To", "tag").value_or(""), bob->tag());
  EXPECT_EQ(rsp->all("Via").size(), 1u) << "the switch's Via is removed (§16.7 step 3)";
  ASSERT_TRUE(alice->last_challenge());
  const auto& challenge = *alice->last_challenge();
  EXPECT_EQ(challenge.status, 407);
  const auto offered = challenges_of(challenge);
  ASSERT_EQ(offered.size(), 2u);
  EXPECT_EQ(offered[0].algorithm, "SHA-256");
  EXPECT_EQ(offered[1].algorithm, "MD5");
  EXPECT_EQ(offered[0].nonce, offered[1].nonce);
  EXPECT_EQ(offered[0].realm, "127.0.0.1");
}

TEST_F(Pager, ALegacyUserAgentIsOfferedASingleMd5ProxyChallenge) {
  std::string error;
  auto alice = Agent::open(*sw_, sample_agent("alice", "udp", Digest::Md5), &error);
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob) << error;

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("bob", kBody, kType, {"User-Agent: sipsak 0.9.8.1"});
  auto got = at_bob.get();

  ASSERT_TRUE(alice->last_challenge());
  const auto offered = challenges_of(*alice->last_challenge());
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered[0].algorithm, "MD5");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_TRUE(got) << "bob received nothing";
}

TEST_F(Pager, PhoneNumberReachesTheAgent) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("1002", "by extension");  // bob's phone in the directory
  auto got = at_bob.get();

  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "by extension");
  EXPECT_EQ(status_of(rsp), 200);
}

// RFC 3581 style: a device behind NAT names a private address in its Contact; it is reached
// where its REGISTER came from (192.0.2.0/24 is TEST-NET-1, RFC 5737: nobody answers there).
TEST_F(Pager, DeviceBehindNatIsReachedWhereItsRegisterCameFrom) {
  auto alice = online("alice");
  std::string error;
  AgentOptions o = sample_agent("bob");
  o.contact = "sip:bob@192.0.2.10:5060";
  auto bob = Agent::open(*sw_, o, &error);
  ASSERT_TRUE(alice && bob) << error;
  ASSERT_EQ(status_of(bob->register_contact(600)), 200);

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("bob", kBody, kType);
  auto got = at_bob.get();

  EXPECT_EQ(status_of(rsp), 200);
  ASSERT_TRUE(got) << "the MESSAGE did not come back over bob's flow";
  EXPECT_EQ(got->start_line, "MESSAGE sip:bob@192.0.2.10:5060 SIP/2.0");
}

TEST_F(Pager, UnknownTargetIsNotFound) {
  auto alice = sender("alice");
  ASSERT_TRUE(alice);

  auto rsp = alice->message("nobody", "hello?");

  EXPECT_EQ(status_of(rsp), 404);
}

TEST_F(Pager, ForeignDomainIsRelayingDenied) {
  auto alice = sender("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = alice->message_request("bob", "out of here");
  r.uri = "sip:bob@example.com";

  auto rsp = alice->request(r);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 403) << rsp->start_line;
  EXPECT_EQ(rsp->reason, "Relaying Denied");
}

TEST_F(Pager, FromOtherThanTheLoginIsForbidden) {
  auto alice = sender("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = alice->message_request("carol", "I am bob, honestly");
  r.from = "sip:bob@127.0.0.1";

  auto rsp = alice->request(r);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 403) << rsp->start_line;
  EXPECT_EQ(rsp->reason, "From Does Not Match Credentials");
  EXPECT_EQ(alice->challenges_seen(), 1);  // authenticated first, then refused
}

// RFC 7616 §3.4: the same Proxy-Authorization (same nonce, same nc) does not send twice.
TEST_F(Pager, ReplayedProxyAuthorizationIsChallenged) {
  auto alice = sender("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = alice->message_request("carol", "only once");
  r.authenticate = false;
  auto challenge = alice->request(r);
  ASSERT_EQ(status_of(challenge), 407);
  const auto c = challenges_of(*challenge).at(0);
  r.headers = {"Proxy-Authorization: " +
               digest_credentials(Digest::Sha256, c, "alice", "pw-alice", "MESSAGE",
                                  "sip:carol@127.0.0.1", 1, "cnonce-once")};

  auto first = alice->request(r);
  auto replay = alice->request(r);  // a new Call-ID, the credentials unchanged

  EXPECT_EQ(status_of(first), 202);  // carol is offline: kept
  EXPECT_EQ(status_of(replay), 407) << "a replayed MESSAGE was accepted";
  auto carol = online("carol");
  ASSERT_TRUE(carol);
  auto got = carol->receive_request(kWait, 200);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "only once");
  barrier(*carol);
  EXPECT_EQ(carol->waiting_requests(), 0u) << "the replay was stored and delivered";
}

// A refusal that says "this request is wrong for me" is the answer, not a reason to retry.
TEST_F(Pager, DeclineIsRelayedNotStored) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 603);
  auto rsp = alice->message("bob", "no thanks");
  ASSERT_TRUE(at_bob.get());

  EXPECT_EQ(status_of(rsp), 603);
  barrier(*bob);
  EXPECT_EQ(bob->waiting_requests(), 0u) << "a declined message was stored and delivered again";
}

// RFC 3261 §16.7 step 5: a provisional response other than 100 is relayed to the sender at once
// (the switch's Via removed), before the final one.
TEST_F(Pager, ProvisionalResponsesReachTheSender) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = std::async(std::launch::async, [&bob] {
    auto got = bob->receive_request(kWait, 0);
    if (got) {
      bob->respond(*got, 180);
      bob->respond(*got, 200);
    }
    return got;
  });
  auto rsp = alice->message("bob", "are you there?");
  ASSERT_TRUE(at_bob.get());

  EXPECT_EQ(status_of(rsp), 200);
  ASSERT_EQ(alice->provisional_responses().size(), 1u);
  const SipMessage& ringing = alice->provisional_responses()[0];
  EXPECT_EQ(ringing.status, 180) << ringing.start_line;
  EXPECT_EQ(ringing.header("Call-ID"), rsp->header("Call-ID"));
  EXPECT_EQ(ringing.all("Via").size(), 1u) << "the switch's Via is removed (§16.7 step 3)";
}

// PRODUCT §2 and config/imswitch.yaml: only agents with the `im` task send or take IM; leo has
// only `voice` ("kim and the others get 403 when they try to message leo"). Both offline, so a
// message let through shows up as 202.
TEST_F(Pager, MessageToAgentWithoutImTaskIsForbidden) {
  auto kim = sender("kim");
  ASSERT_TRUE(kim);

  auto rsp = kim->message("leo", "hello leo");

  EXPECT_EQ(status_of(rsp), 403);
}

TEST_F(Pager, AgentWithoutImTaskCannotSend) {
  auto leo = sender("leo");
  ASSERT_TRUE(leo);

  auto rsp = leo->message("kim", "hello kim");

  EXPECT_EQ(status_of(rsp), 403);
}

TEST_F(Pager, ForksToEveryDeviceAndRelaysTheFirst2xx) {
  auto alice = online("alice");
  auto phone = online("bob");
  auto laptop = online("bob");
  ASSERT_TRUE(alice && phone && laptop);

  auto at_phone = receive_async(*phone, 200);
  auto at_laptop = receive_async(*laptop, 0);  // alerted, answers only after the phone
  auto rsp = alice->message("bob", kBody, kType);
  auto phone_got = at_phone.get();
  auto laptop_got = at_laptop.get();

  ASSERT_TRUE(phone_got && laptop_got) << "both devices receive the MESSAGE";
  EXPECT_EQ(phone_got->body, kBody);
  EXPECT_EQ(laptop_got->body, kBody);
  EXPECT_EQ(phone_got->header("Call-ID"), laptop_got->header("Call-ID"));
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_EQ(rsp->param("To", "tag").value_or(""), phone->tag());

  laptop->respond(*laptop_got, 200);  // a late second 2xx: not relayed (§16.7 step 5)
  barrier(*laptop);
  barrier(*alice);
  EXPECT_TRUE(alice->stray_responses().empty())
      << "alice got a second final response: " << alice->stray_responses().front().start_line;
}

TEST_F(Pager, SendersOtherDevicesGetACopy) {
  auto desk = online("alice");
  auto mobile = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(desk && mobile && bob);

  auto at_bob = receive_async(*bob, 200);
  auto at_mobile = receive_async(*mobile, 200);
  auto rsp = desk->message("bob", kBody, kType);
  auto bob_got = at_bob.get();
  auto copy = at_mobile.get();

  EXPECT_EQ(status_of(rsp), 200);
  ASSERT_TRUE(bob_got);
  ASSERT_TRUE(copy) << "no copy on alice's other device";
  EXPECT_EQ(copy->header("Imswitch-Copy").value_or(""), "sent");
  EXPECT_EQ(copy->body, kBody);
  EXPECT_EQ(copy->header("Content-Type").value_or(""), kType);
  EXPECT_NE(copy->header("From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos);
  EXPECT_NE(copy->header("To").value_or("").find("sip:bob@127.0.0.1"), std::string::npos);
  EXPECT_FALSE(bob_got->header("Imswitch-Copy"));
  barrier(*desk);
  EXPECT_EQ(desk->waiting_requests(), 0u) << "the sending device got its own copy";
}

TEST_F(Pager, TcpContactIsReachedOverItsRegisterConnection) {
  auto alice = online("alice");
  auto bob = online("bob", "tcp");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("bob", kBody, kType);
  auto got = at_bob.get();

  // bob's agent listens nowhere: the only way in is the connection it registered over.
  ASSERT_TRUE(got) << "bob received nothing on his connection";
  EXPECT_EQ(got->body, kBody);
  EXPECT_EQ(got->header("Via").value_or("").rfind("SIP/2.0/TCP ", 0), 0u) << *got->header("Via");
  EXPECT_EQ(status_of(rsp), 200);
}

TEST_F(Pager, LargeMessageToUdpOnlyTargetIs513) {
  auto alice = sender("alice", "tcp");  // RFC 3261 §18.1.1: large requests go over TCP
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto rsp = alice->message("bob", std::string(2000, 'x'));

  EXPECT_EQ(status_of(rsp), 513);
  barrier(*bob);
  EXPECT_EQ(bob->waiting_requests(), 0u) << "a 2000-byte MESSAGE was sent over UDP";
}

TEST_F(Pager, LargeMessageTakesTheTcpContact) {
  auto alice = sender("alice", "tcp");
  auto bob_udp = online("bob");
  auto bob_tcp = online("bob", "tcp");
  ASSERT_TRUE(alice && bob_udp && bob_tcp);
  const std::string body(2000, 'y');

  auto at_bob = receive_async(*bob_tcp, 200);
  auto rsp = alice->message("bob", body);
  auto got = at_bob.get();

  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(status_of(rsp), 200);
  barrier(*bob_udp);
  EXPECT_EQ(bob_udp->waiting_requests(), 0u) << "a 2000-byte MESSAGE was sent over UDP";
}

// proxy.fork_timeout_ms: 1000, so that a silent device is given up on quickly.
class PagerFallback : public Pager {
 protected:
  SwitchOptions options() override {
    SwitchOptions o = im_switch_options();
    const std::string yaml = imswitch_yaml_with({{"fork_timeout_ms", "1000"}});
    EXPECT_FALSE(yaml.empty()) << "no proxy.fork_timeout_ms in config/imswitch.yaml";
    o.config = dir_.write("imswitch.yaml", yaml);
    return o;
  }
  ScratchDir dir_{"imswitch-pager-"};
};

TEST_F(PagerFallback, DeviceAnswering480GetsTheMessageOnItsNextRegister) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 480);
  auto rsp = alice->message("bob", kBody, kType);
  ASSERT_TRUE(at_bob.get());
  EXPECT_EQ(status_of(rsp), 202);

  EXPECT_EQ(status_of(bob->register_contact(600)), 200);
  auto later = bob->receive_request(kWait, 200);

  ASSERT_TRUE(later) << "the stored message was not delivered";
  EXPECT_EQ(later->body, kBody);
  EXPECT_EQ(later->header("Content-Type").value_or(""), kType);
  EXPECT_TRUE(later->header("Date"));
  EXPECT_NE(later->header("Call-ID"), rsp->header("Call-ID"));
}

TEST_F(PagerFallback, SilentDeviceTimesOutAndGetsTheMessageLater) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 0);  // never answers
  auto rsp = alice->message("bob", kBody, kType);
  ASSERT_TRUE(at_bob.get());
  EXPECT_EQ(status_of(rsp), 202);

  EXPECT_EQ(status_of(bob->register_contact(600)), 200);
  auto later = bob->receive_request(kWait, 200);

  ASSERT_TRUE(later) << "the stored message was not delivered";
  EXPECT_EQ(later->body, kBody);
  EXPECT_TRUE(later->header("Date"));
}

// Messages the switch keeps for `login`, read from its store file.
int stored_for(const SwitchProcess& sw, const std::string& login) {
  sqlite3* db = nullptr;
  int count = -1;
  if (sqlite3_open_v2((sw.dir() + "/imswitch.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM stored_messages WHERE recipient = ?", -1,
                           &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, login.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

// bob's device answers 200 only after the fork gave up on it (alice was answered 202 and the
// message stored): the device has it, so the stored copy is withdrawn, not delivered again.
TEST_F(PagerFallback, DeviceAnsweringAfterTheTimeoutIsNotSentItAgain) {
  auto alice = online("alice");
  auto bob = online("bob");
  ASSERT_TRUE(alice && bob);

  auto at_bob = receive_async(*bob, 0);  // answered below, late
  auto rsp = alice->message("bob", kBody, kType);
  auto got = at_bob.get();
  ASSERT_TRUE(got);
  EXPECT_EQ(status_of(rsp), 202);
  EXPECT_TRUE(sw_->wait_for_log("no contact took it", 1, kWait));

  bob->respond(*got, 200);
  ASSERT_TRUE(sw_->wait_for_log("the stored copy is withdrawn", 1, kWait)) << sw_->log_tail(10);
  EXPECT_EQ(stored_for(*sw_, "bob"), 0);
}

// The same for a stored message's delivery: taken late, it is not kept for another round.
TEST_F(PagerFallback, StoredMessageTakenAfterTheTimeoutIsNotKept) {
  auto alice = online("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(status_of(alice->message("bob", kBody, kType)), 202);  // bob is offline
  EXPECT_EQ(stored_for(*sw_, "bob"), 1);

  auto bob = online("bob");
  ASSERT_TRUE(bob);
  auto got = bob->receive_request(kWait, 0);  // answered below, late
  ASSERT_TRUE(got) << "the stored message was not delivered";
  EXPECT_TRUE(sw_->wait_for_log("not taken (408); kept", 1, kWait));

  bob->respond(*got, 200);
  ASSERT_TRUE(sw_->wait_for_log("the stored copy is withdrawn", 1, kWait)) << sw_->log_tail(10);
  EXPECT_EQ(stored_for(*sw_, "bob"), 0);
}

// The connection bob registered over is gone: the MESSAGE cannot reach him, it is kept (202)
// and delivered on his next connection.
TEST_F(PagerFallback, DeviceWhoseConnectionClosedGetsTheMessageLater) {
  auto alice = online("alice");
  auto bob = online("bob", "tcp");
  ASSERT_TRUE(alice && bob);
  bob.reset();  // closes the connection; the binding stays until it expires

  auto rsp = alice->message("bob", kBody, kType);
  EXPECT_EQ(status_of(rsp), 202);

  auto back = online("bob", "tcp");
  ASSERT_TRUE(back);
  auto later = back->receive_request(kWait, 200);
  ASSERT_TRUE(later) << "the stored message was not delivered";
  EXPECT_EQ(later->body, kBody);
}

// A one-second TCP idle timeout, to see what silence does to a registered device's connection.
class PagerShortIdle : public Pager {
 protected:
  SwitchOptions options() override {
    SwitchOptions o = im_switch_options();
    std::string yaml = imswitch_yaml_with({});
    const std::string idle = "idle_timeout_s: 300";
    const auto at = yaml.find(idle);
    EXPECT_NE(at, std::string::npos) << "no sip.tcp.idle_timeout_s in config/imswitch.yaml";
    if (at != std::string::npos) yaml.replace(at, idle.size(), "idle_timeout_s: 1");
    o.config = dir_.write("imswitch.yaml", yaml);
    o.extra_args = {"--log-level", "debug"};
    return o;
  }
  ScratchDir dir_{"imswitch-pager-"};
};

// bob is behind NAT (his Contact cannot be reached) and registered over TCP: his connection is
// the only way to him, and it stays open as long as his registration, however silent he is.
TEST_F(PagerShortIdle, ASilentDeviceKeepsTheConnectionItRegisteredOver) {
  auto alice = online("alice");
  std::string error;
  AgentOptions o = sample_agent("bob", "tcp");
  o.contact = "sip:bob@192.0.2.10:5060;transport=tcp";
  auto bob = Agent::open(*sw_, o, &error);
  ASSERT_TRUE(alice && bob) << error;
  ASSERT_EQ(status_of(bob->register_contact(600)), 200);

  // carol's connection, opened after bob's and registering nothing, is closed after its idle
  // second; had bob's been closed too, it would have been first.
  auto carol = sender("carol", "tcp");
  ASSERT_TRUE(carol);
  ASSERT_EQ(status_of(carol->query()), 200);
  ASSERT_TRUE(sw_->wait_for_log("closed: idle for 1s", 1, kWait));
  const std::string log = sw_->log();
  EXPECT_EQ(log.find("closed: idle for 1s"), log.rfind("closed: idle for 1s"))
      << "bob's connection was closed for idleness too";

  auto at_bob = receive_async(*bob, 200);
  auto rsp = alice->message("bob", kBody, kType);
  auto got = at_bob.get();
  EXPECT_EQ(status_of(rsp), 200) << "202: the message was kept, bob was not reached";
  ASSERT_TRUE(got) << "the MESSAGE did not come over bob's connection";
  EXPECT_EQ(got->body, kBody);
}

}  // namespace
}  // namespace ims::test
