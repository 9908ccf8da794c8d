#include "client/interaction.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"

namespace ims::client {
namespace {

TEST(Interaction, CarriesKindIdAndCaseDataAsJson) {
  Interaction call(InteractionKind::Voice, "call-42");
  call.set("customer", std::string("Ann Smith"));
  call.set("order", nlohmann::json{{"id", 1234}, {"total", 99.5}});
  EXPECT_EQ(call.get("customer").value_or(""), "Ann Smith");
  EXPECT_FALSE(call.get("order"));  // not a string
  EXPECT_FALSE(call.get("missing"));

  const auto j = nlohmann::json::parse(call.to_json());
  EXPECT_EQ(j["interaction"]["kind"], "voice");
  EXPECT_EQ(j["interaction"]["id"], "call-42");
  EXPECT_EQ(j["customer"], "Ann Smith") << "at the top, where the switch reads case data";
  EXPECT_EQ(j["order"]["id"], 1234);
}

TEST(Interaction, ReadsBackWhatItWrites) {
  for (auto kind : {InteractionKind::Voice, InteractionKind::Email, InteractionKind::Chat,
                    InteractionKind::Workitem}) {
    Interaction i(kind, "id-1");
    i.set("k", std::string("v"));
    auto back = Interaction::from_json(i.to_json());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->kind(), kind);
    EXPECT_EQ(back->id(), "id-1");
    EXPECT_EQ(back->get("k").value_or(""), "v");
  }
}

TEST(Interaction, TheInteractionKeyIsReservedAndTheEarlierFormIsRead) {
  Interaction i(InteractionKind::Chat, "chat-1");
  i.set("interaction", std::string("clobbered?"));
  auto back = Interaction::from_json(i.to_json());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id(), "chat-1");

  auto old = Interaction::from_json(
      R"({"interaction":{"kind":"voice","id":"v-1"},"case":{"contact_id":"c-42"}})");
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->get("contact_id").value_or(""), "c-42");
  EXPECT_FALSE(old->case_data().contains("case"));
}

TEST(Interaction, RefusesTextThatIsNotCaseData) {
  for (std::string_view bad :
       {"", "not json", "[]", "{}", R"({"interaction":{"kind":"fax","id":"1"}})",
        R"({"interaction":{"kind":"chat"}})"}) {
    auto r = Interaction::from_json(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ClientErrc::BadBody);
  }
}

}  // namespace
}  // namespace ims::client
