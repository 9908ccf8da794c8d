// The client library's UA side on the wire, with this test playing the switch's B2BUA leg over
// a raw UDP socket: an INVITE with a plain text/plain body (what stock initiators send), 180
// and 200 with an SDP answer, ACK, a re-INVITE answered 488 with the session intact, a stamped
// in-dialog MESSAGE, BYE, and 481 for a request of an unknown dialog. No switch runs here.

#include <gtest/gtest.h>

#include "client/agent.hpp"
#include "client/bodies.hpp"
#include "tests/integration/client_harness.hpp"
#include "tests/integration/sip_client.hpp"

namespace ims::test {
namespace {

using client::SessionState;
using Kind = ClientEvent::Kind;

class ClientWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    peer_ = UdpClient::open(false, &error);
    ASSERT_TRUE(peer_) << error;
    client::AgentOptions o;
    o.server_host = "127.0.0.1";
    o.server_port = peer_->local_port();
    o.login = "bob";
    o.password = "pw-bob";
    auto created =
        loop_.on_strand([&] { return client::Agent::create(loop_.executor(), o, events_); });
    ASSERT_TRUE(created.ok()) << created.error().message;
    agent_ = std::move(*created);
    agent_at_.transport = "udp";
    agent_at_.address = "127.0.0.1";
    agent_at_.port = loop_.on_strand([&] { return agent_->local_endpoint().port; });
  }
  void TearDown() override {
    loop_.on_strand([&] { agent_.reset(); });
    loop_.stop();
  }

  // A request from the "switch" to the agent, within the dialog once `to_tag` is known.
  std::string request(const std::string& method, int cseq, const std::string& to_tag,
                      const std::vector<std::string>& headers = {},
                      const std::string& content_type = {}, const std::string& body = {},
                      const std::string& call_id = "leg-1") {
    std::string r = method + " sip:bob@" + agent_at_.hostport() + " SIP/2.0\r\n";
    r += "Via: SIP/2.0/UDP " + peer_->local_hostport() + ";branch=z9hG4bK-" + unique_token() +
         ";rport\r\n";
    r += "Max-Forwards: 70\r\n";
    r += "From: <sip:alice@127.0.0.1>;tag=sw-tag\r\n";
    r += "To: <sip:bob@127.0.0.1>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
    r += "Call-ID: " + call_id + "\r\n";
    r += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
    r += "Contact: <sip:b2bua@" + peer_->local_hostport() + ">\r\n";
    for (const auto& h : headers) r += h + "\r\n";
    if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
  }
  // The next final response whose CSeq names `method` (retransmitted 2xx of others skipped).
  std::optional<SipMessage> final_for(const std::string& method, Millis timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
      auto datagram = peer_->receive(left);
      if (!datagram) return std::nullopt;
      auto m = parse_sip(*datagram);
      if (!m || m->status < 200) continue;
      const std::string cseq = m->header("CSeq").value_or("");
      if (cseq.size() > method.size() && cseq.ends_with(" " + method)) return m;
    }
    return std::nullopt;
  }

  ClientLoop loop_;
  EventLog events_;
  std::unique_ptr<client::Agent> agent_;
  std::unique_ptr<UdpClient> peer_;
  Listener agent_at_;
};

TEST_F(ClientWireTest, RecipientLegSpeaksPlainSip) {
  ASSERT_TRUE(peer_->send_to(
      agent_at_, request("INVITE", 1, "", {"Imswitch-Stamp: 2026-12-03T08:15:02.123Z;seq=1"},
                         "text/plain", "Hello from a stock client")));
  auto in = events_.wait_invitation();
  ASSERT_TRUE(in);
  EXPECT_EQ(loop_.on_strand([&] { return in->first_text(); }), "Hello from a stock client");
  EXPECT_EQ(loop_.on_strand([&] { return in->peer(); }), "alice");
  ASSERT_TRUE(loop_.on_strand([&] { return in->accept(); }).ok());

  auto ok = final_for("INVITE");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200);
  EXPECT_EQ(ok->header("Content-Type").value_or(""), "application/sdp");
  EXPECT_EQ(ok->body.find("m="), std::string::npos);  // no media
  EXPECT_TRUE(ok->body.starts_with("v=0"));
  const std::string tag = ok->param("To", "tag").value_or("");
  ASSERT_FALSE(tag.empty());
  ASSERT_TRUE(peer_->send_to(agent_at_, request("ACK", 1, tag)));

  // A re-INVITE (voice consultation) is declined; the IM goes on.
  ASSERT_TRUE(peer_->send_to(agent_at_, request("INVITE", 2, tag, {}, "application/sdp",
                                                "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                                                "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")));
  auto declined = final_for("INVITE");
  ASSERT_TRUE(declined);
  EXPECT_EQ(declined->status, 488);
  ASSERT_TRUE(peer_->send_to(agent_at_, request("ACK", 2, tag)));
  EXPECT_EQ(loop_.on_strand([&] { return in->state(); }), SessionState::Connected);

  // A relayed, stamped MESSAGE joins the transcript after the first message.
  ASSERT_TRUE(peer_->send_to(
      agent_at_, request("MESSAGE", 3, tag, {"Imswitch-Stamp: 2026-12-03T08:15:04.500Z;seq=2"},
                         "text/plain;charset=utf-8", "second")));
  auto msg_ok = final_for("MESSAGE");
  ASSERT_TRUE(msg_ok);
  EXPECT_EQ(msg_ok->status, 200);
  ASSERT_TRUE(events_.wait_entries(in, 2));
  auto entries = loop_.on_strand([&] { return in->transcript().entries(); });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].text, "Hello from a stock client");
  EXPECT_EQ(entries[0].seq, 1u);
  EXPECT_EQ(entries[1].text, "second");
  EXPECT_EQ(entries[1].seq, 2u);
  EXPECT_EQ(entries[1].login, "alice");
  EXPECT_EQ(entries[1].direction, client::Direction::Received);
  EXPECT_EQ(client::format_utc_ms(entries[1].time), "2026-12-03T08:15:04.500Z");

  // §12.2.2: an older CSeq is refused with 500.
  ASSERT_TRUE(peer_->send_to(agent_at_, request("MESSAGE", 3, tag, {}, "text/plain", "stale")));
  auto old = final_for("MESSAGE");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 500);

  ASSERT_TRUE(peer_->send_to(agent_at_, request("BYE", 4, tag)));
  auto bye_ok = final_for("BYE");
  ASSERT_TRUE(bye_ok);
  EXPECT_EQ(bye_ok->status, 200);
  auto st = events_.wait_state(in, SessionState::Ended);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->reason, client::EndReason::RemoteEnded);
}

TEST_F(ClientWireTest, RequestsOfUnknownDialogsGet481) {
  ASSERT_TRUE(peer_->send_to(agent_at_, request("BYE", 5, "no-such-tag", {}, {}, {}, "unknown")));
  auto bye = final_for("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->status, 481);
  ASSERT_TRUE(peer_->send_to(
      agent_at_, request("MESSAGE", 6, "no-such-tag", {}, "text/plain", "lost", "unknown")));
  auto msg = final_for("MESSAGE");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->status, 481);
}

TEST_F(ClientWireTest, PagerBodiesTheAgentCannotShowAre415) {
  ASSERT_TRUE(
      peer_->send_to(agent_at_, request("MESSAGE", 1, "", {}, "image/png", "\x89PNG", "pager-1")));
  auto refused = final_for("MESSAGE");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 415);
  const std::string cpim =
      "From: <sip:alice@127.0.0.1>\r\nTo: <sip:bob@127.0.0.1>\r\n\r\n"
      "Content-Type: text/plain\r\n\r\nwrapped in cpim";
  ASSERT_TRUE(
      peer_->send_to(agent_at_, request("MESSAGE", 1, "", {}, "message/cpim", cpim, "pager-2")));
  auto taken = final_for("MESSAGE");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 200);
  auto got = events_.wait_kind(Kind::Pager);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pager.text, "wrapped in cpim");
  EXPECT_EQ(got->pager.from, "alice");
}

}  // namespace
}  // namespace ims::test
