#include "common/sip/multipart.hpp"

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

// Shaped like RFC 4475 §3.1.1.11 (mpart01): a text part and a binary part.
constexpr std::string_view kMpart01 =
    "--7a9cbec02ceef655\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: binary\n"
    "\n"
    "Hello\n"
    "--7a9cbec02ceef655\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: binary\n"
    "\n"
    "\x30\x82\x01\x52\x06\x09\x2a\x86\n"
    "--7a9cbec02ceef655--\n";

// RFC 2046 §5.1.1's example: preamble, an untyped part, a typed part, epilogue.
constexpr std::string_view kRfc2046 =
    "This is the preamble.  It is to be ignored, though it\n"
    "is a handy place for composition agents to include an\n"
    "explanatory note to non-MIME conformant readers.\n"
    "\n"
    "--simple boundary\n"
    "\n"
    "This is implicitly typed plain US-ASCII text.\n"
    "It does NOT end with a linebreak.\n"
    "--simple boundary\n"
    "Content-type: text/plain; charset=us-ascii\n"
    "\n"
    "This is explicitly typed plain US-ASCII text.\n"
    "It DOES end with a linebreak.\n"
    "\n"
    "--simple boundary--\n"
    "\n"
    "This is the epilogue.  It is also to be ignored.\n";

TEST(MultipartBoundary, ReadsTokenAndQuotedForms) {
  EXPECT_EQ(*multipart_boundary("multipart/mixed;boundary=7a9cbec02ceef655"), "7a9cbec02ceef655");
  EXPECT_EQ(*multipart_boundary("multipart/mixed; boundary=\"simple boundary\""),
            "simple boundary");
  EXPECT_EQ(*multipart_boundary("Multipart/Related ; type=\"application/sdp\" ; BOUNDARY = xyz"),
            "xyz");
  EXPECT_EQ(*multipart_boundary("multipart/mixed;a=\"x;boundary=no\";boundary=yes"), "yes");
}

TEST(MultipartBoundary, RejectsMissingAndInvalidBoundaries) {
  auto code = [](std::string_view ct) {
    auto r = multipart_boundary(ct);
    return r.ok() ? std::error_code{} : r.error().code;
  };
  EXPECT_EQ(code("text/plain;boundary=x"), MimeErrc::NotMultipart);
  EXPECT_EQ(code("multipart/mixed"), MimeErrc::NoBoundary);
  EXPECT_EQ(code("multipart/mixed;charset=x"), MimeErrc::NoBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary="), MimeErrc::BadBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary=\"\""), MimeErrc::BadBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary=\"unterminated"), MimeErrc::BadBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary=\"trailing space \""), MimeErrc::BadBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary=a*b"), MimeErrc::BadBoundary);
  EXPECT_EQ(code("multipart/mixed;boundary=" + std::string(71, 'a')), MimeErrc::BadBoundary);
  EXPECT_TRUE(multipart_boundary("multipart/mixed;boundary=" + std::string(70, 'a')).ok());
}

TEST(ParseMultipart, SplitsPartsWithCrlf) {
  const std::string body = lf_to_crlf(kMpart01);
  auto parts = parse_multipart(body, "7a9cbec02ceef655");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content_type(), "text/plain");
  EXPECT_EQ((*parts)[0].headers.find("content-transfer-encoding"), "binary");
  EXPECT_EQ((*parts)[0].body, "Hello");
  EXPECT_EQ((*parts)[1].content_type(), "application/octet-stream");
  EXPECT_EQ((*parts)[1].body, "\x30\x82\x01\x52\x06\x09\x2a\x86");
}

TEST(ParseMultipart, SplitsPartsWithBareLf) {
  auto parts = parse_multipart(kMpart01, "7a9cbec02ceef655");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, "Hello");
  EXPECT_EQ((*parts)[1].headers.fields.size(), 2u);
}

TEST(ParseMultipart, IgnoresPreambleAndEpilogueAndDefaultsContentType) {
  const std::string body = lf_to_crlf(kRfc2046);
  auto parts = parse_multipart(body, "simple boundary");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_TRUE((*parts)[0].headers.fields.empty());
  EXPECT_EQ((*parts)[0].content_type(), "");
  EXPECT_EQ((*parts)[0].body,
            "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.");
  EXPECT_EQ((*parts)[1].content_type(), "text/plain; charset=us-ascii");
  EXPECT_EQ((*parts)[1].body,
            "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n");
}

TEST(ParseMultipart, MissingCloseDelimiterIsAnError) {
  const std::string body = "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n\r\nagain\r\n";
  auto parts = parse_multipart(body, "b");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, MimeErrc::NoCloseDelimiter);
  EXPECT_EQ(parse_multipart("--b\r\n\r\nhello", "b").error().code, MimeErrc::NoCloseDelimiter);
  EXPECT_EQ(parse_multipart("--b", "b").error().code, MimeErrc::NoCloseDelimiter);
}

TEST(ParseMultipart, BodyWithoutDelimiterIsAnError) {
  EXPECT_EQ(parse_multipart("just text\r\n", "b").error().code, MimeErrc::NoDelimiter);
  EXPECT_EQ(parse_multipart("", "b").error().code, MimeErrc::NoDelimiter);
  EXPECT_EQ(parse_multipart("x--b\r\n\r\n--b--", "b").error().code, MimeErrc::NoDelimiter);
  EXPECT_EQ(parse_multipart("--b--\r\n", "b").error().code, MimeErrc::NoDelimiter);  // no part
}

TEST(ParseMultipart, RejectsBadBoundaryArgument) {
  EXPECT_EQ(parse_multipart("--\r\n", "").error().code, MimeErrc::BadBoundary);
  EXPECT_EQ(parse_multipart("--x", std::string(71, 'x')).error().code, MimeErrc::BadBoundary);
}

TEST(ParseMultipart, LinesThatOnlyStartWithTheBoundaryAreContent) {
  const std::string body =
      "--b\r\n\r\nline\r\n--bx\r\n--b-- trailing\r\nmore\r\n--b \t\r\n\r\nsecond\r\n--b--";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, "line\r\n--bx\r\n--b-- trailing\r\nmore");
  EXPECT_EQ((*parts)[1].body, "second");  // transport padding after a delimiter is allowed
}

TEST(ParseMultipart, EmptyPartsAndHeaderOnlyParts) {
  auto parts = parse_multipart("--b\r\n\r\n\r\n--b\r\nContent-Type: text/plain\r\n--b--\r\n", "b");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, "");
  EXPECT_EQ((*parts)[1].content_type(), "text/plain");
  EXPECT_EQ((*parts)[1].body, "");
}

TEST(ParseMultipart, BadPartHeaderIsAnError) {
  auto r = parse_multipart("--b\r\nnot a header\r\n\r\nbody\r\n--b--", "b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, MimeErrc::BadPartHeader);
  EXPECT_EQ(parse_multipart("--b\r\n: empty name\r\n\r\nx\r\n--b--", "b").error().code,
            MimeErrc::BadPartHeader);
  EXPECT_EQ(parse_multipart("--b\r\n folded first\r\n\r\nx\r\n--b--", "b").error().code,
            MimeErrc::BadPartHeader);
  EXPECT_EQ(parse_multipart("--b\r\nX: a\rb\r\n\r\nx\r\n--b--", "b").error().code,
            MimeErrc::BadPartHeader);  // a CR outside CRLF
  const std::string nul("--b\r\nX: a\0b\r\n\r\nx\r\n--b--", 23);
  EXPECT_EQ(parse_multipart(nul, "b").error().code, MimeErrc::BadPartHeader);
}

TEST(ParseMultipart, FoldedPartHeadersKeepTheirWholeValue) {
  auto parts = parse_multipart(
      "--b\r\nContent-Type: text/plain;\r\n charset=utf-8\r\nContent-ID: <x@y>\r\n\r\nz\r\n--b--",
      "b");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ((*parts)[0].content_type(), "text/plain;\r\n charset=utf-8");
  EXPECT_EQ((*parts)[0].headers.find("Content-ID"), "<x@y>");
  EXPECT_EQ((*parts)[0].body, "z");
}

TEST(ParseMultipart, EnforcesPartLimit) {
  std::string body;
  for (int i = 0; i < 5; ++i) body += "--b\r\n\r\nx\r\n";
  body += "--b--\r\n";
  EXPECT_TRUE(parse_multipart(body, "b", MultipartLimits{5}).ok());
  EXPECT_EQ(parse_multipart(body, "b", MultipartLimits{4}).error().code, MimeErrc::TooManyParts);
}

TEST(ParseMultipart, NestedMultipartParsesWithItsOwnBoundary) {
  const std::string body =
      "--outer\r\nContent-Type: multipart/alternative;boundary=inner\r\n\r\n"
      "--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n--inner--\r\n"
      "--outer--\r\n";
  auto outer = parse_multipart(body, "outer");
  ASSERT_TRUE(outer.ok()) << outer.error().message;
  ASSERT_EQ(outer->size(), 1u);
  auto boundary = multipart_boundary((*outer)[0].content_type());
  ASSERT_TRUE(boundary.ok());
  auto inner = parse_multipart((*outer)[0].body, *boundary);
  ASSERT_TRUE(inner.ok()) << inner.error().message;
  EXPECT_EQ((*inner)[0].body, "hi");
}

TEST(ParseEntity, SplitsHeadersFromBody) {
  auto e = parse_entity("Content-Type: text/plain\nX: y\n\nbody\n");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->headers.fields.size(), 2u);
  EXPECT_EQ(e->headers.find("x"), "y");
  EXPECT_EQ(e->body, "body\n");
  auto no_headers = parse_entity("\r\nbody");
  ASSERT_TRUE(no_headers.ok());
  EXPECT_TRUE(no_headers->headers.fields.empty());
  EXPECT_EQ(no_headers->body, "body");
}

TEST(BuildMultipart, RoundTripsThroughTheParser) {
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";
  const std::vector<PartSpec> specs{
      {"application/sdp", {}, sdp},
      {"text/plain;charset=utf-8", {{"Content-Disposition", "render"}}, "hello"},
      {"application/json", {{"Content-ID", "<case@x>"}}, "{\"a\":1}"},
      {"", {}, std::string_view("\0bin\r\n--", 8)},
  };
  const BuiltMultipart built = build_multipart(specs);
  EXPECT_GE(built.boundary.size(), 1u);
  EXPECT_LE(built.boundary.size(), 70u);
  EXPECT_EQ(built.content_type, "multipart/mixed;boundary=" + built.boundary);
  auto boundary = multipart_boundary(built.content_type);
  ASSERT_TRUE(boundary.ok());
  auto parts = parse_multipart(built.body, *boundary);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ((*parts)[i].content_type(), specs[i].content_type);
    EXPECT_EQ((*parts)[i].body, specs[i].body);
  }
  EXPECT_EQ((*parts)[1].headers.find("Content-Disposition"), "render");
  EXPECT_EQ((*parts)[2].headers.find("Content-ID"), "<case@x>");
}

TEST(BuildMultipart, BoundaryNeverOccursInParts) {
  // Parts that contain earlier boundaries: every new boundary must avoid all of them.
  std::vector<std::string> bodies;
  for (int i = 0; i < 20; ++i) {
    std::vector<PartSpec> specs;
    for (const auto& b : bodies) specs.push_back({"text/plain", {}, b});
    const BuiltMultipart built = build_multipart(specs, "related");
    for (const auto& b : bodies) EXPECT_EQ(b.find(built.boundary), std::string::npos);
    EXPECT_TRUE(built.content_type.starts_with("multipart/related;boundary="));
    bodies.push_back(built.body);
  }
}

}  // namespace
}  // namespace ims::sip
