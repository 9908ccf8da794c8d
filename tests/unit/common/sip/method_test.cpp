#include "common/sip/method.hpp"

#include <gtest/gtest.h>

namespace ims::sip {
namespace {

TEST(Method, EveryKnownNameRoundTrips) {
  for (Method m : {Method::Invite, Method::Ack, Method::Bye, Method::Cancel, Method::Options,
                   Method::Register, Method::Message, Method::Info, Method::Update, Method::Prack,
                   Method::Subscribe, Method::Notify, Method::Publish, Method::Refer}) {
    EXPECT_FALSE(method_name(m).empty());
    EXPECT_EQ(method_from_name(method_name(m)), m) << method_name(m);
  }
}

TEST(Method, NamesAreCaseSensitive) {
  // RFC 3261 §7.1: "invite" is an extension method, not INVITE.
  EXPECT_EQ(method_from_name("invite"), Method::Unknown);
  EXPECT_EQ(method_from_name("Message"), Method::Unknown);
  EXPECT_EQ(method_from_name("MESSAGE"), Method::Message);
}

TEST(Method, UnknownNamesAreUnknown) {
  EXPECT_EQ(method_from_name(""), Method::Unknown);
  EXPECT_EQ(method_from_name("FOO"), Method::Unknown);
  EXPECT_EQ(method_from_name("INVITEX"), Method::Unknown);
  EXPECT_EQ(method_name(Method::Unknown), "");
}

TEST(Method, TokenAcceptsEveryTokenCharacter) {
  // RFC 4475 §3.1.1.2 uses this method name.
  EXPECT_TRUE(is_token("!interesting-Method0123456789_*+`.%indeed'~"));
  EXPECT_TRUE(is_token("INVITE"));
}

TEST(Method, TokenRejectsSeparatorsAndEmpty) {
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("IN VITE"));
  EXPECT_FALSE(is_token("A:B"));
  EXPECT_FALSE(is_token("A/B"));
  EXPECT_FALSE(is_token("\"A\""));
  EXPECT_FALSE(is_token(std::string_view("A\0B", 3)));
  EXPECT_FALSE(is_token("caf\xc3\xa9"));
}

}  // namespace
}  // namespace ims::sip
