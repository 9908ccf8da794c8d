#include "switch/registrar/contact.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/sip/parser.hpp"
#include "register_fixture.hpp"

namespace ims::sw::registrar {
namespace {

using test::Reg;
using test::reg;

RegisterRequest ok(const Reg& r) {
  auto p = r.parse();
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? *p : RegisterRequest{};
}

std::string fails(const Reg& r, int status) {
  auto p = r.parse();
  EXPECT_FALSE(p.ok());
  if (p.ok()) return "";
  EXPECT_EQ(status_for(p.error().code), status);
  return p.error().message;
}

TEST(ParseRegister, NoContactIsAQuery) {
  const auto r = ok(Reg{});
  EXPECT_FALSE(r.wildcard);
  EXPECT_TRUE(r.contacts.empty());
  EXPECT_EQ(r.call_id, "reg-1@client.example.com");
  EXPECT_EQ(r.cseq, 1u);
  EXPECT_FALSE(r.expires_header);
}

TEST(ParseRegister, ReadsUriDisplayNameAndParams) {
  const auto r =
      ok(reg({"\"Alice W\" <sip:alice@192.0.2.10:5060;transport=tcp>"
              ";q=0.5;+imswitch.session;x-foo=\"a;b\""}));
  ASSERT_EQ(r.contacts.size(), 1u);
  const auto& c = r.contacts[0];
  EXPECT_EQ(c.uri, "sip:alice@192.0.2.10:5060;transport=tcp");
  EXPECT_EQ(c.display_name, "\"Alice W\"");
  EXPECT_EQ(c.params, ";q=0.5;+imswitch.session;x-foo=\"a;b\"");
  EXPECT_EQ(c.q_millis, 500);
  EXPECT_TRUE(c.session_capable);
  EXPECT_FALSE(c.expires);
}

TEST(ParseRegister, AddrSpecWithoutBrackets) {
  const auto r = ok(reg({"sip:alice@192.0.2.10;expires=60"}));
  ASSERT_EQ(r.contacts.size(), 1u);
  EXPECT_EQ(r.contacts[0].uri, "sip:alice@192.0.2.10");
  EXPECT_EQ(r.contacts[0].expires, 60u);
  EXPECT_EQ(r.contacts[0].params, "");
}

TEST(ParseRegister, ExpiresParamIsReadAndNotKept) {
  const auto r = ok(reg({"<sip:a@h>;q=0.7;EXPIRES=120;+imswitch.session"}));
  EXPECT_EQ(r.contacts[0].expires, 120u);
  EXPECT_EQ(r.contacts[0].params, ";q=0.7;+imswitch.session");
}

TEST(ParseRegister, ReadsExpiresHeader) {
  EXPECT_EQ(ok(reg({}, "300")).expires_header, 300u);
  EXPECT_EQ(ok(reg({}, "0")).expires_header, 0u);
}

TEST(ParseRegister, MalformedExpiresCountsAsAnHour) {
  EXPECT_EQ(ok(reg({}, "soon")).expires_header, kMalformedExpires);
  EXPECT_EQ(ok(reg({}, "-5")).expires_header, kMalformedExpires);
  EXPECT_EQ(ok(reg({"<sip:a@h>;expires=tomorrow"})).contacts[0].expires, kMalformedExpires);
  EXPECT_EQ(ok(reg({"<sip:a@h>;expires"})).contacts[0].expires, kMalformedExpires);
}

TEST(ParseRegister, HugeExpiresSaturates) {
  EXPECT_EQ(ok(reg({}, "99999999999999999999999999")).expires_header, 0xffffffffu);
}

TEST(ParseRegister, WildcardWithExpiresZero) {
  const auto r = ok(reg({"*"}, "0"));
  EXPECT_TRUE(r.wildcard);
  EXPECT_TRUE(r.contacts.empty());
}

TEST(ParseRegister, WildcardNeedsExpiresHeader) {
  EXPECT_EQ(fails(reg({"*"}), 400), "Invalid Wildcard Contact");
}

TEST(ParseRegister, WildcardNeedsZeroExpires) {
  EXPECT_EQ(fails(reg({"*"}, "60"), 400), "Invalid Wildcard Contact");
}

TEST(ParseRegister, WildcardMustBeAlone) {
  EXPECT_EQ(fails(reg({"*", "<sip:a@h>"}, "0"), 400), "Invalid Wildcard Contact");
  EXPECT_EQ(fails(reg({"<sip:a@h>", "*"}, "0"), 400), "Invalid Wildcard Contact");
  EXPECT_EQ(fails(reg({"*", "*"}, "0"), 400), "Invalid Wildcard Contact");
}

TEST(ParseRegister, ValidQValues) {
  const std::pair<const char*, int> cases[] = {
      {"0", 0},     {"0.", 0},   {"0.5", 500}, {"0.25", 250}, {"0.125", 125},
      {"0.001", 1}, {"1", 1000}, {"1.", 1000}, {"1.0", 1000}, {"1.000", 1000}};
  for (const auto& [text, millis] : cases) {
    EXPECT_EQ(parse_qvalue(text), millis) << text;
    EXPECT_EQ(ok(reg({std::string("<sip:a@h>;q=") + text})).contacts[0].q_millis, millis) << text;
  }
}

TEST(ParseRegister, InvalidQValueIs400) {
  for (const char* text :
       {"2", "1.5", "1.001", "0.1234", "-0.5", ".5", "0.5.5", "00.5", "1.0000", "abc", "0.5x"}) {
    EXPECT_FALSE(parse_qvalue(text)) << text;
    EXPECT_EQ(fails(reg({std::string("<sip:a@h>;q=") + text}), 400), "Invalid q-value") << text;
  }
  EXPECT_EQ(fails(reg({"<sip:a@h>;q"}), 400), "Invalid q-value");
}

TEST(ParseRegister, QDefaultsToOne) {
  EXPECT_EQ(ok(reg({"<sip:a@h>"})).contacts[0].q_millis, 1000);
}

TEST(ParseRegister, SessionFeatureTag) {
  EXPECT_TRUE(ok(reg({"<sip:a@h>;+imswitch.session"})).contacts[0].session_capable);
  EXPECT_TRUE(ok(reg({"<sip:a@h>;+IMSwitch.Session=\"TRUE\""})).contacts[0].session_capable);
  EXPECT_FALSE(ok(reg({"<sip:a@h>;+imswitch.session=\"FALSE\""})).contacts[0].session_capable);
  EXPECT_FALSE(ok(reg({"<sip:a@h>"})).contacts[0].session_capable);
  EXPECT_FALSE(ok(reg({"<sip:a@h;+imswitch.session>"})).contacts[0].session_capable)
      << "a URI parameter is not a feature tag";
}

TEST(ParseRegister, InstanceIsUnquoted) {
  const auto r =
      ok(reg({"<sip:a@h>;+sip.instance=\"<urn:uuid:00000000-0000-1000-"
              "8000-000A95A0E128>\";reg-id=1"}));
  EXPECT_EQ(r.contacts[0].instance, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
  EXPECT_EQ(r.contacts[0].reg_id, 1u);
}

TEST(ParseRegister, InstanceWithoutValueIs400) {
  EXPECT_EQ(fails(reg({"<sip:a@h>;+sip.instance"}), 400), "Bad +sip.instance");
  EXPECT_EQ(fails(reg({"<sip:a@h>;+sip.instance=\"\""}), 400), "Bad +sip.instance");
}

TEST(ParseRegister, BadRegIdIs400) {
  for (const char* v : {"0", "x", "2147483648", "-1"})
    EXPECT_EQ(fails(reg({std::string("<sip:a@h>;reg-id=") + v}), 400), "Bad reg-id");
}

TEST(ParseRegister, OnlySipAndSipsContacts) {
  EXPECT_TRUE(reg({"<sips:a@h>"}).parse().ok());
  EXPECT_EQ(fails(reg({"<tel:+15551234>"}), 400), "Unsupported Contact URI Scheme");
  EXPECT_EQ(fails(reg({"<mailto:a@example.com>"}), 400), "Unsupported Contact URI Scheme");
}

TEST(ParseRegister, GarbageContactIs400) {
  const std::string cases[] = {
      "<",
      "<sip:a@h",
      "sip:a@h>",
      "\"unterminated <sip:a@h>",
      "<sip:a@h> junk",
      "<sip:a@h>;;",
      "<sip:a@h>;=x",
      "<sip:a b@h>",
      "<sip:%zz@h>",
      "<sip:a@[::1>",
      "<>",
      "<sip:>",
      "**",
      "* ;expires=0",
      std::string("\x01\x02\x7f", 3),
      std::string(1, '\0'),
      "<sip:a@h>" + std::string(1, '\0'),
  };
  for (const auto& c : cases) {
    const auto p = reg({c}, "0").parse();
    ASSERT_FALSE(p.ok()) << c;
    EXPECT_EQ(status_for(p.error().code), 400) << c;
  }
}

TEST(ParseRegister, VeryLongContactIsParsedNotTruncated) {
  const std::string user(20000, 'a');
  const auto r = ok(reg({"<sip:" + user + "@h>"}));
  EXPECT_EQ(r.contacts[0].uri.size(), user.size() + 6);
}

TEST(ParseRegister, TooManyContactsIs403) {
  Reg r;
  for (int i = 0; i < 1000; ++i) r.contacts.push_back("<sip:d" + std::to_string(i) + "@h>");
  EXPECT_EQ(fails(r, 403), "Too Many Contacts");
  r.contacts.resize(kMaxContactsPerRequest);
  EXPECT_TRUE(r.parse().ok());
}

TEST(ParseRegister, CommaJoinedValueIsSplit) {
  const auto r = ok(reg({"\"B, C\" <sip:b@h>, <sip:c@h>;q=0.1"}));
  ASSERT_EQ(r.contacts.size(), 2u);
  EXPECT_EQ(r.contacts[0].uri, "sip:b@h");
  EXPECT_EQ(r.contacts[1].q_millis, 100);
}

TEST(ParseRegister, FromTheWire) {
  const std::string wire =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK-1\r\n"
      "Max-Forwards: 70\r\n"
      "To: <sip:bob@example.com>\r\n"
      "From: <sip:bob@example.com>;tag=x\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 7 REGISTER\r\n"
      "m: <sip:bob@192.0.2.2;transport=tcp>;expires=30, \"Bob\" <sip:bob@pc>;q=0.2\r\n"
      "Expires: 600\r\n"
      "Content-Length: 0\r\n\r\n";
  auto msg = sip::parse_datagram(wire);
  ASSERT_TRUE(msg.ok());
  auto r = parse_register(*msg);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->cseq, 7u);
  EXPECT_EQ(r->expires_header, 600u);
  ASSERT_EQ(r->contacts.size(), 2u);
  EXPECT_EQ(r->contacts[0].expires, 30u);
  EXPECT_EQ(r->contacts[1].display_name, "\"Bob\"");
}

TEST(ParseRegister, MissingCallIdOrCSeqIs400) {
  auto m = sip::Message::request(sip::Method::Register, "sip:example.com");
  EXPECT_EQ(parse_register(m).error().message, "Missing Call-ID");
  m.add(sip::HeaderId::CallId, "c");
  EXPECT_EQ(parse_register(m).error().message, "Bad CSeq");
}

TEST(ParseRegister, StripParamKeepsTextWhenAbsent) {
  EXPECT_EQ(strip_param("; q=0.5 ;x", "expires"), "; q=0.5 ;x");
  EXPECT_EQ(strip_param(";q=0.5;expires=3;x", "expires"), ";q=0.5;x");
  EXPECT_EQ(strip_param("", "expires"), "");
}

TEST(ParseRegister, DeltaSeconds) {
  EXPECT_EQ(parse_delta_seconds("0"), 0u);
  EXPECT_EQ(parse_delta_seconds(" 42 "), 42u);
  EXPECT_EQ(parse_delta_seconds("4294967295"), 0xffffffffu);
  EXPECT_EQ(parse_delta_seconds("4294967296"), 0xffffffffu);
  EXPECT_FALSE(parse_delta_seconds(""));
  EXPECT_FALSE(parse_delta_seconds("1e3"));
  EXPECT_FALSE(parse_delta_seconds("+1"));
}

}  // namespace
}  // namespace ims::sw::registrar
