#include "common/sip/cpim.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ims::sip {
namespace {

std::string lf_to_crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// RFC 3862 §6.1's complete example (the part after the outer MIME headers).
constexpr std::string_view kRfc3862 =
    "From: MR SANDERS <im:piglet@100akerwood.com>\n"
    "To: Depressed Donkey <im:eeyore@100akerwood.com>\n"
    "DateTime: 2000-12-13T13:40:00-08:00\n"
    "Subject: the weather will be fine today\n"
    "Subject:;lang=fr beau temps prevu pour aujourd'hui\n"
    "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\n"
    "Require: MyFeatures.VitalMessageOption\n"
    "MyFeatures.VitalMessageOption: Confirmation-requested\n"
    "MyFeatures.WackyMessageOption: Use-silly-font\n"
    "\n"
    "Content-type: text/xml; charset=utf-8\n"
    "Content-ID: <1234567890@foo.com>\n"
    "\n"
    "<body>\n"
    "Here is the text of my message.\n"
    "</body>\n";

void expect_rfc_example(const CpimMessage& m, std::string_view nl) {
  ASSERT_EQ(m.headers.size(), 9u);
  EXPECT_EQ(m.header("From"), "MR SANDERS <im:piglet@100akerwood.com>");
  EXPECT_EQ(m.header("To"), "Depressed Donkey <im:eeyore@100akerwood.com>");
  EXPECT_EQ(m.header("DateTime"), "2000-12-13T13:40:00-08:00");
  const auto subjects = m.values("Subject");
  ASSERT_EQ(subjects.size(), 2u);
  EXPECT_EQ(subjects[0], "the weather will be fine today");
  EXPECT_EQ(subjects[1], "beau temps prevu pour aujourd'hui");
  EXPECT_EQ(m.headers[4].params, ";lang=fr");
  EXPECT_EQ(m.header("Require"), "MyFeatures.VitalMessageOption");
  EXPECT_EQ(m.namespace_uri("MyFeatures"), "mid:MessageFeatures@id.foo.com");
  EXPECT_FALSE(m.namespace_uri("Other"));
  EXPECT_EQ(m.headers[7].prefix(), "MyFeatures");
  EXPECT_EQ(m.headers[7].local_name(), "VitalMessageOption");
  EXPECT_EQ(m.headers[7].value, "Confirmation-requested");
  EXPECT_EQ(m.headers[0].prefix(), "");
  EXPECT_EQ(m.headers[0].local_name(), "From");
  EXPECT_EQ(m.content_type(), "text/xml; charset=utf-8");
  EXPECT_EQ(m.content_headers.find("Content-ID"), "<1234567890@foo.com>");
  EXPECT_EQ(m.content, std::string("<body>") + std::string(nl) + "Here is the text of my message." +
                           std::string(nl) + "</body>" + std::string(nl));
}

TEST(ParseCpim, Rfc3862ExampleWithCrlf) {
  const std::string text = lf_to_crlf(kRfc3862);
  auto m = parse_cpim(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  expect_rfc_example(*m, "\r\n");
}

TEST(ParseCpim, Rfc3862ExampleWithBareLf) {
  auto m = parse_cpim(kRfc3862);
  ASSERT_TRUE(m.ok()) << m.error().message;
  expect_rfc_example(*m, "\n");
}

TEST(ParseCpim, ShortExampleAsSentBySipClients) {
  // RFC 3862 §6.2-style minimal message, as carried in a SIP MESSAGE body.
  const std::string text = lf_to_crlf(
      "From: <sip:alice@example.com>\nTo: <sip:bob@example.com>\n"
      "DateTime: 2024-01-02T03:04:05Z\n\nContent-Type: text/plain\n\nHello Bob");
  auto m = parse_cpim(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->header("From"), "<sip:alice@example.com>");
  EXPECT_EQ(m->content_type(), "text/plain");
  EXPECT_EQ(m->content, "Hello Bob");
}

TEST(ParseCpim, HeaderNamesAreCaseSensitive) {
  auto m = parse_cpim("From: <sip:a@x>\r\ncc: <sip:c@x>\r\ncc: <sip:d@x>\r\n\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_FALSE(m->header("from"));
  EXPECT_FALSE(m->header("CC"));
  EXPECT_EQ(m->values("cc").size(), 2u);
}

TEST(ParseCpim, ContentHeadersMayBeAbsent) {
  auto m = parse_cpim("From: <sip:a@x>\r\n\r\n\r\nplain body");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_TRUE(m->content_headers.fields.empty());
  EXPECT_EQ(m->content_type(), "");
  EXPECT_EQ(m->content, "plain body");
}

TEST(ParseCpim, ParametersWithQuotedStrings) {
  auto m = parse_cpim("Subject:;lang=fr;x=\"a b;c\" salut\r\nX.Y:;n=1 v\r\n\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->headers[0].params, ";lang=fr;x=\"a b;c\"");
  EXPECT_EQ(m->headers[0].value, "salut");
  EXPECT_EQ(m->headers[1].params, ";n=1");
  EXPECT_EQ(m->headers[1].value, "v");
}

TEST(ParseCpim, DefaultNamespace) {
  auto m = parse_cpim("NS: <urn:ietf:params:imdn>\r\nNS: imdn <urn:ietf:params:imdn>\r\n\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->namespace_uri(""), "urn:ietf:params:imdn");
  EXPECT_EQ(m->namespace_uri("imdn"), "urn:ietf:params:imdn");
}

TEST(ParseCpim, RejectsMalformedMessages) {
  for (std::string_view bad : {
           std::string_view("From: <sip:a@x>\r\nTo: <sip:b@x>"),         // no empty line at all
           std::string_view("From: <sip:a@x>\r\n"),                      // headers never end
           std::string_view("From <sip:a@x>\r\n\r\n\r\nx"),              // no colon
           std::string_view(": value\r\n\r\n\r\nx"),                     // no name
           std::string_view("From: <sip:a@x>\r\n folded\r\n\r\n\r\nx"),  // folding
           std::string_view("A.B.C: v\r\n\r\n\r\nx"),                    // two prefixes
           std::string_view(".B: v\r\n\r\n\r\nx"),                       // empty prefix
           std::string_view("A@B: v\r\n\r\n\r\nx"),                      // separator in name
           std::string_view("Subject:; x\r\n\r\n\r\nx"),                 // empty param name
           std::string_view("Subject:;a= x\r\n\r\n\r\nx"),               // empty param value
           std::string_view("Subject:;a=\"x y\r\n\r\n\r\nx"),            // unterminated string
           std::string_view("Subject: a\x01z\r\n\r\n\r\nx"),             // control character
           std::string_view("Subject:;a=\"x\ry\" v\r\n\r\n\r\nx"),      // CR in a parameter
           std::string_view("From: <sip:a@x>\r\n\r\nnot a header\r\n\r\nx"),  // content header
           std::string_view(""),
       }) {
    auto m = parse_cpim(bad);
    EXPECT_FALSE(m.ok()) << bad;
  }
  EXPECT_EQ(parse_cpim("x\r\n\r\n\r\n").error().code, MimeErrc::BadCpim);
}

TEST(BuildCpim, RoundTripsThroughTheParser) {
  CpimSpec spec;
  spec.headers = {{"From", "", "<sip:alice@example.com>"},   {"To", "", "<sip:bob@example.com>"},
                  {"DateTime", "", "2024-01-02T03:04:05Z"},  {"Subject", ";lang=en", "hi"},
                  {"NS", "", "imdn <urn:ietf:params:imdn>"}, {"imdn.Message-ID", "", "34jk324j"}};
  spec.content_type = "text/plain;charset=utf-8";
  spec.content_headers = {{"Content-ID", "<1@x>"}};
  spec.content = "Hello\r\nBob";
  auto text = build_cpim(spec);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_TRUE(text->starts_with("From: <sip:alice@example.com>\r\nTo: "));
  EXPECT_NE(text->find("Subject:;lang=en hi\r\n"), std::string::npos);
  auto m = parse_cpim(*text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->headers.size(), spec.headers.size());
  for (std::size_t i = 0; i < spec.headers.size(); ++i) {
    EXPECT_EQ(m->headers[i].name, spec.headers[i].name);
    EXPECT_EQ(m->headers[i].params, spec.headers[i].params);
    EXPECT_EQ(m->headers[i].value, spec.headers[i].value);
  }
  EXPECT_EQ(m->namespace_uri("imdn"), "urn:ietf:params:imdn");
  EXPECT_EQ(m->content_type(), "text/plain;charset=utf-8");
  EXPECT_EQ(m->content_headers.find("content-id"), "<1@x>");
  EXPECT_EQ(m->content, "Hello\r\nBob");
}

TEST(BuildCpim, RejectsHeaderInjection) {
  CpimSpec spec;
  spec.headers = {{"From", "", "<sip:a@x>\r\nTo: <sip:evil@x>"}};
  EXPECT_FALSE(build_cpim(spec).ok());
  spec.headers = {{"Bad Name", "", "v"}};
  EXPECT_FALSE(build_cpim(spec).ok());
  spec.headers = {};
  spec.content_type = "text/plain\r\nX: y";
  EXPECT_FALSE(build_cpim(spec).ok());
  spec.content_type = "text/plain";
  spec.content_headers = {{"X", "a\nb"}};
  EXPECT_FALSE(build_cpim(spec).ok());
}

TEST(CpimUnescape, DecodesRfc3862Escapes) {
  EXPECT_EQ(cpim_unescape("plain"), "plain");
  EXPECT_EQ(cpim_unescape(R"(a\"b\\c\'d\te)"), "a\"b\\c'd\te");
  EXPECT_EQ(cpim_unescape(R"(caf\u00e9)"), "caf\xc3\xa9");
  EXPECT_EQ(cpim_unescape(R"(\u20AC)"), "\xe2\x82\xac");
  EXPECT_EQ(cpim_unescape(R"(\u0041)"), "A");
  EXPECT_FALSE(cpim_unescape(R"(\x)"));
  EXPECT_FALSE(cpim_unescape(R"(\u12)"));
  EXPECT_FALSE(cpim_unescape(R"(\u12g4)"));
  EXPECT_FALSE(cpim_unescape("trailing\\"));
}

}  // namespace
}  // namespace ims::sip
