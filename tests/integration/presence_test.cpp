// Agent state by PUBLISH on the real binary (PRODUCT §2; RFC 3903 §6, PIDF RFC 3863): on the wire
// with a test agent that shares no code with the switch (digest 407, SIP-ETag and Expires, refresh,
// modify, removal, 412, 489, 415, 423, 400, 403), a publication that outlives a SIGKILL and
// restart, and the client library's set_ready / set_not_ready with its refreshes.

#include <gtest/gtest.h>

#include <condition_variable>
#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/agent.hpp"
#include "tests/integration/agent_client.hpp"
#include "tests/integration/client_harness.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr Millis kWait = 5s;

class PresenceWire : public StoredSwitchTest {
 protected:
  PresenceWire() : StoredSwitchTest("imswitch-presence-") {}
  // An initial publication that succeeds: its entity-tag.
  std::string publish_initial(Agent& a, std::string_view basic, std::string_view note = {}) {
    auto rsp = a.request(publish(a, "", basic, note));
    EXPECT_EQ(status_of(rsp), 200) << (rsp ? rsp->start_line : "no answer");
    return rsp ? rsp->header("SIP-ETag").value_or("") : "";
  }
};

TEST_F(PresenceWire, InitialPublicationIsChallengedThenAnsweredWithEntityTagAndExpiry) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  auto rsp = bob->request(publish(*bob, "", "closed", "lunch"));
  ASSERT_EQ(status_of(rsp), 200) << rsp->start_line;
  ASSERT_EQ(bob->challenges_seen(), 1);
  EXPECT_EQ(bob->last_challenge()->status, 407);
  EXPECT_FALSE(rsp->header("SIP-ETag").value_or("").empty());
  EXPECT_EQ(rsp->header("Expires"), "600");
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Not Ready (lunch), by PUBLISH", 1, kWait));
}

TEST_F(PresenceWire, RefreshAndModifyGetNewEntityTagsAndSpendTheOldOnes) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  const std::string first = publish_initial(*bob, "closed", "lunch");
  ASSERT_FALSE(first.empty());

  auto refreshed = bob->request(publish(*bob, first, ""));
  ASSERT_EQ(status_of(refreshed), 200) << refreshed->start_line;
  const std::string second = refreshed->header("SIP-ETag").value_or("");
  EXPECT_FALSE(second.empty());
  EXPECT_NE(second, first);
  EXPECT_EQ(status_of(bob->request(publish(*bob, first, ""))), 412);

  auto modified = bob->request(publish(*bob, second, "open"));
  ASSERT_EQ(status_of(modified), 200);
  EXPECT_NE(modified->header("SIP-ETag").value_or(second), second);
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Ready, by PUBLISH", 1, kWait));
}

TEST_F(PresenceWire, RemovalFallsBackToTheDefault) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  const std::string etag = publish_initial(*bob, "closed", "meeting");
  ASSERT_FALSE(etag.empty());
  auto removed = bob->request(publish(*bob, etag, "", {}, "0"));
  ASSERT_EQ(status_of(removed), 200);
  EXPECT_EQ(removed->header("Expires"), "0");
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Ready, by PUBLISH", 1, kWait));
  EXPECT_EQ(status_of(bob->request(publish(*bob, etag, ""))), 412);
}

TEST_F(PresenceWire, UnknownEntityTagIs412) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  EXPECT_EQ(status_of(bob->request(publish(*bob, "no-such-tag", ""))), 412);
  EXPECT_EQ(status_of(bob->request(publish(*bob, "no-such-tag", "open"))), 412);
}

TEST_F(PresenceWire, MissingOrForeignEventIs489WithAllowEvents) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  AgentRequest none = publish(*bob, "", "open");
  none.headers.erase(none.headers.begin());  // Event
  auto rsp = bob->request(none);
  ASSERT_EQ(status_of(rsp), 489);
  EXPECT_EQ(rsp->header("Allow-Events"), "presence");
  AgentRequest dialog = publish(*bob, "", "open");
  dialog.headers[0] = "Event: dialog";
  rsp = bob->request(dialog);
  ASSERT_EQ(status_of(rsp), 489);
  EXPECT_EQ(rsp->header("Allow-Events"), "presence");
}

TEST_F(PresenceWire, WrongContentTypeIs415WithAccept) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  AgentRequest r = publish(*bob, "", "open");
  r.content_type = "text/plain";
  auto rsp = bob->request(r);
  ASSERT_EQ(status_of(rsp), 415);
  EXPECT_EQ(rsp->header("Accept"), "application/pidf+xml");
}

TEST_F(PresenceWire, BriefExpiryIs423WithMinExpiresAndALongOneIsCutDown) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  auto brief = bob->request(publish(*bob, "", "open", {}, "10"));
  ASSERT_EQ(status_of(brief), 423);
  EXPECT_EQ(brief->header("Min-Expires"), "60");
  auto longer = bob->request(publish(*bob, "", "open", {}, "86400"));
  ASSERT_EQ(status_of(longer), 200);
  EXPECT_EQ(longer->header("Expires"), "3600");
}

TEST_F(PresenceWire, MalformedPidfIs400NamingTheFault) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  AgentRequest r = publish(*bob, "", "open");
  r.body =
      "<presence "
      "xmlns='urn:ietf:params:xml:ns:pidf'><tuple><status><basic>open";
  auto rsp = bob->request(r);
  ASSERT_EQ(status_of(rsp), 400);
  EXPECT_TRUE(names_the_fault(*rsp));
  r.body = "<!DOCTYPE x [<!ENTITY a 'b'>]><presence/>";
  rsp = bob->request(r);
  ASSERT_EQ(status_of(rsp), 400);
  EXPECT_TRUE(names_the_fault(*rsp));
}

TEST_F(PresenceWire, AnAgentPublishesOnlyItsOwnState) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = publish(*alice, "", "closed");
  r.uri = "sip:bob@127.0.0.1";
  EXPECT_EQ(status_of(alice->request(r)), 403);
  r = publish(*alice, "", "closed");
  r.from = "sip:bob@127.0.0.1";
  EXPECT_EQ(status_of(alice->request(r)), 403);
  auto leo = agent("leo");  // tasks: [voice]
  ASSERT_TRUE(leo);
  EXPECT_EQ(status_of(leo->request(publish(*leo, "", "open"))), 403);
}

TEST_F(PresenceWire, OptionsListsPublish) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  AgentRequest r;
  r.method = "OPTIONS";
  r.uri = "sip:127.0.0.1";
  auto rsp = bob->request(r);
  ASSERT_EQ(status_of(rsp), 200);
  EXPECT_NE(rsp->header("Allow").value_or("").find("PUBLISH"), std::string::npos);
}

TEST_F(PresenceWire, APublicationOutlivesAKilledSwitch) {
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  const std::string etag = publish_initial(*bob, "closed", "lunch");
  ASSERT_FALSE(etag.empty());
  // SIGKILL: the 200 went out after the commit, so nothing may be lost.
  kill_and_restart();
  EXPECT_TRUE(sw_->wait_for_log("agent bob: Not Ready (lunch), restored from the store", 1, kWait));
  auto again = agent("bob");
  ASSERT_TRUE(again);
  auto rsp = again->request(publish(*again, etag, ""));
  ASSERT_EQ(status_of(rsp), 200) << rsp->start_line;
  EXPECT_NE(rsp->header("SIP-ETag").value_or(etag), etag);
}

// ---- the client library ---------------------------------------------------------------------

// What an agent reports of its state. The library posts a state event before the completion of the
// PUBLISH that caused it, so once a completion is in, the events before it are too.
class StateLog final : public client::AgentEvents {
 public:
  void on_agent_state(const std::optional<client::AgentState>& state) override {
    std::lock_guard lock(mu_);
    states_.push_back(state);
    cv_.notify_all();
  }
  // Waits until n states were reported; the n-th (from 1).
  std::optional<std::optional<client::AgentState>> wait(std::size_t n, Millis timeout = kWait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return states_.size() >= n; })) return std::nullopt;
    return states_[n - 1];
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return states_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<client::AgentState>> states_;
};

class PresenceClient : public ClientFixture {
 protected:
  void TearDown() override {
    if (agent_) loop_.on_strand([&] { agent_.reset(); });
    ClientFixture::TearDown();
  }
  void make(const std::string& login) {
    client::AgentOptions o;
    o.server_host = switch_->udp().address;
    o.server_port = switch_->udp().port;
    o.login = login;
    o.password = "pw-" + login;
    auto created =
        loop_.on_strand([&] { return client::Agent::create(loop_.executor(), o, log_); });
    ASSERT_TRUE(created.ok()) << created.error().message;
    agent_ = std::move(created).value();
  }
  Result<client::AgentState> set(std::optional<std::string> not_ready_reason) {
    auto done = std::make_shared<std::promise<Result<client::AgentState>>>();
    auto future = done->get_future();
    loop_.on_strand([&] {
      auto cb = [done](Result<client::AgentState> r) { done->set_value(std::move(r)); };
      if (not_ready_reason) return agent_->set_not_ready(*not_ready_reason, cb);
      agent_->set_ready(cb);
    });
    if (future.wait_for(kWait) != std::future_status::ready)
      return Error{std::make_error_code(std::errc::timed_out), "no answer"};
    return future.get();
  }

  StateLog log_;
  std::unique_ptr<client::Agent> agent_;
};

TEST_F(PresenceClient, SetNotReadyThenReadyIsPublishedAndTracked) {
  start_switch();
  make("alice");
  EXPECT_FALSE(loop_.on_strand([&] { return agent_->agent_state(); }));
  auto r = set(std::string("lunch"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (client::AgentState{client::Presence::NotReady, "lunch"}));
  EXPECT_TRUE(switch_->wait_for_log("agent alice: Not Ready (lunch), by PUBLISH", 1, kWait));
  auto event = log_.wait(1);
  ASSERT_TRUE(event && *event);
  EXPECT_EQ(**event, *r);
  EXPECT_EQ(loop_.on_strand([&] { return agent_->agent_state(); }), *r);

  auto ready = set(std::nullopt);
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(ready->presence, client::Presence::Ready);
  EXPECT_TRUE(switch_->wait_for_log("agent alice: Ready, by PUBLISH", 1, kWait));
  ASSERT_TRUE(log_.wait(2));
  // The same state again tells the application nothing new.
  ASSERT_TRUE(set(std::nullopt).ok());
  EXPECT_EQ(log_.count(), 2u);
}

TEST_F(PresenceClient, ReasonWithMarkupArrivesIntact) {
  start_switch();
  make("bob");
  auto r = set(std::string("<lunch> & \"coffee\""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(
      switch_->wait_for_log("agent bob: Not Ready (<lunch> & \"coffee\"), by PUBLISH", 1, kWait));
}

TEST_F(PresenceClient, RefusalIsReported) {
  start_switch();
  make("leo");  // tasks: [voice]: no IM channel
  auto r = set(std::string("lunch"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("403"), std::string::npos) << r.error().message;
  EXPECT_FALSE(loop_.on_strand([&] { return agent_->agent_state(); }));
}

TEST_F(PresenceClient, PublicationIsRefreshedBeforeItExpires) {
  // The switch grants 2 s, so the library refreshes every second; the debug log shows each PUBLISH
  // that reaches the switch's core.
  const std::string config = sample_config_with(
      {{"level", "debug"}, {"publish_min_expires_s", "1"}, {"publish_max_expires_s", "2"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  make("carol");
  ASSERT_TRUE(set(std::string("training")).ok());
  // The initial publication took two PUBLISHes (407, then credentials); three refreshes follow
  // within 6 s, well past the 2 s the first one was granted.
  EXPECT_TRUE(switch_->wait_for_log("PUBLISH sip:carol@127.0.0.1 from", 5, 6s))
      << switch_->log_tail(20);
  // Each refresh named a live entity-tag (a lapsed one gets 412, which the switch logs).
  auto r = set(std::string("still training"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(
      switch_->wait_for_log("agent carol: Not Ready (still training), by PUBLISH", 1, kWait));
  EXPECT_EQ(switch_->log().find("PUBLISH by carol: refused"), std::string::npos)
      << switch_->log_tail(20);
  EXPECT_EQ(log_.count(),
            2u);  // training, still training: never lost in between
}

}  // namespace
}  // namespace ims::test
