#pragma once
// Calls to the switch's HTTP API as an agent (HTTP Digest with its SIP credentials, RFC 7616)
// or as the admin (Bearer token), and ApiTest: a fixture with the real switch on
// config/imswitch.yaml, an admin token and a store file of its own (kept across restart()),
// SessionPeer devices and IM sessions held step by step.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {

// Sends the request without credentials, answers the 401's SHA-256 (or MD5) challenge with
// login/password, and returns the answer to that; a first answer other than 401 is returned
// as it is.
inline std::optional<HttpReply> authed_request(HttpClient& c, std::string_view method,
                                               const std::string& target, std::string_view login,
                                               std::string_view password,
                                               std::string_view body = {},
                                               Digest digest = Digest::Sha256) {
  auto first = c.request(method, target, {}, body);
  if (!first || first->status != 401) return first;
  for (const auto& value : first->all("www-authenticate")) {
    auto ch = parse_challenge(value);
    if (!ch) continue;
    const bool sha = ch->algorithm == "SHA-256";
    if (sha != (digest == Digest::Sha256)) continue;
    const std::string credentials =
        digest_credentials(digest, *ch, login, password, method, target, 1, "0a4f113b");
    return c.request(method, target, {{"Authorization", credentials}}, body);
  }
  return first;
}

inline std::optional<HttpReply> authed_get(HttpClient& c, const std::string& target,
                                           std::string_view login, std::string_view password) {
  return authed_request(c, "GET", target, login, password);
}

inline std::optional<HttpReply> admin_request(HttpClient& c, std::string_view method,
                                              const std::string& target, std::string_view token,
                                              std::string_view body = {}) {
  return c.request(method, target, {{"Authorization", "Bearer " + std::string(token)}}, body);
}

// An answer of the API: its status and its body, parsed (discarded when it is not JSON).
struct ApiAnswer {
  unsigned status = 0;  // 0: no answer
  nlohmann::json body;
  std::string text;
};

inline ApiAnswer api_answer(const std::optional<HttpReply>& r) {
  ApiAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.text = r->body;
  a.body = nlohmann::json::parse(r->body, nullptr, false);
  return a;
}

class ApiTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kToken = "api-test-admin-token";
  static constexpr std::string_view kText = "text/plain;charset=UTF-8";

  void SetUp() override {
    const std::string yaml =
        imswitch_yaml_with({{"admin_token", "\"" + std::string(kToken) + "\""}});
    ASSERT_FALSE(yaml.empty());
    options_.config = dir_.write("imswitch.yaml", yaml);
    options_.store = dir_.path() + "/imswitch.db";
    start();
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  void start() {
    std::string error;
    sw_ = SwitchProcess::start(options_, &error);
    ASSERT_TRUE(sw_) << error;
    ASSERT_TRUE(sw_->http());
  }
  // Stops the switch cleanly and starts it again on the same store.
  void restart() {
    auto stopped = sw_->stop();
    EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.describe();
    start();
  }

  // A registered device of `login` (session-capable unless said otherwise).
  std::unique_ptr<SessionPeer> peer(const std::string& login, bool capable = true) {
    std::string error;
    auto p = SessionPeer::open(*sw_, login, &error);
    EXPECT_TRUE(p) << error;
    if (p) {
      EXPECT_EQ(p->register_device(capable), 200) << login;
    }
    return p;
  }
  // Every store write the switch queued so far is committed: a REGISTER's 200 waits for its
  // binding's commit, which comes after them.
  void barrier() {
    std::string error;
    auto p = SessionPeer::open(*sw_, "erin", &error);
    ASSERT_TRUE(p) << error;
    ASSERT_EQ(p->register_device(false), 200);
  }

  ApiAnswer as_agent(const std::string& login, std::string_view method, const std::string& target,
                     std::string_view body = {}) {
    HttpClient c(*sw_->http());
    return api_answer(authed_request(c, method, target, login, "pw-" + login, body));
  }
  ApiAnswer as_admin(std::string_view method, const std::string& target,
                     std::string_view body = {}) {
    HttpClient c(*sw_->http());
    return api_answer(admin_request(c, method, target, kToken, body));
  }

  // An IM session from `from` to `to`, connected: `to` accepts, both sides ACKed.
  struct Held {
    PeerDialog initiator;
    PeerDialog target;
  };
  std::optional<Held> connect(SessionPeer& from, SessionPeer& to, std::string_view content_type,
                              std::string_view body) {
    Held h;
    h.initiator = from.invite(to.login(), content_type, body);
    auto invite = to.next_request("INVITE");
    EXPECT_TRUE(invite) << sw_->log_tail(20);
    if (!invite) return std::nullopt;
    h.target = to.accept(*invite);
    auto ok = from.final(h.initiator);
    EXPECT_EQ(status_of(ok), 200) << sw_->log_tail(20);
    if (status_of(ok) != 200) return std::nullopt;
    from.ack(h.initiator, *ok);
    EXPECT_TRUE(to.next_request("ACK"));
    return h;
  }
  // A message within the session, from `from` (over dialog d) to `to`, answered 200 by `to`;
  // the switch's 200 to `from` means it is in the transcript.
  void say(SessionPeer& from, PeerDialog& d, SessionPeer& to, std::string_view text) {
    const auto m = from.send_in_dialog(d, "MESSAGE", kText, text);
    auto at = to.next_request("MESSAGE");
    ASSERT_TRUE(at);
    to.reply(*at, 200);
    ASSERT_EQ(status_of(from.response(d, m)), 200);
  }
  // `from` ends the session with a BYE, which `to` answers.
  void end(SessionPeer& from, PeerDialog& d, SessionPeer& to) {
    const auto bye = from.send_in_dialog(d, "BYE");
    auto at = to.next_request("BYE");
    ASSERT_TRUE(at);
    to.reply(*at, 200);
    EXPECT_EQ(status_of(from.response(d, bye)), 200);
  }

  ScratchDir dir_{"imswitch-api-"};
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

}  // namespace ims::test
