#include "switch/app/responder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/sip/parser.hpp"

namespace ims::sw::app {
namespace {

using sip::HeaderId;

// A request with the given method, Request-URI and extra header lines.
sip::Message request(std::string_view method, std::string_view uri = "sip:alice@switch.example",
                     std::string_view extra = {}, int max_forwards = 70) {
  std::string m = std::string(method) + " " + std::string(uri) + " SIP/2.0\r\n" +
                  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKresp\r\n" +
                  "Max-Forwards: " + std::to_string(max_forwards) + "\r\n" +
                  "From: <sip:bob@example.com>;tag=f1\r\n" + "To: <sip:alice@switch.example>\r\n" +
                  "Call-ID: resp-1\r\n" + "CSeq: 7 " + std::string(method) + "\r\n" +
                  std::string(extra) + "Content-Length: 0\r\n\r\n";
  auto r = sip::parse_datagram(m);
  EXPECT_TRUE(r.ok()) << m;
  return std::move(*r);
}

int status_of(const sip::Message& req) {
  if (req.fault && req.fault->status != 416) ADD_FAILURE() << "parser fault: " << req.fault->reason;
  auto rsp = respond(req, "tag1");
  return rsp ? rsp->status() : 0;
}

TEST(Responder, AnswersOptionsWithCapabilities) {
  auto rsp = respond(request("OPTIONS", "sip:127.0.0.1"), "tag1");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status(), 200);
  EXPECT_EQ(rsp->get(HeaderId::Allow), kAllow);
  EXPECT_EQ(rsp->get(HeaderId::Accept), kAccept);
  EXPECT_TRUE(rsp->find(HeaderId::Supported));
  EXPECT_EQ(rsp->get(HeaderId::AllowEvents), "presence") << "RFC 6665 §4.4.4";
  EXPECT_NE(kAllow.find("SUBSCRIBE"), std::string_view::npos);
  EXPECT_EQ(rsp->to_tag(), "tag1");
  EXPECT_EQ(rsp->call_id(), "resp-1");
}

TEST(Responder, AnswersOptionsToAUserToo) {
  EXPECT_EQ(status_of(request("OPTIONS", "sip:ping@127.0.0.1")), 200);
}

TEST(Responder, NeverAnswersAck) { EXPECT_FALSE(respond(request("ACK"), "t")); }

TEST(Responder, Answers404ToRequestsForUsers) {
  EXPECT_EQ(status_of(request("INVITE")), 404);
  EXPECT_EQ(status_of(request("MESSAGE")), 404);
  EXPECT_EQ(status_of(request("REGISTER", "sip:switch.example")), 404);
}

TEST(Responder, Answers405WithAllowForRecognisedMethodsItDoesNotSupport) {
  for (auto m : {"NOTIFY", "INFO", "UPDATE", "PRACK", "REFER"}) {
    auto rsp = respond(request(m), "t");
    ASSERT_TRUE(rsp) << m;
    EXPECT_EQ(rsp->status(), 405) << m;
    EXPECT_EQ(rsp->get(HeaderId::Allow), kAllow) << m;
  }
}

TEST(Responder, Answers501ToUnknownMethods) {
  EXPECT_EQ(status_of(request("FOOBAR")), 501);
  EXPECT_EQ(status_of(request("invite")), 501);  // methods are case-sensitive (§7.1)
}

TEST(Responder, Answers416ToUnsupportedUriSchemes) {
  // The parser already marks it (the stack then answers statelessly); the responder agrees.
  auto req = request("MESSAGE", "mailto:alice@example.com");
  EXPECT_EQ(status_of(req), 416);
}

TEST(Responder, Answers420ListingUnsupportedRequireTags) {
  auto rsp = respond(request("OPTIONS", "sip:127.0.0.1", "Require: 100rel, foo\r\n"), "t");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status(), 420);
  EXPECT_EQ(rsp->get(HeaderId::Unsupported), "100rel, foo");
}

TEST(Responder, ChecksProxyRequireToo) {
  auto rsp = respond(request("MESSAGE", "sip:alice@switch.example", "Proxy-Require: sec-agree\r\n"), "t");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status(), 420);
  EXPECT_EQ(rsp->get(HeaderId::Unsupported), "sec-agree");
}

TEST(Responder, IgnoresRequireOnCancel) {
  // §8.2.2.3: Require is not honoured on CANCEL; an unmatched CANCEL is 481 (§9.2).
  EXPECT_EQ(status_of(request("CANCEL", "sip:alice@switch.example", "Require: foo\r\n")), 481);
}

TEST(Responder, Answers483WhenMaxForwardsIsZero) {
  EXPECT_EQ(status_of(request("MESSAGE", "sip:alice@switch.example", {}, 0)), 483);
  EXPECT_EQ(status_of(request("OPTIONS", "sip:127.0.0.1", {}, 0)), 200);  // §11: OPTIONS answered
}

TEST(Responder, Answers481ToRequestsInsideUnknownDialogs) {
  EXPECT_EQ(status_of(request("BYE")), 481);
  std::string wire = "MESSAGE sip:alice@switch.example SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKd\r\nMax-Forwards: 70\r\n"
                     "From: <sip:bob@example.com>;tag=f\r\nTo: <sip:alice@switch.example>;tag=old\r\n"
                     "Call-ID: d\r\nCSeq: 2 MESSAGE\r\nContent-Length: 0\r\n\r\n";
  auto req = sip::parse_datagram(wire);
  ASSERT_TRUE(req.ok());
  auto rsp = respond(*req, "new");
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status(), 481);
  EXPECT_EQ(rsp->to_tag(), "old");  // the request's To tag is kept
}

}  // namespace
}  // namespace ims::sw::app
