#include "switch/registrar/response.hpp"

#include <gtest/gtest.h>

#include <string>

#include "register_fixture.hpp"

namespace ims::sw::registrar {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

store::Binding binding(std::string contact, std::string params, std::int64_t expires_at) {
  store::Binding b;
  b.aor = "alice";
  b.contact = std::move(contact);
  b.contact_params = std::move(params);
  b.expires_at_ms = expires_at;
  return b;
}

TEST(RegisterResponse, RemainingSecondsRoundUp) {
  EXPECT_EQ(remaining_seconds(binding("sip:a@h", "", kT0 + 3600'000), kT0), 3600u);
  EXPECT_EQ(remaining_seconds(binding("sip:a@h", "", kT0 + 1), kT0), 1u);
  EXPECT_EQ(remaining_seconds(binding("sip:a@h", "", kT0 + 1500), kT0), 2u);
  EXPECT_EQ(remaining_seconds(binding("sip:a@h", "", kT0), kT0), 0u);
  EXPECT_EQ(remaining_seconds(binding("sip:a@h", "", kT0 - 5000), kT0), 0u);
}

TEST(RegisterResponse, ContactValueCarriesParamsAndRemainingTime) {
  EXPECT_EQ(
      contact_value(binding("sip:a@h;transport=tcp", ";q=0.5;+imswitch.session", kT0 + 300'000),
                    kT0 + 100'000),
      "<sip:a@h;transport=tcp>;q=0.5;+imswitch.session;expires=200");
}

TEST(RegisterResponse, ContactValueReplacesAStoredExpires) {
  EXPECT_EQ(contact_value(binding("sip:a@h", ";expires=9999;q=1", kT0 + 60'000), kT0),
            "<sip:a@h>;q=1;expires=60");
}

TEST(RegisterResponse, ContactValueKeepsDisplayName) {
  auto b = binding("sip:a@h", "", kT0 + 60'000);
  b.display_name = "\"Alice\"";
  EXPECT_EQ(contact_value(b, kT0), "\"Alice\" <sip:a@h>;expires=60");
}

TEST(RegisterResponse, DateIsRfc1123Gmt) {
  EXPECT_EQ(format_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_date(1289690940'000), "Sat, 13 Nov 2010 23:29:00 GMT");  // RFC 3261 §20.17
  EXPECT_EQ(format_date(951825600'999), "Tue, 29 Feb 2000 12:00:00 GMT");
  EXPECT_EQ(format_date(1709251199'000), "Thu, 29 Feb 2024 23:59:59 GMT");
  EXPECT_EQ(format_date(4107542400'000), "Mon, 01 Mar 2100 00:00:00 GMT");
  EXPECT_EQ(format_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(RegisterResponse, OkListsBindingsAndDate) {
  BindingTable table;
  const auto reg = test::reg({"<sip:a@h>;q=0.5", "<sip:b@h>"}, "300");
  auto parsed = reg.parse();
  ASSERT_TRUE(parsed.ok());
  const auto outcome = table.apply(*parsed, "alice", FlowInfo{}, kT0, Settings{});
  const auto rsp = make_register_response(reg.message(), outcome, kT0, "srv1");
  EXPECT_EQ(rsp.status(), 200);
  const auto contacts = rsp.values(sip::HeaderId::Contact);
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0], "<sip:b@h>;expires=300");
  EXPECT_EQ(contacts[1], "<sip:a@h>;q=0.5;expires=300");
  EXPECT_EQ(rsp.get(sip::HeaderId::Date), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(rsp.to_tag(), "srv1");
  EXPECT_EQ(rsp.call_id(), reg.call_id);
}

// RFC 5626 §6: JsSIP and other outbound clients register with +sip.instance and reg-id.
TEST(RegisterResponse, AnOutboundRegistrationIsAnsweredWithRequireOutbound) {
  const std::string instance = "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
  for (const auto& [contact, expected] :
       std::vector<std::pair<std::string, bool>>{{"<sip:a@x.invalid;transport=ws>;reg-id=1;" + instance, true},
                                                 {"<sip:a@x.invalid;transport=ws>;" + instance, false},
                                                 {"<sip:a@h>", false}}) {
    BindingTable table;
    const auto reg = test::reg({contact}, "300");
    auto parsed = reg.parse();
    ASSERT_TRUE(parsed.ok()) << contact;
    const auto outcome = table.apply(*parsed, "alice", FlowInfo{}, kT0, Settings{});
    const auto rsp = make_register_response(reg.message(), outcome, kT0, "srv1");
    ASSERT_EQ(rsp.status(), 200) << contact;
    EXPECT_EQ(rsp.get(sip::HeaderId::Require) == std::optional<std::string_view>("outbound"),
              expected)
        << contact;
  }
}

TEST(RegisterResponse, TooBriefCarriesMinExpires) {
  Outcome o;
  o.status = 423;
  o.min_expires = 60;
  const auto rsp = make_register_response(test::Reg{}.message(), o, kT0, "t");
  EXPECT_EQ(rsp.status(), 423);
  EXPECT_EQ(rsp.get(sip::HeaderId::MinExpires), "60");
  EXPECT_EQ(rsp.count(sip::HeaderId::Contact), 0u);
}

TEST(RegisterResponse, FailureCarriesReason) {
  Outcome o;
  o.status = 500;
  o.reason = "Out-of-Order CSeq";
  const auto rsp = make_register_response(test::Reg{}.message(), o, kT0, "t");
  EXPECT_EQ(rsp.status(), 500);
  EXPECT_EQ(rsp.reason(), "Out-of-Order CSeq");
  EXPECT_EQ(rsp.count(sip::HeaderId::Date), 0u);
}

}  // namespace
}  // namespace ims::sw::registrar
