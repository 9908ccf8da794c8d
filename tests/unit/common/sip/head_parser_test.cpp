// Start lines and header lines (common/sip/head_parser.cpp), through parse_datagram.

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "tests/unit/common/sip/wire.hpp"

namespace ims::sip {
namespace {

using test::Wire;
using namespace std::string_literals;

Message parse_ok(const std::string& text) {
  auto r = parse_datagram(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << "\n" << text;
  if (!r.ok()) return Message::request(Method::Options, "sip:x");
  return std::move(r).value();
}

std::string fault_of(const std::string& text) {
  auto r = parse_datagram(text);
  if (!r.ok()) return "error: " + r.error().message;
  if (!r->fault) return "none";
  return std::to_string(r->fault->status) + " " + r->fault->reason;
}

ParseErrc error_of(const std::string& text, const Limits& limits = {}) {
  auto r = parse_datagram(text, limits);
  if (r.ok()) return ParseErrc(0);
  return ParseErrc(r.error().code.value());
}

// ---- start lines

TEST(StartLine, ParsesRequestLine) {
  const Message m = parse_ok(Wire{}.str());
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), Method::Options);
  EXPECT_EQ(m.method_text(), "OPTIONS");
  EXPECT_EQ(m.request_uri(), "sip:bob@example.com");
  EXPECT_FALSE(m.fault.has_value());
}

TEST(StartLine, ParsesStatusLine) {
  Wire w;
  w.start = "SIP/2.0 486 Busy Here";
  const Message m = parse_ok(w.str());
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.status(), 486);
  EXPECT_EQ(m.reason(), "Busy Here");
  EXPECT_EQ(m.method(), Method::Options);  // from CSeq
  EXPECT_FALSE(m.fault.has_value());
}

TEST(StartLine, EmptyReasonPhraseIsAllowed) {
  // RFC 4475 §3.1.1.12: "SIP/2.0 100 " with nothing after the space.
  Wire w;
  w.start = "SIP/2.0 100 ";
  Message m = parse_ok(w.str());
  EXPECT_EQ(m.status(), 100);
  EXPECT_EQ(m.reason(), "");
  w.start = "SIP/2.0 100";
  m = parse_ok(w.str());
  EXPECT_EQ(m.status(), 100);
}

TEST(StartLine, Utf8ReasonPhrase) {
  // RFC 4475 §3.1.1.11.
  Wire w;
  w.start = "SIP/2.0 200 = 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe";
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.reason(), "= 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe");
  EXPECT_FALSE(m.fault.has_value());
}

TEST(StartLine, ExtraSpacesAndTrailingSpacesAreTolerated) {
  // RFC 4475 §3.1.2.9 and §3.1.2.10 allow accepting these.
  Wire w;
  w.start = "OPTIONS  sip:bob@example.com  SIP/2.0  ";
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.request_uri(), "sip:bob@example.com");
  EXPECT_FALSE(m.fault.has_value());
}

TEST(StartLine, WhitespaceInsideRequestUriIsA400) {
  // RFC 4475 §3.1.2.8.
  Wire w;
  w.start = "OPTIONS sip:bob@example.com; lr SIP/2.0";
  EXPECT_EQ(fault_of(w.str()), "400 Bad Request-URI");
}

TEST(StartLine, ExtensionMethodWithEveryTokenCharacter) {
  Wire w;
  w.start =
      "!interesting-Method0123456789_*+`.%indeed'~ "
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/"
      ";;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0";
  w.set("CSeq", "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.method(), Method::Unknown);
  EXPECT_EQ(m.method_text(), "!interesting-Method0123456789_*+`.%indeed'~");
  EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
}

TEST(StartLine, LowercaseMethodIsAnExtension) {
  Wire w;
  w.start = "options sip:bob@example.com SIP/2.0";
  w.set("CSeq", "CSeq: 1 options");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.method(), Method::Unknown);
  EXPECT_FALSE(m.fault.has_value());
}

TEST(StartLine, UnknownVersionIsA505) {
  // RFC 4475 §3.1.2.16; RFC 3261 §8.2.2... 505.
  Wire w;
  w.start = "OPTIONS sip:bob@example.com SIP/7.0";
  EXPECT_EQ(fault_of(w.str()), "505 Version Not Supported");
  w.start = "SIP/3.0 200 OK";
  EXPECT_EQ(fault_of(w.str()), "505 Version Not Supported");
}

TEST(StartLine, VersionNameIsCaseInsensitive) {
  Wire w;
  w.start = "OPTIONS sip:bob@example.com sip/2.0";
  EXPECT_EQ(fault_of(w.str()), "none");
}

TEST(StartLine, VersionFaultWinsOverOtherFaults) {
  Wire w;
  w.start = "OPTIONS sip:bob@example.com SIP/7.0";
  w.remove("Call-ID");
  EXPECT_EQ(fault_of(w.str()), "505 Version Not Supported");
}

TEST(StartLine, GarbageIsAnError) {
  for (const char* start :
       {"hello", "GET / HTTP/1.1", "OPTIONS sip:bob@example.com", "OPTIONS SIP/2.0",
        " OPTIONS sip:x SIP/2.0", "OPT:IONS sip:x SIP/2.0", "OPTIONS sip:x SIP/2",
        "OPTIONS sip:x SIP/a.b", "SIP/2.0", "SIP/2.0 OK", "SIP/2.0 20 OK", "SIP/2.0 2000 OK",
        "SIP/2.0 099 Low", "SIP/2.0 700 High", "SIP/2.0 4294967301 better not break the receiver",
        "SIP/x 200 OK"}) {
    Wire w;
    w.start = start;
    EXPECT_EQ(error_of(w.str()), ParseErrc::BadStartLine) << start;
  }
}

TEST(StartLine, ControlCharacterInStartLineIsA400) {
  Wire w;
  w.start = std::string("OPTIONS sip:bob@example.com SIP/2.0\x01", 36);
  // The control character follows the version, which is then not "SIP/2.0".
  EXPECT_EQ(error_of(w.str()), ParseErrc::BadStartLine);
  w.start = std::string("SIP/2.0 200 O\x07K");
  EXPECT_EQ(fault_of(w.str()), "400 Bad Start Line");
}

TEST(StartLine, TooLongIsAnError) {
  Wire w;
  w.start = "OPTIONS sip:" + std::string(5000, 'a') + "@example.com SIP/2.0";
  EXPECT_EQ(error_of(w.str()), ParseErrc::BadStartLine);
  Limits big;
  big.max_start_line_bytes = 8000;
  EXPECT_EQ(error_of(w.str(), big), ParseErrc(0));
}

// ---- header lines

TEST(HeaderLines, FieldsKeepWireOrderNamesAndTrimmedValues) {
  Wire w;
  w.add("X-Custom:   spaced value   ");
  const Message m = parse_ok(w.str());
  ASSERT_EQ(m.fields().size(), 8u);
  EXPECT_EQ(m.name(m.fields()[0]), "Via");
  EXPECT_EQ(m.name(m.fields()[7]), "X-Custom");
  EXPECT_EQ(m.value(m.fields()[7]), "spaced value");
  EXPECT_EQ(m.fields()[7].id, HeaderId::Other);
  EXPECT_EQ(m.fields()[4].id, HeaderId::CallId);
}

TEST(HeaderLines, FoldedLinesAreUnfoldedToSpaces) {
  Wire w;
  w.add("Subject: first\r\n second\r\n\tthird");
  const Message m = parse_ok(w.str());
  const auto v = m.find(HeaderId::Subject);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "first   second  \tthird");
  EXPECT_FALSE(m.fault.has_value());
}

TEST(HeaderLines, FoldingInsideCriticalHeaders) {
  // RFC 4475 §3.1.1.1: folded CSeq and Via.
  Wire w;
  w.set("CSeq", "CSeq: 0009\r\n  OPTIONS");
  w.set("Via", "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
  ASSERT_TRUE(m.cseq().has_value());
  EXPECT_EQ(m.cseq()->number, 9u);
  EXPECT_EQ(m.branch(), "390skdjuw");
  EXPECT_EQ(m.top_via()->host, "192.0.2.2");
}

TEST(HeaderLines, FoldedEmptyFirstLine) {
  Wire w;
  w.add("Route:\r\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.get(HeaderId::Route),
            "<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
}

TEST(HeaderLines, LwsBeforeColonIsAllowed) {
  Wire w;
  w.set("Content-Length", "Content-Length   : 0");
  w.add("s :weird");
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value());
  EXPECT_EQ(m.get(HeaderId::Subject), "weird");
  EXPECT_EQ(m.name(m.fields().back()), "s");
}

TEST(HeaderLines, CompactFormsAreRecognisedAndKeepTheirSpelling) {
  Wire w;
  w.headers = {"v: SIP/2.0/UDP h;branch=z9hG4bKc",
               "Max-Forwards: 70",
               "t: <sip:b@x>",
               "f: <sip:a@x>;tag=1",
               "i: cid@x",
               "CSeq: 1 OPTIONS",
               "m: <sip:a@10.0.0.1>",
               "c: text/plain",
               "k: path",
               "l: 0"};
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
  EXPECT_EQ(m.call_id(), "cid@x");
  EXPECT_EQ(m.from_tag(), "1");
  EXPECT_EQ(m.get(HeaderId::Contact), "<sip:a@10.0.0.1>");
  EXPECT_EQ(m.get(HeaderId::ContentType), "text/plain");
  EXPECT_EQ(m.get(HeaderId::Supported), "path");
  EXPECT_EQ(m.name(m.fields()[0]), "v");
  EXPECT_NE(m.serialize().find("\r\nf: <sip:a@x>;tag=1\r\n"), std::string::npos);
}

TEST(HeaderLines, BareLineFeedsAreAccepted) {
  const Message m = parse_ok(Wire{}.with_body("hi").str("\n"));
  EXPECT_FALSE(m.fault.has_value());
  EXPECT_EQ(m.body(), "hi");
  EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc33.example.com");
}

TEST(HeaderLines, LineWithoutColonIsABadHeaderLine) {
  Wire w;
  w.add("This is not a header");
  EXPECT_EQ(fault_of(w.str()), "400 Bad Header Line");
}

TEST(HeaderLines, InvalidNameIsABadHeaderLine) {
  for (const char* line : {"Bad Name: x", ": no name", "X<y>: z", "\"Q\": v", "Na@me: v"}) {
    Wire w;
    w.add(line);
    EXPECT_EQ(fault_of(w.str()), "400 Bad Header Line") << line;
  }
}

TEST(HeaderLines, ContinuationWithoutAFieldIsABadHeaderLine) {
  Wire w;
  w.headers.insert(w.headers.begin(), " orphan continuation");
  EXPECT_EQ(fault_of(w.str()), "400 Bad Header Line");
}

TEST(HeaderLines, BadLineStillKeepsTheOtherFields) {
  // So that the 400 can be built from Via, From, To, Call-ID and CSeq.
  Wire w;
  w.headers.insert(w.headers.begin() + 2, "garbage line");
  auto r = parse_datagram(w.str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fields().size(), 7u);
  EXPECT_EQ(r->branch(), "z9hG4bK776asdhds");
}

TEST(HeaderLines, NulInValueIsA400) {
  Wire w;
  w.add(std::string("Subject: a\0b", 12));
  EXPECT_EQ(fault_of(w.str()), "400 NUL in Header");
}

TEST(HeaderLines, ControlCharactersInValueAreA400) {
  for (char c : {'\x01', '\x07', '\x1b', '\x7f', '\r'}) {
    Wire w;
    w.add(std::string("Subject: a") + c + "b");
    EXPECT_EQ(fault_of(w.str()), "400 Control Character in Header") << int(c);
  }
}

TEST(HeaderLines, TabsAreWhitespace) {
  Wire w;
  w.add("Subject:\tin\ttabs\t");
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value());
  EXPECT_EQ(m.get(HeaderId::Subject), "in\ttabs");
}

TEST(HeaderLines, EscapedControlsInsideQuotedStringsAreAllowed) {
  // RFC 4475 §3.1.1.2: quoted-pairs with NUL, BEL and DEL in a display name.
  Wire w;
  w.set("To", "To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F\" <sip:bob@example.com>"s);
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
  ASSERT_TRUE(m.to().has_value());
  EXPECT_EQ(m.to()->uri, "sip:bob@example.com");
}

TEST(HeaderLines, UnescapedControlInsideQuotedStringIsA400) {
  Wire w;
  w.set("To",
        "To: \"a\x07"
        "b\" <sip:bob@example.com>");
  EXPECT_EQ(fault_of(w.str()), "400 Control Character in Header");
}

TEST(HeaderLines, NonAsciiBytesInValuesAreAllowed) {
  Wire w;
  w.add("Subject: \xff\xfe not utf-8 \xc3\xa9");
  EXPECT_EQ(fault_of(w.str()), "none");
}

TEST(HeaderLines, Ipv6ReferencesPerRfc5118) {
  Wire w;
  w.start = "REGISTER sip:[2001:db8::10]:5070 SIP/2.0";
  w.set("Via", "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111;received=2001:db8::9:255");
  w.set("CSeq", "CSeq: 1 REGISTER");
  w.add("Contact: \"Caller\" <sip:caller@[2001:db8::1]>");
  const Message m = parse_ok(w.str());
  EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
  EXPECT_EQ(m.request_uri(), "sip:[2001:db8::10]:5070");
  EXPECT_EQ(m.top_via()->host, "[2001:db8::9:1]");
  EXPECT_EQ(m.top_via()->received, "2001:db8::9:255");
  // RFC 5118 §4.4-4.5: an IPv6 sent-by must be bracketed.
  w.set("Via", "Via: SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bKas3-111");
  EXPECT_EQ(fault_of(w.str()), "400 Bad Via");
}

TEST(HeaderLines, EmptyValueIsKept) {
  Wire w;
  w.add("Subject:");
  const Message m = parse_ok(w.str());
  ASSERT_TRUE(m.find(HeaderId::Subject).has_value());
  EXPECT_EQ(*m.find(HeaderId::Subject), "");
}

// ---- list splitting

TEST(ListHeaders, ViaValuesBecomeOneFieldEach) {
  Wire w;
  w.set("Via",
        "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP "
        "[2001:db8::1]:5061;branch=z9hG4bK2 ,SIP/2.0/UDP c;branch=z9hG4bK3");
  const Message m = parse_ok(w.str());
  const auto vias = m.values(HeaderId::Via);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  EXPECT_EQ(vias[1], "SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bK2");
  EXPECT_EQ(vias[2], "SIP/2.0/UDP c;branch=z9hG4bK3");
  EXPECT_EQ(m.branch(), "z9hG4bK1");
  EXPECT_EQ(m.name(m.fields()[1]), "Via");
}

TEST(ListHeaders, ContactWithQuotedCommaAndAngleComma) {
  Wire w;
  w.add(R"(Contact: "Doe, \"J\"" <sip:j@x>;q=0.5, <sip:a,b@y>, sip:c@z;expires=60)");
  const Message m = parse_ok(w.str());
  const auto c = m.values(HeaderId::Contact);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], R"("Doe, \"J\"" <sip:j@x>;q=0.5)");
  EXPECT_EQ(c[1], "<sip:a,b@y>");
  EXPECT_EQ(c[2], "sip:c@z;expires=60");
}

TEST(ListHeaders, StarContactIsOneField) {
  Wire w;
  w.add("Contact: *");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.values(HeaderId::Contact), std::vector<std::string_view>{"*"});
}

TEST(ListHeaders, RoutePathAndRecordRouteAreSplit) {
  Wire w;
  w.add("Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
  w.add("Record-Route: <sip:r1;lr>,<sip:r2;lr>");
  w.add("Path: <sip:a;lr>, <sip:b;lr>");
  w.add("Service-Route: <sip:s;lr>, <sip:t;lr>");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.count(HeaderId::Route), 2u);
  EXPECT_EQ(m.count(HeaderId::RecordRoute), 2u);
  EXPECT_EQ(m.count(HeaderId::Path), 2u);
  EXPECT_EQ(m.count(HeaderId::ServiceRoute), 2u);
}

TEST(ListHeaders, OtherHeadersWithCommasAreNotSplit) {
  Wire w;
  w.add("Allow: INVITE, ACK, OPTIONS");
  w.add("X-List: a, b, c");
  w.add("UnknownHeaderWithUnusualValue: ;;,,;;,;");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.get(HeaderId::Allow), "INVITE, ACK, OPTIONS");
  EXPECT_EQ(m.values("X-List").size(), 1u);
  EXPECT_EQ(*m.find("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
}

TEST(ListHeaders, EmptyElementsAreDropped) {
  Wire w;
  w.add("Route: <sip:a;lr>, , <sip:b;lr>,");
  const Message m = parse_ok(w.str());
  EXPECT_EQ(m.count(HeaderId::Route), 2u);
}

// ---- limits

TEST(HeaderLimits, HeaderBlockLargerThanTheLimitIsAnError) {
  Wire w;
  w.add("X-Big: " + std::string(20000, 'x'));
  EXPECT_EQ(error_of(w.str()), ParseErrc::HeadersTooLarge);
  Limits big;
  big.max_header_bytes = 30000;
  EXPECT_EQ(error_of(w.str(), big), ParseErrc(0));
}

TEST(HeaderLimits, TooManyFieldsIsAnError) {
  Wire w;
  for (int i = 0; i < 130; ++i) w.add("X-H: " + std::to_string(i));
  EXPECT_EQ(error_of(w.str()), ParseErrc::TooManyHeaders);
}

TEST(HeaderLimits, ListElementsCountAsFields) {
  Limits l;
  l.max_headers = 10;
  Wire w;
  w.add("Route: <sip:a>, <sip:b>, <sip:c>, <sip:d>");
  EXPECT_EQ(error_of(w.str(), l), ParseErrc::TooManyHeaders);
}

TEST(HeaderLimits, TenThousandViasAreRejectedQuickly) {
  std::string vias = "Via: SIP/2.0/UDP h;branch=z9hG4bK0";
  for (int i = 1; i < 10000; ++i) vias += ", SIP/2.0/UDP h;branch=z9hG4bK" + std::to_string(i);
  Wire w;
  w.set("Via", vias);
  EXPECT_EQ(error_of(w.str()), ParseErrc::BodyTooLarge);  // larger than any datagram
  Limits l;
  l.max_datagram_bytes = 1 << 20;
  EXPECT_EQ(error_of(w.str(), l), ParseErrc::HeadersTooLarge);
  l.max_header_bytes = 1 << 20;
  EXPECT_EQ(error_of(w.str(), l), ParseErrc::TooManyHeaders);
  l.max_headers = 20000;
  auto r = parse_datagram(w.str(), l);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->fault.has_value());
  EXPECT_EQ(r->fault->reason, "Too Many Via Headers");
  EXPECT_EQ(r->count(HeaderId::Via), 10000u);
}

TEST(HeaderLimits, MissingEmptyLineIsUnterminated) {
  std::string s = Wire{}.str();
  s.resize(s.size() - 2);
  EXPECT_EQ(error_of(s), ParseErrc::Unterminated);
  EXPECT_EQ(error_of("OPTIONS sip:x SIP/2.0"), ParseErrc::Unterminated);
}

}  // namespace
}  // namespace ims::sip

namespace ims::sip {
namespace {

// RFC 4475 §3.1.1.1, "A Short Tortuous INVITE": folding, odd spacing, mixed-case and compact
// names, escaped quotes, LWS around every separator. It must parse without a fault.
TEST(Rfc4475, ShortTortuousInvite) {
  const std::string body =
      "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\n"
      "t=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n";
  const std::string text =
      "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n"
      "TO :\r\n"
      " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
      "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n"
      "  ;\r\n"
      "  tag = 98asjd8\r\n"
      "MaX-fOrWaRdS: 0068\r\n"
      "Call-ID: wsinv.ndaksdj@192.0.2.1\r\n"
      "Content-Length   : " +
      std::to_string(body.size()) +
      "\r\n"
      "cseq: 0009\r\n"
      "  INVITE\r\n"
      "Via  : SIP  /   2.0\r\n"
      " /UDP\r\n"
      "    192.0.2.2;branch=390skdjuw\r\n"
      "s :\r\n"
      "NewFangledHeader:   newfangled value\r\n"
      " continued newfangled value\r\n"
      "UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n"
      "Content-Type: application/sdp\r\n"
      "Route:\r\n"
      " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\r\n"
      "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n"
      "  branch  =   z9hG4bK9ikj8  ,\r\n"
      " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n"
      " z9hG4bK30239\r\n"
      "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
      "      newvalue ;\r\n"
      "  secondparam ; q = 0.33\r\n"
      "\r\n" +
      body;
  for (const bool stream : {false, true}) {
    Message m = Message::request(Method::Options, "sip:x");
    if (stream) {
      StreamParser p;
      p.feed(text);
      ASSERT_EQ(p.next(), StreamParser::Event::Message);
      m = p.take_message();
    } else {
      m = parse_ok(text);
    }
    EXPECT_FALSE(m.fault.has_value()) << m.fault->reason;
    EXPECT_EQ(m.method(), Method::Invite);
    EXPECT_EQ(m.request_uri(), "sip:vivekg@chair-dnrc.example.com;unknownparam");
    EXPECT_EQ(m.to_tag(), "1918181833n");
    EXPECT_EQ(m.from_tag(), "98asjd8");
    EXPECT_EQ(m.from()->display_name, "\"J Rosenberg \\\\\\\"\"");
    EXPECT_EQ(unquote(m.from()->display_name), "J Rosenberg \\\"");
    EXPECT_EQ(m.max_forwards(), 68);
    EXPECT_EQ(m.cseq()->number, 9u);
    EXPECT_EQ(m.cseq()->method, Method::Invite);
    const auto vias = m.values(HeaderId::Via);
    ASSERT_EQ(vias.size(), 3u);
    EXPECT_EQ(m.branch(), "390skdjuw");
    EXPECT_EQ(parse_via(vias[1])->branch, "z9hG4bK9ikj8");
    EXPECT_EQ(parse_via(vias[1])->host, "spindle.example.com");
    EXPECT_EQ(parse_via(vias[2])->branch, "z9hG4bK30239");
    EXPECT_EQ(parse_via(vias[2])->transport, "UDP");
    EXPECT_EQ(m.get(HeaderId::Subject), "");
    EXPECT_EQ(*m.find("newfangledheader"), "newfangled value   continued newfangled value");
    EXPECT_EQ(*m.find("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
    const auto contact = parse_name_addr(m.get(HeaderId::Contact));
    ASSERT_TRUE(contact.ok());
    EXPECT_EQ(contact->params.get("newparam"), "newvalue");
    EXPECT_EQ(contact->params.get("q"), "0.33");
    EXPECT_TRUE(contact->params.has("secondparam"));
    EXPECT_EQ(m.body(), body);
    // Serialized, it is clean and stable.
    auto again = parse_datagram(m.serialize());
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->fault.has_value());
    EXPECT_EQ(again->serialize(), m.serialize());
  }
}

// RFC 4475 §3.1.2.1, "Extraneous Header Field Separators".
TEST(Rfc4475, ExtraneousHeaderFieldSeparatorsAreA400) {
  Wire w;
  w.start = "INVITE sip:user@example.com SIP/2.0";
  w.set("To", "To: sip:j.user@example.com");
  w.set("Via", "Via: SIP/2.0/UDP 192.0.2.15;;,;,,");
  w.set("CSeq", "CSeq: 1 INVITE");
  EXPECT_EQ(fault_of(w.str()), "400 Bad Via");
}

}  // namespace
}  // namespace ims::sip
