// Checks of the critical headers (common/sip/validate.cpp): every fault and its status.

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "tests/unit/common/sip/wire.hpp"

namespace ims::sip {
namespace {

using test::Wire;

std::string fault_of(const Wire& w, const Limits& limits = {}) {
  auto r = parse_datagram(w.str(), limits);
  if (!r.ok()) return "error: " + r.error().message;
  if (!r->fault) return "none";
  return std::to_string(r->fault->status) + " " + r->fault->reason;
}

Wire with(std::string_view name, std::string line) { return Wire{}.set(name, std::move(line)); }

TEST(Validate, WellFormedRequestHasNoFault) { EXPECT_EQ(fault_of(Wire{}), "none"); }

TEST(Validate, MissingMandatoryHeadersAreNamed) {
  // RFC 3261 §8.1.1; RFC 4475 §3.3.1.
  EXPECT_EQ(fault_of(Wire{}.remove("Call-ID")), "400 Missing Call-ID");
  EXPECT_EQ(fault_of(Wire{}.remove("From")), "400 Missing From");
  EXPECT_EQ(fault_of(Wire{}.remove("To")), "400 Missing To");
  EXPECT_EQ(fault_of(Wire{}.remove("CSeq")), "400 Missing CSeq");
  EXPECT_EQ(fault_of(Wire{}.remove("Via")), "400 Missing Via");
}

TEST(Validate, MissingMaxForwardsIsTolerated) {
  // The proxy core treats an absent Max-Forwards as 70 (§16.6 step 3); not a parse fault.
  EXPECT_EQ(fault_of(Wire{}.remove("Max-Forwards")), "none");
}

TEST(Validate, ResponsesNeedTheSameHeaders) {
  Wire w;
  w.start = "SIP/2.0 200 OK";
  EXPECT_EQ(fault_of(w), "none");
  EXPECT_EQ(fault_of(w.remove("Via")), "400 Missing Via");
}

TEST(Validate, ConflictingSingleHeadersAreA400) {
  // RFC 4475 §3.3.8.
  EXPECT_EQ(fault_of(Wire{}.add("Call-ID: other@x")), "400 Conflicting Call-ID");
  EXPECT_EQ(fault_of(Wire{}.add("From: <sip:eve@example.com>;tag=9")), "400 Conflicting From");
  EXPECT_EQ(fault_of(Wire{}.add("To: <sip:eve@example.com>")), "400 Conflicting To");
  EXPECT_EQ(fault_of(Wire{}.add("CSeq: 1 OPTIONS")), "400 Conflicting CSeq");
  EXPECT_EQ(fault_of(Wire{}.add("Max-Forwards: 5")), "400 Conflicting Max-Forwards");
}

TEST(Validate, IdenticalRepeatsAreTolerated) {
  EXPECT_EQ(fault_of(Wire{}.add("Call-ID: a84b4c76e66710@pc33.example.com")), "none");
  EXPECT_EQ(fault_of(Wire{}.add("i: a84b4c76e66710@pc33.example.com")), "none");
}

TEST(Validate, CompactAndLongFormsConflictToo) {
  EXPECT_EQ(fault_of(Wire{}.add("i: different@x")), "400 Conflicting Call-ID");
}

TEST(Validate, BadCallId) {
  EXPECT_EQ(fault_of(with("Call-ID", "Call-ID: two words")), "400 Bad Call-ID");
  EXPECT_EQ(fault_of(with("Call-ID", "Call-ID:")), "400 Bad Call-ID");
  EXPECT_EQ(fault_of(with("Call-ID", "Call-ID: base64+/==@host")), "none");
}

TEST(Validate, BadFromAndTo) {
  // RFC 4475 §3.1.2.15, §3.1.2.6, §3.1.2.14, §3.1.2.1.
  EXPECT_EQ(fault_of(with("From", "From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43")),
            "400 Bad From");
  EXPECT_EQ(fault_of(with("To", "To: \"Mr. J. User <sip:j.user@example.com>")), "400 Bad To");
  EXPECT_EQ(fault_of(with("To", "To: \"Watson, Thomas\" < sip:t.watson@example.org >")),
            "400 Bad To");
  EXPECT_EQ(fault_of(with("To", "To: sip:j.user@example.com;;,;")), "400 Bad To");
  EXPECT_EQ(fault_of(with("From", "From: sip:a@b, sip:c@d")), "400 Bad From");
}

TEST(Validate, UnknownUriSchemesInFromAndToAreFine) {
  // RFC 4475 §3.3.4.
  EXPECT_EQ(fault_of(with("To", "To: isbn:2983792873")), "none");
  EXPECT_EQ(fault_of(with("From", "From: <http://www.example.com>;tag=1")), "none");
}

TEST(Validate, BadCSeq) {
  // RFC 4475 §3.1.2.4: a number past 2**31 - 1.
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 36893488147419103232 OPTIONS")), "400 Bad CSeq");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 2147483648 OPTIONS")), "400 Bad CSeq");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 2147483647 OPTIONS")), "none");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: OPTIONS")), "400 Bad CSeq");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 1")), "400 Bad CSeq");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: -1 OPTIONS")), "400 Bad CSeq");
}

TEST(Validate, CSeqMethodMustMatchTheRequestLine) {
  // RFC 4475 §3.1.2.17 and §3.1.2.18 (unknown method).
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 1 INVITE")), "400 CSeq Method Mismatch");
  EXPECT_EQ(fault_of(with("CSeq", "CSeq: 1 options")), "400 CSeq Method Mismatch");
  Wire w;
  w.start = "NEWMETHOD sip:bob@example.com SIP/2.0";
  EXPECT_EQ(fault_of(w.set("CSeq", "CSeq: 1 INVITE")), "400 CSeq Method Mismatch");
  EXPECT_EQ(fault_of(w.set("CSeq", "CSeq: 1 NEWMETHOD")), "none");
}

TEST(Validate, ResponsesMayCarryAnyCSeqMethod) {
  Wire w;
  w.start = "SIP/2.0 200 OK";
  EXPECT_EQ(fault_of(w.set("CSeq", "CSeq: 5 INVITE")), "none");
}

TEST(Validate, BadVia) {
  // RFC 4475 §3.1.2.1: "Via: SIP/2.0/UDP 192.0.2.15;;,;,,".
  EXPECT_EQ(fault_of(with("Via", "Via: SIP/2.0/UDP 192.0.2.15;;,;,,")), "400 Bad Via");
  EXPECT_EQ(fault_of(with("Via", "Via: SIP/2.0/UDP")), "400 Bad Via");
  EXPECT_EQ(fault_of(with("Via", "Via: garbage")), "400 Bad Via");
  EXPECT_EQ(fault_of(with("Via", "Via: SIP/2.0/UDP ok;branch=z9hG4bK1, bad")), "400 Bad Via");
  EXPECT_EQ(fault_of(with("Via", "Via:")), "400 Bad Via");
}

TEST(Validate, ViaCountLimit) {
  Limits l;
  l.max_vias = 2;
  Wire w;
  w.add("Via: SIP/2.0/UDP a;branch=z9hG4bK2");
  EXPECT_EQ(fault_of(w, l), "none");
  w.add("Via: SIP/2.0/UDP b;branch=z9hG4bK3");
  EXPECT_EQ(fault_of(w, l), "400 Too Many Via Headers");
}

TEST(Validate, MaxForwards) {
  // §20.22 and RFC 4475 §3.1.2.4.
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: 0068")), "none");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: 0")), "none");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: 255")), "none");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: 256")), "400 Bad Max-Forwards");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: 300")), "400 Bad Max-Forwards");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: abc")), "400 Bad Max-Forwards");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards: -1")), "400 Bad Max-Forwards");
  EXPECT_EQ(fault_of(with("Max-Forwards", "Max-Forwards:")), "400 Bad Max-Forwards");
}

TEST(Validate, MaxForwardsIsNotCheckedInResponses) {
  Wire w;
  w.start = "SIP/2.0 200 OK";
  EXPECT_EQ(fault_of(w.set("Max-Forwards", "Max-Forwards: junk")), "none");
}

TEST(Validate, RequestUriSchemes) {
  // RFC 4475 §3.3.2, §3.3.3: unknown schemes are 416; §3.1.2.7: <...> is a 400.
  const std::pair<const char*, const char*> cases[] = {
      {"sip:bob@example.com", "none"},
      {"SIPS:bob@example.com", "none"},
      {"tel:+1-201-555-0123", "none"},
      {"nobodyKnowsThisScheme:totallyopaquecontent", "416 Unsupported URI Scheme"},
      {"soap.beep://192.0.2.103:3002", "416 Unsupported URI Scheme"},
      {"http://example.com/", "416 Unsupported URI Scheme"},
      {"<sip:user@example.com>", "400 Bad Request-URI"},
      {"sip:", "400 Bad Request-URI"},
      {"example.com", "400 Bad Request-URI"},
      {"1sip:x", "400 Bad Request-URI"},
      {"sip:user@example.com?Route=%3Csip:example.com%3E", "400 Bad Request-URI"},  // §3.1.2.11
      {"sip:us?er@example.com", "none"},  // '?' is allowed in the user part
      {"sip:a\"b@example.com", "400 Bad Request-URI"},
  };
  for (const auto& [uri, expected] : cases) {
    Wire w;
    w.start = std::string("OPTIONS ") + uri + " SIP/2.0";
    EXPECT_EQ(fault_of(w), expected) << uri;
  }
}

TEST(Validate, FirstFaultWins) {
  Wire w;
  w.remove("Call-ID").remove("From");
  EXPECT_EQ(fault_of(w), "400 Missing Call-ID");
}

TEST(Validate, FaultyMessageKeepsItsHeadersForTheAnswer) {
  auto r = parse_datagram(Wire{}.set("CSeq", "CSeq: 99999999999 OPTIONS").str());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->fault.has_value());
  EXPECT_EQ(r->fault->status, 400);
  EXPECT_EQ(r->branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(r->from_tag(), "1928301774");
  EXPECT_EQ(r->call_id(), "a84b4c76e66710@pc33.example.com");
}

}  // namespace
}  // namespace ims::sip
