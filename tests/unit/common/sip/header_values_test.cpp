#include "common/sip/header_values.hpp"

#include <gtest/gtest.h>

namespace ims::sip {
namespace {

// ---- Params

TEST(Params, GetReturnsValuesAndFlags) {
  const Params p(";transport=tcp;lr;ttl=15");
  EXPECT_EQ(p.get("transport"), "tcp");
  EXPECT_EQ(p.get("lr"), "");
  EXPECT_TRUE(p.has("lr"));
  EXPECT_EQ(p.get("ttl"), "15");
  EXPECT_FALSE(p.get("maddr").has_value());
  EXPECT_FALSE(p.has("maddr"));
}

TEST(Params, NamesCompareCaseInsensitively) {
  const Params p(";Branch=z9hG4bKabc");
  EXPECT_EQ(p.get("branch"), "z9hG4bKabc");
  EXPECT_EQ(p.get("BRANCH"), "z9hG4bKabc");
}

TEST(Params, LwsAroundSemicolonAndEqualsIsIgnored) {
  // RFC 3261 §25.1: SEMI and EQUAL allow LWS (RFC 4475 §3.1.1.1 uses it).
  const Params p(" ;  branch  =   z9hG4bK9ikj8  ; q = 0.33 ;lr ");
  EXPECT_EQ(p.get("branch"), "z9hG4bK9ikj8");
  EXPECT_EQ(p.get("q"), "0.33");
  EXPECT_TRUE(p.has("lr"));
}

TEST(Params, QuotedValuesKeepTheirQuotesAndSemicolons) {
  const Params p(";+sip.instance=\"<urn:uuid:1;2>\";expires=60");
  EXPECT_EQ(p.get("+sip.instance"), "\"<urn:uuid:1;2>\"");
  EXPECT_EQ(p.get("expires"), "60");
}

TEST(Params, AllListsEveryParameterInOrder) {
  const auto all = Params(";a=1;b;c=\"x\"").all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[0].value, "1");
  EXPECT_TRUE(all[0].has_value);
  EXPECT_EQ(all[1].name, "b");
  EXPECT_FALSE(all[1].has_value);
  EXPECT_EQ(all[2].value, "\"x\"");
}

TEST(Params, FirstOccurrenceWins) { EXPECT_EQ(Params(";tag=a;tag=b").get("tag"), "a"); }

TEST(Params, EmptyTextHasNothing) {
  EXPECT_TRUE(Params().all().empty());
  EXPECT_FALSE(Params("").has("x"));
}

// ---- Via

TEST(Via, ParsesProtocolHostPortAndParameters) {
  auto v = parse_via("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;received=192.0.2.99;rport=5070");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->protocol_name, "SIP");
  EXPECT_EQ(v->protocol_version, "2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.1");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch, "z9hG4bK77");
  EXPECT_EQ(v->received, "192.0.2.99");
  EXPECT_TRUE(v->rport);
  EXPECT_EQ(v->rport_value, 5070);
  EXPECT_EQ(v->params.get("branch"), "z9hG4bK77");
}

TEST(Via, RportWithoutValueIsAFlag) {
  // RFC 3581 §3: the client adds an empty rport.
  auto v = parse_via("SIP/2.0/TCP client.example.com;rport;branch=z9hG4bKx");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->rport);
  EXPECT_FALSE(v->rport_value.has_value());
  EXPECT_FALSE(v->port.has_value());
  EXPECT_FALSE(v->received.has_value());
}

TEST(Via, NoBranchIsEmpty) {
  // RFC 2543 clients send no branch (RFC 4475 §3.4.1).
  auto v = parse_via("SIP/2.0/UDP 192.0.2.15");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->branch, "");
  EXPECT_FALSE(v->rport);
}

TEST(Via, Ipv6ReferenceKeepsBrackets) {
  // RFC 5118 §4.
  auto v =
      parse_via("SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3;received=[2001:db8::9:255]");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->host, "[2001:db8::9:1]");
  EXPECT_EQ(v->port, 5070);
  EXPECT_EQ(v->received, "[2001:db8::9:255]");
  auto w = parse_via("SIP/2.0/TCP [::1];branch=z9hG4bKx");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->host, "[::1]");
}

TEST(Via, Ipv4MappedIpv6Reference) {
  auto v = parse_via("SIP/2.0/UDP [::ffff:192.0.2.1]:5060");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host, "[::ffff:192.0.2.1]");
}

TEST(Via, LwsAroundSlashesAndColon) {
  // RFC 4475 §3.1.1.1 (unfolded).
  auto v = parse_via("SIP  /   2.0   /UDP      192.0.2.2 : 5060 ;branch=390skdjuw");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->protocol_version, "2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.2");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch, "390skdjuw");
}

TEST(Via, OtherTransportTokensAreKept) {
  for (const char* t : {"TLS", "SCTP", "WS", "WSS", "UNKNOWN"}) {
    const std::string text = std::string("SIP/2.0/") + t + " example.com;branch=z9hG4bKx";
    auto v = parse_via(text);
    ASSERT_TRUE(v.ok()) << t;
    EXPECT_EQ(v->transport, t);
  }
}

TEST(Via, RejectsMalformedValues) {
  for (const char* bad : {"",
                          "SIP/2.0/UDP",
                          "SIP/2.0 host",
                          "SIP/2.0/UDP ",
                          "SIP//UDP host",
                          "SIP/2.0/UDPhost",
                          "SIP/2.0/UDP host:",
                          "SIP/2.0/UDP host:65536",
                          "SIP/2.0/UDP host:99999999999",
                          "SIP/2.0/UDP host:-1",
                          "SIP/2.0/UDP [::1",
                          "SIP/2.0/UDP [zz]",
                          "SIP/2.0/UDP []",
                          "SIP/2.0/UDP host;;",
                          "SIP/2.0/UDP 192.0.2.15;;",
                          "SIP/2.0/UDP host;branch=a b",
                          "SIP/2.0/UDP host;rport=abc",
                          "SIP/2.0/UDP host;rport=70000",
                          "SIP/2.0/UDP host junk",
                          "SIP/2.0/UDP host;branch=<x>",
                          "SIP/2.0/UDP ho st",
                          ";",
                          "SIP/2.0/UDP host;=x"}) {
    EXPECT_FALSE(parse_via(bad).ok()) << bad;
  }
}

TEST(Via, QuotedParameterValuesAreAccepted) {
  auto v = parse_via("SIP/2.0/UDP host;x=\"a b;c\";branch=z9hG4bKq");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->branch, "z9hG4bKq");
}

// ---- name-addr

TEST(NameAddr, QuotedDisplayNameWithAngleAddress) {
  auto a = parse_name_addr("\"Alice A.\" <sip:alice@example.com;transport=tcp>;tag=88sja8x");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->display_name, "\"Alice A.\"");
  EXPECT_EQ(a->uri, "sip:alice@example.com;transport=tcp");
  EXPECT_TRUE(a->angle_brackets);
  EXPECT_EQ(a->tag, "88sja8x");
  EXPECT_FALSE(a->params.has("transport"));  // a URI parameter, not a header parameter
}

TEST(NameAddr, QuotedDisplayNameWithEscapedQuotesAndCommas) {
  auto a = parse_name_addr(
      R"("Quoted string \"\", with comma" <sip:jdrosen@example.com> ; newparam = newvalue)");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->display_name, R"("Quoted string \"\", with comma")");
  EXPECT_EQ(a->uri, "sip:jdrosen@example.com");
  EXPECT_EQ(a->params.get("newparam"), "newvalue");
  EXPECT_EQ(a->tag, "");
}

TEST(NameAddr, TokenDisplayNames) {
  auto a = parse_name_addr("Bob Smith <sip:bob@example.com>");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display_name, "Bob Smith");
  // RFC 4475 §3.1.1.6: no space before '<'.
  auto b = parse_name_addr("caller<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->display_name, "caller");
  EXPECT_EQ(b->tag, "323");
}

TEST(NameAddr, AngleAddressWithoutDisplayName) {
  auto a = parse_name_addr("<sip:bob@example.com>");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->display_name, "");
  EXPECT_EQ(a->uri, "sip:bob@example.com");
}

TEST(NameAddr, AddrSpecParametersAreHeaderParameters) {
  // RFC 3261 §20.10: without <>, everything after ';' belongs to the header.
  auto a = parse_name_addr("sip:alice@example.com;tag=abc;x=1");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->angle_brackets);
  EXPECT_EQ(a->uri, "sip:alice@example.com");
  EXPECT_EQ(a->tag, "abc");
  EXPECT_EQ(a->params.get("x"), "1");
}

TEST(NameAddr, UnknownSchemesAreAddresses) {
  // RFC 4475 §3.3.4.
  auto a = parse_name_addr("isbn:2983792873");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->uri, "isbn:2983792873");
  EXPECT_TRUE(parse_name_addr("<tel:+1-201-555-0123;phone-context=x>").ok());
}

TEST(NameAddr, RejectsMalformedAddresses) {
  for (const char* bad :
       {"", "   ", "\"Mr. J. User <sip:j.user@example.com>",     // RFC 4475 §3.1.2.6
        "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",     // §3.1.2.15
        "\"Watson, Thomas\" < sip:t.watson@example.org >",       // §3.1.2.14
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E",  // §3.1.2.13
        "sip:a@example.com, sip:b@example.com", "<sip:a@example.com", "<sip:a@example.com> junk",
        "\"x\" sip:a@example.com", "<>", "<notauri>", "<sip:>", "<sip:a@b>;;", "<sip:a@b>;tag=a b",
        "<sip:a@b>;tag=\"x", "sip:a@b;tag=x,y", "<:x>", "<1sip:x>"}) {
    EXPECT_FALSE(parse_name_addr(bad).ok()) << bad;
  }
}

TEST(NameAddr, QuotedTagValueAndUtf8DisplayName) {
  auto a = parse_name_addr("\"J\xc3\xb6rg\" <sip:j@example.com>;tag=\"q\"");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->tag, "\"q\"");
}

// ---- CSeq

TEST(CSeqValue, ParsesNumberAndMethod) {
  auto c = parse_cseq("4711 INVITE");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, Method::Invite);
  EXPECT_EQ(c->method_text, "INVITE");
}

TEST(CSeqValue, LeadingZerosAndLwsAreAccepted) {
  // RFC 4475 §3.1.1.1: "CSeq: 0009\r\n  INVITE" unfolds to this.
  auto c = parse_cseq("0009    INVITE ");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method, Method::Invite);
}

TEST(CSeqValue, ExtensionMethodsAreKeptAsText) {
  auto c = parse_cseq("139122385 !interesting-Method0123456789_*+`.%indeed'~");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->method, Method::Unknown);
  EXPECT_EQ(c->method_text, "!interesting-Method0123456789_*+`.%indeed'~");
}

TEST(CSeqValue, NumberMustBeBelowTwoToTheThirtyFirst) {
  // RFC 3261 §8.1.1.5.
  EXPECT_TRUE(parse_cseq("2147483647 BYE").ok());
  EXPECT_FALSE(parse_cseq("2147483648 BYE").ok());
  EXPECT_FALSE(parse_cseq("36893488147419103232 REGISTER").ok());  // RFC 4475 §3.1.2.4
}

TEST(CSeqValue, RejectsMalformedValues) {
  for (const char* bad : {"", "INVITE", "1", "1INVITE", "-1 INVITE", "x INVITE", "1 IN VITE",
                          "1 INVITE;x", "1 <INVITE>", "1 \"INVITE\"", " 1 "})
    EXPECT_FALSE(parse_cseq(bad).ok()) << bad;
}

// ---- Content-Type

TEST(ContentTypeValue, ParsesTypeSubtypeAndParameters) {
  auto ct = parse_content_type("multipart/mixed;boundary=unique-boundary-1 ; charset=\"utf-8\"");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->type, "multipart");
  EXPECT_EQ(ct->subtype, "mixed");
  EXPECT_EQ(ct->params.get("boundary"), "unique-boundary-1");
  EXPECT_EQ(ct->params.get("charset"), "\"utf-8\"");
}

TEST(ContentTypeValue, ComparesCaseInsensitivelyAndAllowsLwsAroundSlash) {
  auto ct = parse_content_type("Text / Plain");
  ASSERT_TRUE(ct.ok());
  EXPECT_TRUE(ct->is("text", "plain"));
  EXPECT_TRUE(ct->is("TEXT", "PLAIN"));
  EXPECT_FALSE(ct->is("text", "html"));
}

TEST(ContentTypeValue, RejectsMalformedValues) {
  for (const char* bad : {"", "text", "text/", "/plain", "text/plain junk", "text/plain;",
                          "text/pl ain", "te xt/plain", "text/plain;charset", "text/plain;=x"}) {
    if (std::string_view(bad) == "text/plain;charset") continue;  // a flag parameter is valid
    EXPECT_FALSE(parse_content_type(bad).ok()) << bad;
  }
  EXPECT_TRUE(parse_content_type("text/plain;charset").ok());
}

// ---- split_list

TEST(SplitList, SplitsOnTopLevelCommasAndTrims) {
  const auto v = split_list(" <sip:a@x> , <sip:b@y>;q=0.5 ,sip:c@z ");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "<sip:a@x>");
  EXPECT_EQ(v[1], "<sip:b@y>;q=0.5");
  EXPECT_EQ(v[2], "sip:c@z");
}

TEST(SplitList, IgnoresCommasInQuotesAndAngleBrackets) {
  const auto v = split_list(R"("Doe, \"J\", Jr." <sip:j,d@x>, <sip:k@y;p=a,b>)");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], R"("Doe, \"J\", Jr." <sip:j,d@x>)");
  EXPECT_EQ(v[1], "<sip:k@y;p=a,b>");
}

TEST(SplitList, KeepsQuotedParameterValuesWhole) {
  const auto v = split_list(R"(Digest realm="a,b", nonce="c")");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], R"(Digest realm="a,b")");
  EXPECT_EQ(v[1], R"(nonce="c")");
}

TEST(SplitList, DropsEmptyElements) {
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ,, ").empty());
  const auto v = split_list(",a,,b,");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1], "b");
}

TEST(SplitList, UnterminatedQuoteRunsToTheEnd) {
  const auto v = split_list("a, \"b, c");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1], "\"b, c");
}

// ---- unquote

TEST(Unquote, ResolvesQuotedPairs) {
  EXPECT_EQ(unquote(R"("a\"b")"), "a\"b");
  EXPECT_EQ(unquote(R"("back\\slash")"), "back\\slash");
  EXPECT_EQ(unquote(R"("")"), "");
  EXPECT_EQ(unquote(" \"x y\" "), "x y");
}

TEST(Unquote, LeavesUnquotedTextUnchanged) {
  EXPECT_EQ(unquote("token"), "token");
  EXPECT_EQ(unquote("\"open"), "\"open");
  EXPECT_EQ(unquote("\""), "\"");
}

}  // namespace
}  // namespace ims::sip
