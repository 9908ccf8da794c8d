// RFC 3261 §12: dialog creation on both sides, in-dialog requests, the ACK of a 2xx, CSeq order and
// target refresh.

#include "common/dialog/dialog.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/sip/parser.hpp"

namespace ims::dialog {
namespace {

sip::Message parse(const std::string& text) {
  auto m = sip::parse_datagram(text);
  EXPECT_TRUE(m.ok()) << text;
  return std::move(m).value();
}

const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=at1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c1@192.0.2.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.1:5060>\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string k200 =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=at1\r\n"
    "To: <sip:bob@example.com>;tag=bt9\r\n"
    "Call-ID: c1@192.0.2.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.9:5070;transport=tcp>\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "Content-Length: 0\r\n\r\n";

TEST(Dialog, UacTakesIdTargetAndReversedRouteSetFromThe2xx) {
  auto d = Dialog::from_uac(parse(kInvite), parse(k200));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id(), (DialogId{"c1@192.0.2.1", "at1", "bt9"}));
  EXPECT_EQ(d->remote_target(), "sip:bob@192.0.2.9:5070;transport=tcp");
  ASSERT_EQ(d->route_set().size(), 2u);
  EXPECT_EQ(d->route_set()[0], "<sip:p1.example.com;lr>");
  EXPECT_EQ(d->route_set()[1], "<sip:p2.example.com;lr>");
  EXPECT_EQ(d->local_seq(), 7u);
  EXPECT_FALSE(d->remote_seq());
}

TEST(Dialog, UacRequestCarriesTagsRoutesAndNextCSeq) {
  auto d = Dialog::from_uac(parse(kInvite), parse(k200));
  ASSERT_TRUE(d.ok());
  auto bye = d->make_request(sip::Method::Bye);
  EXPECT_EQ(bye.request_uri(), "sip:bob@192.0.2.9:5070;transport=tcp");
  EXPECT_EQ(bye.from_tag(), "at1");
  EXPECT_EQ(bye.to_tag(), "bt9");
  EXPECT_EQ(bye.call_id(), "c1@192.0.2.1");
  ASSERT_TRUE(bye.cseq());
  EXPECT_EQ(bye.cseq()->number, 8u);
  EXPECT_EQ(bye.cseq()->method, sip::Method::Bye);
  EXPECT_EQ(bye.values(sip::HeaderId::Route).size(), 2u);
  EXPECT_EQ(bye.get(sip::HeaderId::Route), "<sip:p1.example.com;lr>");
  EXPECT_EQ(bye.from()->display_name, "\"Alice\"");
  EXPECT_EQ(d->make_request(sip::Method::Message).cseq()->number, 9u);
  EXPECT_EQ(d->local_seq(), 9u);
}

TEST(Dialog, AckOfA2xxKeepsTheInviteCSeqNumberAndDoesNotAdvance) {
  auto d = Dialog::from_uac(parse(kInvite), parse(k200));
  ASSERT_TRUE(d.ok());
  auto ack = d->make_ack(7);
  EXPECT_EQ(ack.method(), sip::Method::Ack);
  EXPECT_EQ(ack.cseq()->number, 7u);
  EXPECT_EQ(ack.cseq()->method, sip::Method::Ack);
  EXPECT_EQ(ack.to_tag(), "bt9");
  EXPECT_EQ(d->local_seq(), 7u);
}

TEST(Dialog, UacRefusesAResponseWithoutToTagOrContact) {
  std::string no_tag = k200;
  no_tag.replace(no_tag.find(";tag=bt9"), 8, "");
  auto a = Dialog::from_uac(parse(kInvite), parse(no_tag));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, make_error_code(DialogErrc::MissingTag));
  std::string no_contact = k200;
  no_contact.replace(no_contact.find("Contact: <sip:bob@192.0.2.9:5070;transport=tcp>\r\n"),
                     std::string("Contact: <sip:bob@192.0.2.9:5070;transport=tcp>\r\n").size(), "");
  auto b = Dialog::from_uac(parse(kInvite), parse(no_contact));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, make_error_code(DialogErrc::BadContact));
}

TEST(Dialog, UasSwapsTheSidesAndKeepsRouteOrder) {
  auto d = Dialog::from_uas(parse(kInvite), "bt9", "<sip:bob@192.0.2.9:5070>");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id(), (DialogId{"c1@192.0.2.1", "bt9", "at1"}));
  EXPECT_EQ(d->remote_target(), "sip:alice@192.0.2.1:5060");
  EXPECT_EQ(d->route_set()[0], "<sip:p2.example.com;lr>");
  EXPECT_EQ(d->remote_seq(), 7u);
  auto bye = d->make_request(sip::Method::Bye);
  EXPECT_EQ(bye.from_tag(), "bt9");
  EXPECT_EQ(bye.to_tag(), "at1");
  EXPECT_EQ(bye.from()->uri, "sip:bob@example.com");
  EXPECT_EQ(bye.to()->uri, "sip:alice@example.com");
  EXPECT_EQ(bye.get(sip::HeaderId::Contact), "<sip:bob@192.0.2.9:5070>");
  EXPECT_EQ(bye.cseq()->number, 1u);
}

TEST(Dialog, StrictRouterFirstPutsItsUriInTheRequestLine) {
  std::string strict = kInvite;
  strict.replace(strict.find("<sip:p2.example.com;lr>"), 23, "<sip:p2.example.com>");
  auto d = Dialog::from_uas(parse(strict), "bt9", "<sip:bob@192.0.2.9>");
  ASSERT_TRUE(d.ok());
  auto m = d->make_request(sip::Method::Message);
  EXPECT_EQ(m.request_uri(), "sip:p2.example.com");
  auto routes = m.values(sip::HeaderId::Route);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0], "<sip:p1.example.com;lr>");
  EXPECT_EQ(routes[1], "<sip:alice@192.0.2.1:5060>");
}

sip::Message in_dialog(std::uint32_t cseq, std::string_view method, std::string_view contact = {}) {
  std::string m(method);
  std::string text = m +
                     " sip:bob@192.0.2.9:5070 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx" +
                     std::to_string(cseq) +
                     "\r\n"
                     "From: <sip:alice@example.com>;tag=at1\r\n"
                     "To: <sip:bob@example.com>;tag=bt9\r\n"
                     "Call-ID: c1@192.0.2.1\r\n"
                     "CSeq: " +
                     std::to_string(cseq) + " " + m + "\r\n";
  if (!contact.empty()) text += "Contact: " + std::string(contact) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return parse(text);
}

TEST(Dialog, RequestsMustComeInCSeqOrder) {
  auto d = Dialog::from_uas(parse(kInvite), "bt9", "<sip:bob@192.0.2.9>");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->on_request(in_dialog(8, "MESSAGE")));
  EXPECT_FALSE(d->on_request(in_dialog(10, "MESSAGE")));  // gaps are allowed
  auto old = d->on_request(in_dialog(9, "MESSAGE"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 500);
  EXPECT_TRUE(d->on_request(in_dialog(10, "BYE")));
  EXPECT_FALSE(d->on_request(in_dialog(7, "ACK")));  // an ACK repeats the INVITE's number
  EXPECT_EQ(d->remote_seq(), 10u);
}

TEST(Dialog, ReInviteWithContactRefreshesTheTarget) {
  auto d = Dialog::from_uas(parse(kInvite), "bt9", "<sip:bob@192.0.2.9>");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->on_request(in_dialog(8, "MESSAGE", "<sip:alice@198.51.100.4>")));
  EXPECT_EQ(d->remote_target(),
            "sip:alice@192.0.2.1:5060");  // MESSAGE is no target refresh
  EXPECT_FALSE(d->on_request(in_dialog(9, "INVITE", "<sip:alice@198.51.100.4>")));
  EXPECT_EQ(d->remote_target(), "sip:alice@198.51.100.4");
}

TEST(Dialog, ASubscribeRefreshMovesTheTargetToo) {
  auto d = Dialog::from_uas(parse(kInvite), "bt9", "<sip:bob@192.0.2.9>");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->on_request(in_dialog(8, "SUBSCRIBE", "<sip:alice@198.51.100.7>")));
  EXPECT_EQ(d->remote_target(), "sip:alice@198.51.100.7");
}

TEST(Dialog, IdsOfReceivedMessagesSeeTheReceiversSide) {
  auto req = in_dialog(8, "MESSAGE");
  EXPECT_EQ(id_of_received_request(req), (DialogId{"c1@192.0.2.1", "bt9", "at1"}));
  EXPECT_EQ(id_of_received_response(parse(k200)), (DialogId{"c1@192.0.2.1", "at1", "bt9"}));
  EXPECT_FALSE(id_of_received_request(parse(kInvite)));
  DialogIdHash h;
  EXPECT_EQ(h(DialogId{"a", "b", "c"}), h(DialogId{"a", "b", "c"}));
  EXPECT_NE(h(DialogId{"a", "b", "c"}), h(DialogId{"a", "c", "b"}));
}

}  // namespace
}  // namespace ims::dialog
