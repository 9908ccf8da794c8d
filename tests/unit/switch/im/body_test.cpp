// first_message(): the message an IM-session INVITE carries, from each body PRODUCT §4 allows.

#include "switch/im/body.hpp"

#include <gtest/gtest.h>

namespace ims::sw::im {
namespace {

TEST(FirstMessage, APlainTextBodyIsTheMessage) {
  auto m = first_message("text/plain;charset=UTF-8", "Hello Bob");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->content_type, "text/plain;charset=UTF-8");
  EXPECT_EQ(m->body, "Hello Bob");
}

TEST(FirstMessage, ACpimBodyIsKeptWhole) {
  const std::string cpim =
      "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n\r\n"
      "Content-Type: text/plain\r\n\r\nHello";
  auto m = first_message("Message/CPIM", cpim);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->content_type, "Message/CPIM");
  EXPECT_EQ(m->body, cpim);
}

TEST(FirstMessage, TheTextPartOfAMultipartWithSdpAndCaseData) {
  const std::string body =
      "--b1\r\nContent-Type: application/sdp\r\n\r\n"
      "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "\r\n--b1\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nCan you take case 42?"
      "\r\n--b1\r\nContent-Type: application/json\r\n\r\n{\"case\":42}\r\n--b1--\r\n";
  auto m = first_message("multipart/mixed;boundary=b1", body);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->content_type, "text/plain;charset=UTF-8");
  EXPECT_EQ(m->body, "Can you take case 42?");
}

TEST(FirstMessage, AnAudioOfferOrAMultipartWithoutTextIsRefused) {
  EXPECT_FALSE(first_message("application/sdp", "v=0\r\nm=audio 4000 RTP/AVP 0\r\n").ok());
  EXPECT_FALSE(first_message("", "").ok());
  const std::string body = "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b1--\r\n";
  EXPECT_FALSE(first_message("multipart/mixed;boundary=b1", body).ok());
  EXPECT_FALSE(first_message("multipart/mixed;boundary=b1", "no delimiter").ok());
}

TEST(CaseData, TheJsonPartsTopLevelMembersAsText) {
  const std::string body =
      "--b1\r\nContent-Type: text/plain\r\n\r\nCan you take case 42?"
      "\r\n--b1\r\nContent-Type: application/json\r\n\r\n"
      "{\"topic\":\"billing\",\"case\":42,\"vip\":true,\"contact\":{\"id\":7},\"x\":null}"
      "\r\n--b1--\r\n";
  const auto data = case_data("multipart/mixed;boundary=b1", body);
  using KV = std::pair<std::string, std::string>;
  EXPECT_EQ(data, (std::vector<KV>{{"case", "42"}, {"topic", "billing"}, {"vip", "true"}}));
  EXPECT_EQ(case_data("application/json", "{\"skill\":\"french\"}"),
            (std::vector<KV>{{"skill", "french"}}));
}

TEST(CaseData, AnythingElseIsNoCaseDataNotAnError) {
  EXPECT_TRUE(case_data("text/plain", "{\"a\":\"b\"}").empty());
  EXPECT_TRUE(case_data("application/json", "{\"a\":").empty());
  EXPECT_TRUE(case_data("application/json", "[1,2]").empty());
  EXPECT_TRUE(case_data("multipart/mixed;boundary=b1", "--b1\r\nbroken").empty());
  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  EXPECT_EQ(case_data("application/json", many + "}").size(), kMaxCaseDataKeys);
  EXPECT_TRUE(case_data("application/json",
                        "{\"a\":\"" + std::string(kMaxCaseDataValue + 1, 'x') + "\"}")
                  .empty());
}

}  // namespace
}  // namespace ims::sw::im
