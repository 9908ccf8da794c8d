#include "common/sip/message.hpp"

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "tests/unit/common/sip/wire.hpp"

namespace ims::sip {
namespace {

using test::Wire;

Message parsed(const std::string& text) {
  auto r = parse_datagram(text);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(r).value() : Message::request(Method::Options, "sip:x");
}

Message sample_request() {
  Message m = Message::request(Method::Message, "sip:bob@example.com");
  m.add(HeaderId::Via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1;rport");
  m.add(HeaderId::MaxForwards, "70");
  m.add(HeaderId::From, "<sip:alice@example.com>;tag=f1");
  m.add(HeaderId::To, "<sip:bob@example.com>");
  m.add(HeaderId::CallId, "c1@192.0.2.1");
  m.add(HeaderId::CSeq, "7 MESSAGE");
  return m;
}

// ---- construction and serialization

TEST(Message, RequestFactoryAndSerialization) {
  Message m = sample_request();
  m.set_body("hi", "text/plain");
  EXPECT_EQ(m.serialize(),
            "MESSAGE sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:alice@example.com>;tag=f1\r\n"
            "To: <sip:bob@example.com>\r\n"
            "Call-ID: c1@192.0.2.1\r\n"
            "CSeq: 7 MESSAGE\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "hi");
}

TEST(Message, ResponseFactoryUsesTheStandardReason) {
  const Message r = Message::response(404);
  EXPECT_TRUE(r.is_response());
  EXPECT_EQ(r.status(), 404);
  EXPECT_EQ(r.reason(), "Not Found");
  EXPECT_EQ(r.serialize(), "SIP/2.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(Message::response(299, "Custom").reason(), "Custom");
}

TEST(Message, ExtensionMethodKeepsItsText) {
  const Message m = Message::request(Method::Unknown, "sip:x@example.com", "FROBNICATE");
  EXPECT_EQ(m.method(), Method::Unknown);
  EXPECT_EQ(m.method_text(), "FROBNICATE");
  EXPECT_EQ(m.serialize().substr(0, 39), "FROBNICATE sip:x@example.com SIP/2.0\r\nC");
}

TEST(Message, SetStatusAndRequestUri) {
  Message r = Message::response(100);
  r.set_status(180);
  EXPECT_EQ(r.reason(), "Ringing");
  r.set_status(183, "Progressing");
  EXPECT_EQ(r.status(), 183);
  EXPECT_EQ(r.reason(), "Progressing");
  Message q = sample_request();
  q.set_request_uri("sip:carol@example.net");
  EXPECT_EQ(q.request_uri(), "sip:carol@example.net");
}

TEST(Message, SerializeToAppends) {
  const Message r = Message::response(200);
  std::string out = "prefix|";
  r.serialize_to(out);
  EXPECT_EQ(out, "prefix|SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(Message, WireSizeIsTheSerializedSize) {
  Message big = sample_request();
  big.set_body(std::string(1234, 'x'), "text/plain");
  Message twice = sample_request();  // two Content-Length fields: only the first is written
  twice.add(HeaderId::ContentLength, "99");
  twice.add(HeaderId::ContentLength, "7");
  Message odd = Message::response(-5, "Odd");
  for (const Message& m : {sample_request(), big, twice, Message::response(200),
                           Message::response(100), Message::response(99999), odd,
                           Message::request(Method::Unknown, "sip:x@y", "FROBNICATE")})
    EXPECT_EQ(m.wire_size(), m.serialize().size()) << m.serialize();
}

// ---- lookup

TEST(Message, FindByIdAndByName) {
  Message m = sample_request();
  m.add("X-Custom", "one");
  m.add("x-custom", "two");
  EXPECT_EQ(m.find(HeaderId::CallId), "c1@192.0.2.1");
  EXPECT_EQ(m.find("call-id"), "c1@192.0.2.1");
  EXPECT_EQ(m.find("i"), "c1@192.0.2.1");  // compact form maps to the id
  EXPECT_EQ(m.find("X-CUSTOM"), "one");
  EXPECT_EQ(m.values("x-Custom"), (std::vector<std::string_view>{"one", "two"}));
  EXPECT_FALSE(m.find(HeaderId::Route).has_value());
  EXPECT_FALSE(m.find("X-Missing").has_value());
  EXPECT_EQ(m.get(HeaderId::Route), "");
}

TEST(Message, CountAndValues) {
  Message m = sample_request();
  m.add(HeaderId::Via, "SIP/2.0/TCP b;branch=z9hG4bKb2");
  EXPECT_EQ(m.count(HeaderId::Via), 2u);
  EXPECT_EQ(m.values(HeaderId::Via)[1], "SIP/2.0/TCP b;branch=z9hG4bKb2");
  EXPECT_EQ(m.values("v").size(), 2u);
}

TEST(Message, CriticalHeaderAccessors) {
  const Message m = sample_request();
  EXPECT_EQ(m.call_id(), "c1@192.0.2.1");
  ASSERT_TRUE(m.cseq().has_value());
  EXPECT_EQ(m.cseq()->number, 7u);
  EXPECT_EQ(m.cseq()->method, Method::Message);
  EXPECT_EQ(m.top_via()->host, "192.0.2.1");
  EXPECT_TRUE(m.top_via()->rport);
  EXPECT_EQ(m.branch(), "z9hG4bKa1");
  EXPECT_EQ(m.from_tag(), "f1");
  EXPECT_EQ(m.to_tag(), "");
  EXPECT_EQ(m.to()->uri, "sip:bob@example.com");
  EXPECT_EQ(m.max_forwards(), 70);
}

TEST(Message, AccessorsOfAnEmptyMessage) {
  const Message m = Message::request(Method::Options, "sip:x");
  EXPECT_EQ(m.call_id(), "");
  EXPECT_FALSE(m.cseq().has_value());
  EXPECT_FALSE(m.top_via().has_value());
  EXPECT_FALSE(m.from().has_value());
  EXPECT_FALSE(m.to().has_value());
  EXPECT_EQ(m.branch(), "");
  EXPECT_EQ(m.max_forwards(), -1);
  EXPECT_EQ(m.body(), "");
}

TEST(Message, ResponseMethodComesFromCSeq) {
  Message r = Message::response(200);
  EXPECT_EQ(r.method(), Method::Unknown);
  r.add(HeaderId::CSeq, "3 BYE");
  EXPECT_EQ(r.method(), Method::Bye);
  EXPECT_EQ(r.method_text(), "BYE");
}

// ---- mutation

TEST(Message, AddFrontGoesBeforeTheFirstOfItsKind) {
  Message m = sample_request();
  m.add_front(HeaderId::Via, "SIP/2.0/UDP proxy;branch=z9hG4bKp");
  EXPECT_EQ(m.name(m.fields()[0]), "Via");
  EXPECT_EQ(m.branch(), "z9hG4bKp");
  m.add_front(HeaderId::RecordRoute, "<sip:proxy;lr>");  // none yet: at the top
  EXPECT_EQ(m.fields()[0].id, HeaderId::RecordRoute);
  m.add(HeaderId::Route, "<sip:r2;lr>");
  m.add_front(HeaderId::Route, "<sip:r1;lr>");
  EXPECT_EQ(m.values(HeaderId::Route),
            (std::vector<std::string_view>{"<sip:r1;lr>", "<sip:r2;lr>"}));
}

TEST(Message, SetReplacesAllFieldsInPlace) {
  Message m = sample_request();
  m.add(HeaderId::MaxForwards, "69");
  m.set(HeaderId::MaxForwards, "10");
  EXPECT_EQ(m.count(HeaderId::MaxForwards), 1u);
  EXPECT_EQ(m.max_forwards(), 10);
  EXPECT_EQ(m.fields()[1].id, HeaderId::MaxForwards);  // position kept
  m.set(HeaderId::Subject, "new");
  EXPECT_EQ(m.fields().back().id, HeaderId::Subject);
}

TEST(Message, SetKeepsTheWireSpelling) {
  Message m = parsed(Wire{}.set("Max-Forwards", "max-forwards: 70").str());
  m.set(HeaderId::MaxForwards, "69");
  EXPECT_NE(m.serialize().find("\r\nmax-forwards: 69\r\n"), std::string::npos);
}

TEST(Message, RemoveById) {
  Message m = sample_request();
  m.add(HeaderId::Via, "SIP/2.0/UDP b");
  EXPECT_EQ(m.remove(HeaderId::Via), 2u);
  EXPECT_EQ(m.count(HeaderId::Via), 0u);
  EXPECT_EQ(m.remove(HeaderId::Via), 0u);
}

TEST(Message, RemoveFirst) {
  Message m = sample_request();
  m.add_front(HeaderId::Via, "SIP/2.0/UDP top;branch=z9hG4bKt");
  EXPECT_TRUE(m.remove_first(HeaderId::Via));
  EXPECT_EQ(m.branch(), "z9hG4bKa1");
  EXPECT_TRUE(m.remove_first(HeaderId::Via));
  EXPECT_FALSE(m.remove_first(HeaderId::Via));
}

TEST(Message, RemoveByName) {
  Message m = sample_request();
  m.add("X-A", "1");
  m.add("x-a", "2");
  m.add("X-B", "3");
  m.remove("X-a");
  EXPECT_FALSE(m.find("X-A").has_value());
  EXPECT_EQ(m.find("X-B"), "3");
  m.remove("t");  // compact name of To
  EXPECT_FALSE(m.to().has_value());
}

TEST(Message, AddByKnownNameMapsToTheId) {
  Message m = Message::request(Method::Options, "sip:x");
  m.add("call-id", "abc");
  EXPECT_EQ(m.fields()[0].id, HeaderId::CallId);
  EXPECT_EQ(m.name(m.fields()[0]), "call-id");
  EXPECT_EQ(m.call_id(), "abc");
}

TEST(Message, ValuesMayBeViewsIntoTheSameMessage) {
  Message m = sample_request();
  for (int i = 0; i < 50; ++i) m.add(HeaderId::Route, m.get(HeaderId::From));  // forces growth
  EXPECT_EQ(m.values(HeaderId::Route).back(), "<sip:alice@example.com>;tag=f1");
  m.add(m.name(m.fields()[0]), m.value(m.fields()[0]));
  EXPECT_EQ(m.values(HeaderId::Via).back(), "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1;rport");
  m.set_body(m.call_id());
  EXPECT_EQ(m.body(), "c1@192.0.2.1");
}

TEST(Message, CopiesAreIndependent) {
  Message a = sample_request();
  Message b = a;
  b.set(HeaderId::CallId, "other");
  b.set_body("x");
  EXPECT_EQ(a.call_id(), "c1@192.0.2.1");
  EXPECT_EQ(a.body(), "");
  EXPECT_EQ(b.call_id(), "other");
}

// ---- bodies and Content-Length

TEST(Message, ContentLengthIsRewrittenInPlace) {
  Message m = parsed(Wire{}.set("Content-Length", "l: 0").add("Subject: after").str());
  m.set_body("12345", "text/plain");
  const std::string s = m.serialize();
  EXPECT_NE(s.find("\r\nl: 5\r\nSubject: after\r\n"), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - 5), "12345");
}

TEST(Message, DuplicateContentLengthFieldsAreWrittenOnce) {
  Message m = Message::request(Method::Options, "sip:x");
  m.add(HeaderId::ContentLength, "5");
  m.add(HeaderId::ContentLength, "7");
  EXPECT_EQ(m.serialize(), "OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n");
}

TEST(Message, SetBodyReplacesTheContentType) {
  Message m = sample_request();
  m.set_body("a", "text/plain");
  m.set_body("<b/>", "application/xml");
  EXPECT_EQ(m.count(HeaderId::ContentType), 1u);
  EXPECT_EQ(m.get(HeaderId::ContentType), "application/xml");
  m.set_body("");
  EXPECT_EQ(m.get(HeaderId::ContentType), "application/xml");  // untouched when not given
  EXPECT_NE(m.serialize().find("Content-Length: 0\r\n\r\n"), std::string::npos);
}

// ---- round trips

TEST(Message, ParsedMessageRoundTripsByteForByte) {
  Wire w;
  w.add("X-Unknown: ;;odd,,value;with=\"quoted;,\" params");
  w.add(
      "Accept-Contact: "
      "*;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";explicit");
  w.add("Subject: \xc3\xa9t\xc3\xa9");
  w.add("f: x");  // unknown-to-this-test order and compact names are kept
  w.set("From", "fRoM: Alice <sip:alice@example.com;unknownparam=1>;tag=1928301774;xparam");
  w.with_body("body bytes");
  const std::string text = w.str();
  EXPECT_EQ(parsed(text).serialize(), text);
}

TEST(Message, ParsedResponseRoundTrips) {
  Wire w;
  w.start = "SIP/2.0 302 Moved Temporarily";
  w.add("Contact: <sip:a@x>;q=0.7;expires=3600");
  const std::string text = w.str();
  EXPECT_EQ(parsed(text).serialize(), text);
}

TEST(Message, ListHeadersSerializeOneValuePerLine) {
  const Message m = parsed(
      Wire{}.set("Via", "Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2").str());
  const std::string s = m.serialize();
  EXPECT_NE(s.find("Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b;branch=z9hG4bK2\r\n"),
            std::string::npos);
}

TEST(Message, FoldedValuesSerializeOnOneLine) {
  const Message m = parsed(Wire{}.add("Subject: a\r\n b").str());
  EXPECT_NE(m.serialize().find("Subject: a   b\r\n"), std::string::npos);
}

// ---- reason phrases

TEST(ReasonPhrase, StandardAndExtensionCodes) {
  EXPECT_EQ(reason_phrase(100), "Trying");
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(202), "Accepted");
  EXPECT_EQ(reason_phrase(204), "No Notification");
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(412), "Conditional Request Failed");
  EXPECT_EQ(reason_phrase(413), "Request Entity Too Large");
  EXPECT_EQ(reason_phrase(416), "Unsupported URI Scheme");
  EXPECT_EQ(reason_phrase(420), "Bad Extension");
  EXPECT_EQ(reason_phrase(421), "Extension Required");
  EXPECT_EQ(reason_phrase(423), "Interval Too Brief");
  EXPECT_EQ(reason_phrase(429), "Provide Referrer Identity");
  EXPECT_EQ(reason_phrase(439), "First Hop Lacks Outbound Support");
  EXPECT_EQ(reason_phrase(470), "Consent Needed");
  EXPECT_EQ(reason_phrase(481), "Call/Transaction Does Not Exist");
  EXPECT_EQ(reason_phrase(483), "Too Many Hops");
  EXPECT_EQ(reason_phrase(494), "Security Agreement Required");
  EXPECT_EQ(reason_phrase(505), "Version Not Supported");
  EXPECT_EQ(reason_phrase(513), "Message Too Large");
  EXPECT_EQ(reason_phrase(580), "Precondition Failure");
  EXPECT_EQ(reason_phrase(603), "Decline");
  EXPECT_EQ(reason_phrase(607), "Unwanted");
  EXPECT_EQ(reason_phrase(608), "Rejected");
}

TEST(ReasonPhrase, UnknownCodesAreEmpty) {
  EXPECT_EQ(reason_phrase(0), "");
  EXPECT_EQ(reason_phrase(299), "");
  EXPECT_EQ(reason_phrase(999), "");
  EXPECT_EQ(reason_phrase(-1), "");
}

TEST(ReasonPhrase, EveryRfc3261CodeHasOne) {
  for (int code :
       {100, 180, 181, 182, 183, 200, 300, 301, 302, 305, 380, 400, 401, 402, 403, 404, 405,
        406, 407, 408, 410, 413, 414, 415, 416, 420, 421, 423, 480, 481, 482, 483, 484, 485,
        486, 487, 488, 491, 493, 500, 501, 502, 503, 504, 505, 513, 600, 603, 604, 606})
    EXPECT_FALSE(reason_phrase(code).empty()) << code;
}

}  // namespace
}  // namespace ims::sip

namespace ims::sip {
namespace {

TEST(Message, LineBreaksCannotInjectHeaders) {
  Message m = Message::request(Method::Message, "sip:a@x\r\nVia: evil");
  m.add(HeaderId::Subject, "hello\r\nVia: SIP/2.0/UDP evil;branch=z9hG4bKevil");
  m.add("X-Note", "a\nb");
  m.set(HeaderId::To, "<sip:b@x>\r\n\r\nINVITE");
  m.set_status(0, "OK\r\nVia: evil");
  const std::string s = m.serialize();
  auto r = parse_datagram(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count(HeaderId::Via), 0u);
  EXPECT_EQ(r->get(HeaderId::Subject), "hello  Via: SIP/2.0/UDP evil;branch=z9hG4bKevil");
  EXPECT_EQ(*r->find("X-Note"), "a b");
  Message rsp = Message::response(400, "Bad\r\nVia: x");
  EXPECT_EQ(rsp.reason(), "Bad  Via: x");
}

}  // namespace
}  // namespace ims::sip
