#include "common/sip/builders.hpp"

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "tests/unit/common/sip/wire.hpp"

namespace ims::sip {
namespace {

using test::Wire;

Message invite() {
  Wire w;
  w.start = "INVITE sip:bob@biloxi.example.com SIP/2.0";
  w.headers = {
      "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP "
      "pc33.example.com;branch=z9hG4bKc1;rport=5060;received=192.0.2.4",
      "Max-Forwards: 69",
      "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
      "To: Bob <sip:bob@biloxi.example.com>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
      "Call-ID: a84b4c76e66710",
      "CSeq: 314159 INVITE",
      "Timestamp: 54",
      "Contact: <sip:alice@pc33.example.com>",
      "Content-Length: 0",
  };
  auto r = parse_datagram(w.str());
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r->fault.has_value());
  return std::move(r).value();
}

// ---- make_response (RFC 3261 §8.2.6)

TEST(MakeResponse, CopiesViasFromToCallIdCSeqAndTimestamp) {
  const Message req = invite();
  const Message rsp = make_response(req, 486, {}, "as83kd");
  EXPECT_TRUE(rsp.is_response());
  EXPECT_EQ(rsp.status(), 486);
  EXPECT_EQ(rsp.reason(), "Busy Here");
  EXPECT_EQ(rsp.values(HeaderId::Via), req.values(HeaderId::Via));  // all, in order
  EXPECT_EQ(rsp.get(HeaderId::From), req.get(HeaderId::From));
  EXPECT_EQ(rsp.call_id(), "a84b4c76e66710");
  EXPECT_EQ(rsp.get(HeaderId::CSeq), "314159 INVITE");
  EXPECT_EQ(rsp.get(HeaderId::Timestamp), "54");
  EXPECT_EQ(rsp.method(), Method::Invite);
}

TEST(MakeResponse, AddsTheToTag) {
  const Message rsp = make_response(invite(), 200, {}, "as83kd");
  EXPECT_EQ(rsp.get(HeaderId::To), "Bob <sip:bob@biloxi.example.com>;tag=as83kd");
  EXPECT_EQ(rsp.to_tag(), "as83kd");
}

TEST(MakeResponse, NeverTagsA100) {
  // §8.2.6.1.
  const Message rsp = make_response(invite(), 100, {}, "as83kd");
  EXPECT_EQ(rsp.to_tag(), "");
  EXPECT_EQ(rsp.reason(), "Trying");
}

TEST(MakeResponse, KeepsAnExistingToTag) {
  Message req = invite();
  req.set(HeaderId::To, "<sip:bob@biloxi.example.com>;tag=existing");
  const Message rsp = make_response(req, 200, {}, "new");
  EXPECT_EQ(rsp.to_tag(), "existing");
  EXPECT_EQ(rsp.get(HeaderId::To), "<sip:bob@biloxi.example.com>;tag=existing");
}

TEST(MakeResponse, WithoutATagArgumentToIsCopied) {
  const Message rsp = make_response(invite(), 404);
  EXPECT_EQ(rsp.get(HeaderId::To), "Bob <sip:bob@biloxi.example.com>");
}

TEST(MakeResponse, CustomReasonAndNoOtherHeaders) {
  const Message rsp = make_response(invite(), 400, "Missing Call-ID");
  EXPECT_EQ(rsp.reason(), "Missing Call-ID");
  EXPECT_FALSE(rsp.find(HeaderId::Contact).has_value());
  EXPECT_FALSE(rsp.find(HeaderId::Route).has_value());
  EXPECT_FALSE(rsp.find(HeaderId::MaxForwards).has_value());
  const std::string s = rsp.serialize();
  EXPECT_EQ(s.substr(0, 30), "SIP/2.0 400 Missing Call-ID\r\nV");
  EXPECT_NE(s.find("Content-Length: 0\r\n\r\n"), std::string::npos);
}

TEST(MakeResponse, ToAFaultyRequestWithoutHeaders) {
  const Message req = Message::request(Method::Options, "sip:x");
  const Message rsp = make_response(req, 400, "Bad Request");
  EXPECT_EQ(rsp.fields().size(), 0u);
}

TEST(MakeResponse, ParsesBackCleanly) {
  const std::string wire = make_response(invite(), 180, {}, "t1").serialize();
  auto r = parse_datagram(wire);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fault.has_value());
  EXPECT_EQ(r->to_tag(), "t1");
}

// ---- make_ack_for_non2xx (RFC 3261 §17.1.1.3)

TEST(MakeAck, FollowsSection17113) {
  const Message req = invite();
  const Message rsp = make_response(req, 486, {}, "as83kd");
  const Message ack = make_ack_for_non2xx(req, rsp);
  EXPECT_EQ(ack.method(), Method::Ack);
  EXPECT_EQ(ack.request_uri(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(ack.values(HeaderId::Via),
            (std::vector<std::string_view>{"SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1"}));
  EXPECT_EQ(ack.values(HeaderId::Route), req.values(HeaderId::Route));
  EXPECT_EQ(ack.get(HeaderId::From), req.get(HeaderId::From));
  EXPECT_EQ(ack.to_tag(), "as83kd");
  EXPECT_EQ(ack.call_id(), req.call_id());
  EXPECT_EQ(ack.get(HeaderId::CSeq), "314159 ACK");
  EXPECT_EQ(ack.max_forwards(), 70);
  EXPECT_FALSE(ack.find(HeaderId::Contact).has_value());
  auto back = parse_datagram(ack.serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->fault.has_value());
}

// ---- make_cancel (RFC 3261 §9.1)

TEST(MakeCancel, FollowsSection91) {
  const Message req = invite();
  const Message cancel = make_cancel(req);
  EXPECT_EQ(cancel.method(), Method::Cancel);
  EXPECT_EQ(cancel.request_uri(), req.request_uri());
  EXPECT_EQ(cancel.count(HeaderId::Via), 1u);
  EXPECT_EQ(cancel.branch(), "z9hG4bKp1");
  EXPECT_EQ(cancel.values(HeaderId::Route), req.values(HeaderId::Route));
  EXPECT_EQ(cancel.get(HeaderId::To), "Bob <sip:bob@biloxi.example.com>");  // no new tag
  EXPECT_EQ(cancel.get(HeaderId::From), req.get(HeaderId::From));
  EXPECT_EQ(cancel.call_id(), req.call_id());
  EXPECT_EQ(cancel.get(HeaderId::CSeq), "314159 CANCEL");
  EXPECT_EQ(cancel.max_forwards(), 70);
  EXPECT_FALSE(cancel.find(HeaderId::Timestamp).has_value());
  auto back = parse_datagram(cancel.serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->fault.has_value());
}

}  // namespace
}  // namespace ims::sip
