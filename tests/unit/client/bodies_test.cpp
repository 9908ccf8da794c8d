#include "client/bodies.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"
#include "common/sip/multipart.hpp"

namespace ims::client {
namespace {

using namespace std::chrono_literals;

TEST(SdpWithoutMedia, HasTheRequiredLinesAndNoMedia) {
  const std::string sdp = sdp_without_media("alice", "127.0.0.1", 42, 1);
  EXPECT_EQ(sdp, "v=0\r\no=alice 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
  EXPECT_NE(sdp_without_media("bob", "[::1]", 1, 2).find("IN IP6 ::1\r\n"), std::string::npos);
}

TEST(InviteBody, IsMultipartMixedOfSdpTextAndCaseData) {
  const std::string sdp = sdp_without_media("alice", "127.0.0.1", 1, 1);
  Body body = invite_body(sdp, "Can you help with a refund?", std::string(R"({"case":1})"));
  ASSERT_TRUE(body.content_type.starts_with("multipart/mixed;boundary="));
  auto boundary = sip::multipart_boundary(body.content_type);
  ASSERT_TRUE(boundary.ok());
  auto parts = sip::parse_multipart(body.text, *boundary);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].content_type(), "application/sdp");
  EXPECT_EQ((*parts)[0].body, sdp);
  EXPECT_EQ((*parts)[1].content_type(), "text/plain;charset=utf-8");
  EXPECT_EQ((*parts)[1].body, "Can you help with a refund?");
  EXPECT_EQ((*parts)[2].content_type(), "application/json");
  EXPECT_EQ((*parts)[2].body, R"({"case":1})");

  Body no_case = invite_body(sdp, "hi", std::nullopt);
  EXPECT_EQ(
      sip::parse_multipart(no_case.text, *sip::multipart_boundary(no_case.content_type))->size(),
      2u);
}

TEST(ReadInvitation, ReadsWhatInviteBodyBuilds) {
  Body body = invite_body(sdp_without_media("a", "127.0.0.1", 1, 1), "first words",
                          std::string(R"({"k":"v"})"));
  auto c = read_invitation(body.content_type, body.text);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->first_text, "first words");
  EXPECT_EQ(c->case_json.value_or(""), R"({"k":"v"})");
  ASSERT_TRUE(c->sdp);
  EXPECT_TRUE(c->sdp->starts_with("v=0"));
}

TEST(ReadInvitation, ReadsPlainTextCpimAndMultipartWithCpim) {
  auto plain = read_invitation("text/plain", "hello");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->first_text, "hello");
  EXPECT_FALSE(plain->case_json);

  const std::string cpim =
      "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n\r\n"
      "Content-Type: text/plain\r\n\r\nvia cpim";
  auto c = read_invitation("message/cpim", cpim);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->first_text, "via cpim");

  const std::string multi = "--b1\r\nContent-Type: message/cpim\r\n\r\n" + cpim + "\r\n--b1--\r\n";
  auto m = read_invitation("multipart/mixed;boundary=b1", multi);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->first_text, "via cpim");

  auto none = read_invitation("", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->first_text, "");
}

TEST(ReadInvitation, RefusesBrokenBodies) {
  for (auto [type, body] :
       {std::pair{"multipart/mixed;boundary=b1", "--b1\r\nno close"},
        std::pair{"multipart/mixed", "--b1\r\n\r\nx\r\n--b1--"},
        std::pair{"message/cpim", "no empty line"}, std::pair{"image/png", "\x89PNG"}}) {
    auto r = read_invitation(type, body);
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(r.error().code, ClientErrc::BadBody);
  }
}

TEST(MessageText, AcceptsTextPlainAndCpimOnly) {
  EXPECT_EQ(message_text("text/plain;charset=utf-8", "hi").value(), "hi");
  EXPECT_EQ(message_text("", "untyped").value(), "untyped");
  EXPECT_FALSE(message_text("application/json", "{}").ok());
  EXPECT_FALSE(
      message_text("message/cpim", "From: <sip:a@b>\r\n\r\nContent-Type: image/png\r\n\r\nx").ok());
}

TEST(Stamp, ParsesTheSwitchsHeader) {
  auto s = parse_stamp("2026-12-03T08:15:02.123Z;seq=3");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->seq, 3u);
  // 2026-12-03 is day 20,790 since 1970-01-01.
  const auto expected = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(
          20790LL * 86400'000 + (8 * 3600 + 15 * 60 + 2) * 1000LL + 123)));
  EXPECT_EQ(s->time, expected);
  EXPECT_EQ(format_stamp(*s), "2026-12-03T08:15:02.123Z;seq=3");
}

TEST(Stamp, AcceptsOtherFractionsAndParameters) {
  EXPECT_EQ(format_stamp(parse_stamp(" 2024-02-29T23:59:59Z ; seq=10 ;x=y").value()),
            "2024-02-29T23:59:59.000Z;seq=10");
  EXPECT_EQ(format_stamp(parse_stamp("1970-01-01T00:00:00.5Z;seq=1").value()),
            "1970-01-01T00:00:00.500Z;seq=1");
  EXPECT_EQ(format_stamp(parse_stamp("2000-03-01T00:00:00.123456789Z;seq=7").value()),
            "2000-03-01T00:00:00.123Z;seq=7");
}

TEST(Stamp, RefusesMalformedValues) {
  for (std::string_view bad :
       {"", "2026-12-03T08:15:02.123Z", "2026-12-03T08:15:02.123;seq=1",
        "2026-12-03 08:15:02Z;seq=1", "2026-13-03T08:15:02Z;seq=1", "2026-12-03T24:00:00Z;seq=1",
        "2026-12-03T08:15:02.Z;seq=1", "2026-12-03T08:15:02Zjunk;seq=1",
        "2026-12-03T08:15:02Z;seq=x", "26-12-03T08:15:02Z;seq=1"}) {
    auto s = parse_stamp(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ClientErrc::BadBody);
  }
}

TEST(Stamp, FormatsTimesBeforeAndAfterLeapDays) {
  for (std::string_view text : {"2024-02-29T12:00:00.001Z;seq=1", "2100-03-01T00:00:00.999Z;seq=2",
                                "1999-12-31T23:59:59.000Z;seq=3"}) {
    EXPECT_EQ(format_stamp(parse_stamp(text).value()), text);
  }
}

}  // namespace
}  // namespace ims::client
