// The registrar on the real binary (RFC 3261 §10.3, §22; RFC 7616; RFC 8760): digest challenges
// and logins with SHA-256 and MD5, replay and ownership checks, expiry bounds, un-registering,
// queries, several devices, and bindings that outlive a restart.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

class Registrar : public ::testing::Test {
 protected:
  void SetUp() override {
    sw_ = start_switch(im_switch_options());
    ASSERT_NE(sw_, nullptr);
  }
  void TearDown() override {
    if (sw_ && !HasFailure()) {
      EXPECT_TRUE(still_serving(*sw_));
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    if (sw_ && HasFailure()) ADD_FAILURE() << "switch log:\n" << sw_->log_tail(40);
  }

  std::unique_ptr<Agent> agent(const std::string& login, std::string transport = "udp",
                               Digest digest = Digest::Sha256) {
    return open_agent(sample_agent(login, std::move(transport), digest));
  }
  std::unique_ptr<Agent> open_agent(AgentOptions options) {
    std::string error;
    auto a = Agent::open(*sw_, std::move(options), &error);
    EXPECT_NE(a, nullptr) << error;
    return a;
  }
  // A REGISTER of a's contact sent exactly as given: no credentials unless in headers.
  static AgentRequest raw_register(const Agent& a, std::vector<std::string> headers = {}) {
    AgentRequest r;
    r.method = "REGISTER";
    r.uri = "sip:127.0.0.1";
    r.to = "<" + a.aor() + ">";
    r.headers = std::move(headers);
    r.headers.push_back("Contact: <" + a.contact_uri() + ">");
    r.headers.push_back("Expires: 600");
    r.authenticate = false;
    return r;
  }

  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Registrar, ChallengesWithSha256ThenMd5SharingOneNonce) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);

  auto rsp = alice->request(raw_register(*alice));

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 401) << rsp->start_line;
  EXPECT_EQ(rsp->all("WWW-Authenticate").size(), 2u);
  const auto challenges = challenges_of(*rsp);
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "Digest");
  EXPECT_EQ(challenges[0].algorithm, "SHA-256");
  EXPECT_EQ(challenges[1].algorithm, "MD5");
  EXPECT_FALSE(challenges[0].nonce.empty());
  EXPECT_EQ(challenges[0].nonce, challenges[1].nonce);
  for (const auto& c : challenges) {
    EXPECT_EQ(c.realm, "127.0.0.1");
    EXPECT_EQ(c.qop, "auth");
    EXPECT_FALSE(c.stale);
  }
}

// PRODUCT §2: Debian 12's baresip 1.0 gives up on any SHA-256 challenge and sipsak answers only
// the first; the default config's auth.md5_only_user_agents offers them a single MD5 one.
TEST_F(Registrar, ALegacyUserAgentIsOfferedASingleMd5Challenge) {
  auto alice = agent("alice", "udp", Digest::Md5);
  ASSERT_TRUE(alice);

  for (const std::string ua : {"baresip v1.0.0 (x86_64/linux)", "sipsak 0.9.8.1"}) {
    auto rsp = alice->request(raw_register(*alice, {"User-Agent: " + ua}));

    ASSERT_TRUE(rsp);
    EXPECT_EQ(rsp->status, 401) << rsp->start_line;
    const auto challenges = challenges_of(*rsp);
    ASSERT_EQ(challenges.size(), 1u) << ua;
    EXPECT_EQ(challenges[0].algorithm, "MD5") << ua;
  }
  // Any other client keeps SHA-256 first.
  auto rsp = alice->request(raw_register(*alice, {"User-Agent: linphone/5.2.0"}));
  ASSERT_TRUE(rsp);
  ASSERT_EQ(challenges_of(*rsp).size(), 2u);
  EXPECT_EQ(challenges_of(*rsp)[0].algorithm, "SHA-256");

  // And the single challenge is one it can answer.
  auto ok = alice->register_contact(600, {"User-Agent: baresip v1.0.0 (x86_64/linux)"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->start_line;
  EXPECT_NE(alice->last_sent().find("algorithm=MD5"), std::string::npos);
}

TEST_F(Registrar, Sha256LoginIsAnsweredWithTheBindingAndDate) {
  auto alice = agent("alice", "udp", Digest::Sha256);
  ASSERT_TRUE(alice);

  auto rsp = alice->register_contact(600);

  ASSERT_TRUE(rsp);
  ASSERT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_EQ(alice->challenges_seen(), 1);
  EXPECT_NE(alice->last_sent().find("algorithm=SHA-256"), std::string::npos);
  const auto expires = contact_expires(*rsp, alice->contact_uri());
  ASSERT_TRUE(expires) << "no Contact with expires for " << alice->contact_uri();
  EXPECT_GE(*expires, 590u);
  EXPECT_LE(*expires, 600u);
  const auto date = rsp->header("Date");
  ASSERT_TRUE(date);
  EXPECT_TRUE(is_rfc1123_date(*date)) << *date;
}

TEST_F(Registrar, Md5LoginIsAccepted) {
  auto bob = agent("bob", "udp", Digest::Md5);
  ASSERT_TRUE(bob);

  auto rsp = bob->register_contact(600);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_NE(bob->last_sent().find("algorithm=MD5"), std::string::npos);
  EXPECT_TRUE(contact_expires(*rsp, bob->contact_uri()));
}

// judy has no password in the file, only HA1s of "pw-judy" for realm 127.0.0.1.
TEST_F(Registrar, AgentWithStoredHa1sLogsInWithEitherAlgorithm) {
  auto judy_sha = agent("judy", "udp", Digest::Sha256);
  auto judy_md5 = agent("judy", "tcp", Digest::Md5);
  ASSERT_TRUE(judy_sha && judy_md5);

  auto sha = judy_sha->register_contact(600);
  auto md5 = judy_md5->register_contact(600);

  ASSERT_TRUE(sha && md5);
  EXPECT_EQ(sha->status, 200) << sha->start_line;
  EXPECT_EQ(md5->status, 200) << md5->start_line;
}

TEST_F(Registrar, WrongPasswordIsChallengedAgain) {
  AgentOptions o = sample_agent("alice");
  o.password = "not-pw-alice";
  auto mallory = open_agent(o);
  ASSERT_TRUE(mallory);

  auto rsp = mallory->register_contact(600);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 401) << rsp->start_line;
  EXPECT_EQ(mallory->challenges_seen(), 2);
  EXPECT_EQ(challenges_of(*rsp).size(), 2u);  // a fresh challenge, nothing more (§22.1)
}

TEST_F(Registrar, NonceCountMustIncrease) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  auto challenge = alice->request(raw_register(*alice));
  ASSERT_TRUE(challenge);
  ASSERT_EQ(challenge->status, 401);
  const auto c = challenges_of(*challenge).at(0);
  auto with_nc = [&](std::uint32_t nc, const std::string& cnonce) {
    return "Authorization: " + digest_credentials(Digest::Sha256, c, "alice", "pw-alice",
                                                  "REGISTER", "sip:127.0.0.1", nc, cnonce);
  };
  const std::string first = with_nc(1, "cnonce-a");

  auto nc1 = alice->request(raw_register(*alice, {first}));
  auto nc2 = alice->request(raw_register(*alice, {with_nc(2, "cnonce-b")}));
  auto replay = alice->request(raw_register(*alice, {first}));
  auto nc1_again = alice->request(raw_register(*alice, {with_nc(1, "cnonce-c")}));

  ASSERT_TRUE(nc1 && nc2 && replay && nc1_again);
  EXPECT_EQ(nc1->status, 200) << nc1->start_line;
  EXPECT_EQ(nc2->status, 200) << nc2->start_line;
  EXPECT_EQ(replay->status, 401) << "a replayed Authorization was accepted: "
                                 << replay->start_line;
  EXPECT_EQ(challenges_of(*replay).size(), 2u);
  EXPECT_EQ(nc1_again->status, 401) << nc1_again->start_line;
}

TEST_F(Registrar, RegisteringAnotherAgentsAddressIsForbidden) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  AgentRequest r;
  r.method = "REGISTER";
  r.uri = "sip:127.0.0.1";
  r.to = "<sip:bob@127.0.0.1>";
  r.from = "sip:bob@127.0.0.1";
  r.headers = {"Contact: <" + alice->contact_uri() + ">", "Expires: 600"};

  auto rsp = alice->request(r);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 403) << rsp->start_line;
  EXPECT_EQ(alice->challenges_seen(), 1);  // refused after authenticating, not before
}

TEST_F(Registrar, ForeignDomainIsNotServed) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = raw_register(*alice);
  r.uri = "sip:example.com";
  r.to = "<sip:alice@example.com>";

  auto rsp = alice->request(r);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 403) << rsp->start_line;
}

TEST_F(Registrar, ExpiresBelowMinimumIsTooBrief) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);

  auto rsp = alice->register_contact(30);

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 423) << rsp->start_line;
  EXPECT_EQ(rsp->header("Min-Expires").value_or(""), "60");
}

TEST_F(Registrar, ExpiresAboveMaximumIsShortened) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);

  auto rsp = alice->register_contact(86400);

  ASSERT_EQ(status_of(rsp), 200);
  const auto expires = contact_expires(*rsp, alice->contact_uri());
  ASSERT_TRUE(expires);
  EXPECT_LE(*expires, 3600u);  // registrar.max_expires_s
  EXPECT_GT(*expires, 3500u);
}

TEST_F(Registrar, DevicesBeyondTheAgentsLimitAreRefused) {
  std::vector<std::unique_ptr<Agent>> devices;
  for (int i = 0; i < 10; ++i) {  // registrar.max_contacts_per_agent
    devices.push_back(agent("dave"));
    ASSERT_TRUE(devices.back());
    ASSERT_EQ(status_of(devices.back()->register_contact(600)), 200) << "device " << i;
  }
  auto eleventh = agent("dave");
  ASSERT_TRUE(eleventh);

  auto rsp = eleventh->register_contact(600);
  auto refresh = devices.front()->register_contact(600);

  EXPECT_EQ(status_of(rsp), 403);
  EXPECT_EQ(status_of(refresh), 200) << "a known device may still refresh";
  ASSERT_TRUE(refresh);
  EXPECT_EQ(contact_values(*refresh).size(), 10u);
}

TEST_F(Registrar, UnregisterRemovesTheContact) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  auto on = alice->register_contact(600);
  ASSERT_TRUE(on);
  ASSERT_EQ(on->status, 200);
  ASSERT_TRUE(contact_expires(*on, alice->contact_uri()));

  auto off = alice->unregister();

  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200) << off->start_line;
  EXPECT_FALSE(contact_expires(*off, alice->contact_uri()));
  EXPECT_TRUE(contact_values(*off).empty());
}

TEST_F(Registrar, QueryListsTheBindingsWithoutAddingOne) {
  auto phone = agent("alice");
  auto laptop = agent("alice", "tcp");
  ASSERT_TRUE(phone && laptop);
  ASSERT_EQ(status_of(phone->register_contact(600)), 200);

  auto rsp = laptop->query();

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  EXPECT_TRUE(contact_expires(*rsp, phone->contact_uri()));
  EXPECT_FALSE(contact_expires(*rsp, laptop->contact_uri()));
  EXPECT_EQ(contact_values(*rsp).size(), 1u);
}

TEST_F(Registrar, TwoDevicesAreBothListed) {
  auto phone = agent("bob");
  auto laptop = agent("bob", "tcp");
  ASSERT_TRUE(phone && laptop);

  auto first = phone->register_contact(600);
  auto second = laptop->register_contact(900);
  auto listed = phone->query();

  ASSERT_TRUE(first && second && listed);
  EXPECT_EQ(second->status, 200) << second->start_line;
  for (const auto* rsp : {&*second, &*listed}) {
    EXPECT_EQ(contact_values(*rsp).size(), 2u);
    EXPECT_LE(contact_expires(*rsp, phone->contact_uri()).value_or(0), 600u);
    EXPECT_GT(contact_expires(*rsp, phone->contact_uri()).value_or(0), 0u);
    EXPECT_GT(contact_expires(*rsp, laptop->contact_uri()).value_or(0), 600u);
  }
}

TEST_F(Registrar, WildcardWithExpiresZeroRemovesEveryBinding) {
  auto phone = agent("carol");
  auto laptop = agent("carol", "tcp");
  ASSERT_TRUE(phone && laptop);
  ASSERT_EQ(status_of(phone->register_contact(600)), 200);
  ASSERT_EQ(status_of(laptop->register_contact(600)), 200);

  auto cleared = phone->unregister_all();
  auto listed = laptop->query();

  ASSERT_TRUE(cleared && listed);
  EXPECT_EQ(cleared->status, 200) << cleared->start_line;
  EXPECT_TRUE(contact_values(*cleared).empty());
  EXPECT_EQ(listed->status, 200);
  EXPECT_TRUE(contact_values(*listed).empty());
}

// A nonce is only good for the run that issued it (a fresh nonce secret per start).
TEST_F(Registrar, NonceFromAnEarlierRunIsNotAccepted) {
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  auto challenge = alice->request(raw_register(*alice));
  ASSERT_EQ(status_of(challenge), 401);
  const auto c = challenges_of(*challenge).at(0);
  const std::string credentials =
      "Authorization: " + digest_credentials(Digest::Sha256, c, "alice", "pw-alice", "REGISTER",
                                             "sip:127.0.0.1", 1, "cnonce-old");
  ASSERT_TRUE(exits_cleanly(*sw_));
  sw_ = start_switch(im_switch_options());
  ASSERT_TRUE(sw_);
  auto again = agent("alice");
  ASSERT_TRUE(again);

  auto old_nonce = again->request(raw_register(*again, {credentials}));
  auto fresh = again->register_contact(600);

  ASSERT_TRUE(old_nonce);
  EXPECT_EQ(old_nonce->status, 401) << old_nonce->start_line;
  EXPECT_EQ(status_of(fresh), 200);
}

TEST_F(Registrar, RegistrationSurvivesARestart) {
  ScratchDir dir("imswitch-reg-");
  ASSERT_FALSE(dir.path().empty());
  SwitchOptions options = im_switch_options();
  options.store = dir.path() + "/store.db";
  ASSERT_TRUE(exits_cleanly(*sw_));
  sw_ = start_switch(options);
  ASSERT_TRUE(sw_);
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  ASSERT_EQ(status_of(alice->register_contact(3600)), 200);
  const std::string contact = alice->contact_uri();

  ASSERT_TRUE(exits_cleanly(*sw_));
  sw_ = start_switch(options);
  ASSERT_TRUE(sw_);
  auto later = agent("alice");
  ASSERT_TRUE(later);
  auto rsp = later->query();

  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  const auto expires = contact_expires(*rsp, contact);
  ASSERT_TRUE(expires) << "binding of " << contact << " lost over a restart";
  EXPECT_GT(*expires, 3500u);
}

}  // namespace
}  // namespace ims::test
