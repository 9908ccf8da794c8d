// The client library's Agent against the real imswitch: login over UDP and TCP with SHA-256 and
// MD5, a refused login with its reason, refresh, logout, pager messages and the copy to the
// sender's other device.

#include <gtest/gtest.h>

#include <future>
#include <sstream>

#include "client/errors.hpp"
#include "tests/integration/client_harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/sip_client.hpp"

namespace ims::test {
namespace {

using Kind = ClientEvent::Kind;
using transport::Protocol;

class ClientAgentTest : public ClientFixture {};

TEST_F(ClientAgentTest, LogsInOverUdpAndTcp) {
  start_switch();
  for (Protocol p : {Protocol::Udp, Protocol::Tcp}) {
    ClientAgent& a = make_agent(p == Protocol::Udp ? "alice" : "bob", p);
    auto r = login(a);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_GT(r->count(), 0);
    EXPECT_LE(r->count(), 600);
    auto e = a.events.wait_kind(Kind::LoggedIn);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->expires, *r);
    EXPECT_TRUE(loop_.on_strand([&] { return a.agent->logged_in(); }));
  }
}

TEST_F(ClientAgentTest, LogsInWhenOnlySha256IsOffered) {
  const std::string config = sample_config_with({{"algorithms", "[SHA-256]"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  for (Protocol p : {Protocol::Udp, Protocol::Tcp}) {
    ClientAgent& a = make_agent(p == Protocol::Udp ? "carol" : "dave", p);
    auto r = login(a);
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
}

TEST_F(ClientAgentTest, LogsInWhenOnlyMd5IsOffered) {
  const std::string config = sample_config_with({{"algorithms", "[MD5]"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  for (Protocol p : {Protocol::Udp, Protocol::Tcp}) {
    ClientAgent& a = make_agent(p == Protocol::Udp ? "carol" : "dave", p);
    auto r = login(a);
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
}

TEST_F(ClientAgentTest, AgentWithOnlyHa1sLogsIn) {
  start_switch();
  ClientAgent& judy = make_agent("judy");
  auto r = login(judy);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST_F(ClientAgentTest, WrongPasswordFailsWithAClearReason) {
  start_switch();
  for (Protocol p : {Protocol::Udp, Protocol::Tcp}) {
    ClientAgent& a = make_agent("erin", p, std::string("not-her-password"));
    auto r = login(a);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, client::ClientErrc::LoginRefused);
    EXPECT_EQ(r.error().status, 401);
    EXPECT_NE(r.error().message.find("wrong login or password"), std::string::npos)
        << r.error().message;
    auto e = a.events.wait_kind(Kind::LoginFailed);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->text, r.error().message);
    EXPECT_FALSE(loop_.on_strand([&] { return a.agent->logged_in(); }));
  }
}

TEST_F(ClientAgentTest, UnknownLoginFails) {
  start_switch();
  ClientAgent& a = make_agent("mallory", Protocol::Udp, std::string("pw-mallory"));
  auto r = login(a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, client::ClientErrc::LoginRefused);
}

TEST_F(ClientAgentTest, NoSwitchMeansNoAnswerNotAHang) {
  start_switch();
  ClientAgent& a = make_agent("frank", Protocol::Tcp);
  switch_->stop();
  auto r = login(a, 40s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == client::ClientErrc::TransportFailed ||
              r.error().code == client::ClientErrc::NoAnswer)
      << r.error().message;
  switch_.reset();
}

TEST_F(ClientAgentTest, CountsTheRequestsItSendsAgainToASilentSwitch) {
  start_switch();
  // The silent switch is a socket of the test's own that never answers: a stopped switch's
  // port is free, and a test running beside this one may take it and answer (it did, 405).
  std::string error;
  auto silent = UdpClient::open(false, &error);
  ASSERT_TRUE(silent) << error;
  // T1 of 50 ms: Timer E sends the REGISTER again after 50, 150, 350, 750, 1550 and 3150 ms,
  // and Timer F gives up at 3.2 s.
  ClientAgent& a = make_agent("frank", Protocol::Udp, std::nullopt, std::chrono::seconds(600),
                              [&silent](client::AgentOptions& o) {
                                o.stack.txn.timers.t1 = txn::Duration{50};
                                o.server_port = silent->local_port();
                              });
  EXPECT_EQ(loop_.on_strand([&] { return a.agent->retransmissions(); }), 0u);
  auto r = login(a, 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, client::ClientErrc::NoAnswer) << r.error().message;
  const auto sent_again = loop_.on_strand([&] { return a.agent->retransmissions(); });
  EXPECT_GE(sent_again, 5u);
  EXPECT_LE(sent_again, 6u);
  int received = 0;  // the first REGISTER and every one sent again reached the silent socket
  while (silent->receive(200ms)) ++received;
  EXPECT_EQ(received, static_cast<int>(sent_again) + 1);
}

TEST_F(ClientAgentTest, ALoginAskedForDuringARefreshJoinsIt) {
  start_switch();
  ClientAgent& a = logged_in_agent("frank");
  auto registers = [&] {
    HttpClient c(*switch_->http());
    auto r = c.get("/metrics");
    EXPECT_TRUE(r);
    double n = 0;
    std::istringstream lines(r ? r->body : "");
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("imswitch_sip_requests_by_method_total{", 0) == 0 &&
          line.find("method=\"REGISTER\"") != std::string::npos)
        n += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return n;
  };
  const double before = registers();
  // A refresh of the agent's own (no callback), then a login asked for while it is out: one
  // REGISTER, both answered by it. Two would race, and a retransmission of the first arriving
  // after the second is refused 500 for its lower CSeq.
  std::promise<Result<std::chrono::seconds>> joined;
  loop_.on_strand([&] {
    a.agent->login();
    a.agent->login([&](Result<std::chrono::seconds> r) { joined.set_value(std::move(r)); });
  });
  auto f = joined.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(registers() - before, 1);
}

TEST_F(ClientAgentTest, RefreshesBeforeTheRegistrationExpires) {
  const std::string config = sample_config_with({{"min_expires_s", "1"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  ClientAgent& a = make_agent("grace", Protocol::Udp, std::nullopt, std::chrono::seconds(2));
  auto r = login(a);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->count(), 2);
  // Refreshed at half the granted time: three logins within 4 s, each a new REGISTER.
  EXPECT_TRUE(
      a.events.wait_count([](const ClientEvent& e) { return e.kind == Kind::LoggedIn; }, 3, 4s));
  EXPECT_EQ(a.events.count([](const ClientEvent& e) { return e.kind == Kind::LoginFailed; }), 0u);
}

TEST_F(ClientAgentTest, StaysLoggedInAcrossAStaleNonce) {
  // Refreshes every second reuse the nonce with a rising nc (RFC 7616 §3.4) until it is older
  // than nonce_lifetime_s; then the switch challenges with stale=true and the agent answers the
  // new nonce without failing the login. About 11 s.
  const std::string config =
      sample_config_with({{"min_expires_s", "1"}, {"nonce_lifetime_s", "10"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  ClientAgent& a = make_agent("kim", Protocol::Udp, std::nullopt, std::chrono::seconds(2));
  ASSERT_TRUE(login(a).ok());
  EXPECT_TRUE(
      a.events.wait_count([](const ClientEvent& e) { return e.kind == Kind::LoggedIn; }, 13, 20s));
  EXPECT_EQ(a.events.count([](const ClientEvent& e) { return e.kind == Kind::LoginFailed; }), 0u);
}

TEST_F(ClientAgentTest, TooShortAnExpiryIsRaisedToTheSwitchsMinimum) {
  start_switch();  // min_expires_s: 60
  ClientAgent& a = make_agent("heidi", Protocol::Udp, std::nullopt, std::chrono::seconds(10));
  auto r = login(a);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->count(), 60);
}

TEST_F(ClientAgentTest, TwoAgentsExchangePagerMessages) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob", Protocol::Tcp);

  auto sent = send_pager(alice, "bob", "Hello Bob, are you free?");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 200);
  auto got = bob.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pager.text, "Hello Bob, are you free?");
  EXPECT_EQ(got->pager.from, "alice");
  EXPECT_EQ(got->pager.to, "bob");
  EXPECT_FALSE(got->pager.copy);

  auto reply = send_pager(bob, "alice", "Yes — go ahead.");
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(*reply, 200);
  auto back = alice.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pager.text, "Yes — go ahead.");
  EXPECT_EQ(back->pager.from, "bob");
}

// bob's device closes its connection (its own idle timeout, 1 s here); the switch then
// reaches it at its registered Contact over a new connection, rather than keeping its
// messages until it registers again.
TEST_F(ClientAgentTest, AnAgentIsReachedAfterItsConnectionClosed) {
  start_switch(sample_config_with({{"level", "debug"}}));
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = make_agent("bob", Protocol::Tcp, std::nullopt, std::chrono::seconds(600),
                                [](client::AgentOptions& o) {
                                  o.stack.transport.tcp_idle_timeout = std::chrono::seconds(1);
                                });
  const auto in = login(bob);
  ASSERT_TRUE(in.ok()) << in.error().message;
  ASSERT_TRUE(switch_->wait_for_log("closed: closed by peer", 1, 10s)) << switch_->log_tail();

  auto sent = send_pager(alice, "bob", "after a quiet spell");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 200) << "202: the switch kept the message, bob was not reached";
  auto got = bob.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pager.text, "after a quiet spell");
}

TEST_F(ClientAgentTest, ACopyGoesToTheSendersOtherDevice) {
  start_switch();
  ClientAgent& desk = logged_in_agent("alice");
  ClientAgent& phone = logged_in_agent("alice", Protocol::Tcp);
  ClientAgent& bob = logged_in_agent("bob");

  auto sent = send_pager(desk, "bob", "sent from the desk");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(bob.events.wait_kind(Kind::Pager));
  auto copy = phone.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->pager.copy);
  EXPECT_EQ(copy->pager.text, "sent from the desk");
  EXPECT_EQ(copy->pager.from, "alice");
  EXPECT_EQ(copy->pager.to, "bob");
  // The sending device gets no copy of its own message.
  EXPECT_FALSE(desk.events.wait_kind(Kind::Pager, 300ms));
}

TEST_F(ClientAgentTest, PagerToAnUnknownAgentIsRefused) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  auto sent = send_pager(alice, "nobody", "hello?");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, client::ClientErrc::Refused);
  EXPECT_EQ(sent.error().status, 404) << "the switch's answer, as data";
  EXPECT_NE(sent.error().message.find("404"), std::string::npos) << sent.error().message;
}

TEST_F(ClientAgentTest, AfterLogoutMessagesAreStoredNotDelivered) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  auto p = std::make_shared<std::promise<Result<void>>>();
  auto fut = p->get_future();
  loop_.on_strand([&] { bob.agent->logout([p](Result<void> r) { p->set_value(r); }); });
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  auto out = fut.get();
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(bob.events.wait_kind(Kind::LoggedOut));
  EXPECT_FALSE(loop_.on_strand([&] { return bob.agent->logged_in(); }));

  auto sent = send_pager(alice, "bob", "for later");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 202);  // nobody to take it: stored

  // Logging in again delivers it.
  ASSERT_TRUE(login(bob).ok());
  auto got = bob.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pager.text, "for later");
}

}  // namespace
}  // namespace ims::test
