#include "common/sip/header_id.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

constexpr HeaderId kLast = HeaderId::IdentityInfo;

TEST(HeaderId, EveryCanonicalNameMapsBackToItsId) {
  for (int i = 1; i <= int(kLast); ++i) {
    const auto id = HeaderId(i);
    const auto name = canonical_name(id);
    ASSERT_FALSE(name.empty()) << i;
    EXPECT_EQ(header_id_from_name(name), id) << name;
    EXPECT_EQ(header_id_from_name(util::to_lower(name)), id) << name;
    std::string upper(name);
    for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(header_id_from_name(upper), id) << name;
  }
}

TEST(HeaderId, CanonicalSpellings) {
  EXPECT_EQ(canonical_name(HeaderId::CallId), "Call-ID");
  EXPECT_EQ(canonical_name(HeaderId::CSeq), "CSeq");
  EXPECT_EQ(canonical_name(HeaderId::WwwAuthenticate), "WWW-Authenticate");
  EXPECT_EQ(canonical_name(HeaderId::MinSe), "Min-SE");
  EXPECT_EQ(canonical_name(HeaderId::RAck), "RAck");
  EXPECT_EQ(canonical_name(HeaderId::MimeVersion), "MIME-Version");
  EXPECT_EQ(canonical_name(HeaderId::PAssertedIdentity), "P-Asserted-Identity");
  EXPECT_EQ(canonical_name(HeaderId::Other), "");
}

TEST(HeaderId, CompactFormsOfRfc3261AndExtensions) {
  const std::pair<const char*, HeaderId> compact[] = {
      {"i", HeaderId::CallId},
      {"m", HeaderId::Contact},
      {"e", HeaderId::ContentEncoding},
      {"l", HeaderId::ContentLength},
      {"c", HeaderId::ContentType},
      {"f", HeaderId::From},
      {"s", HeaderId::Subject},
      {"k", HeaderId::Supported},
      {"t", HeaderId::To},
      {"v", HeaderId::Via},
      {"o", HeaderId::Event},
      {"r", HeaderId::ReferTo},
      {"b", HeaderId::ReferredBy},
      {"u", HeaderId::AllowEvents},
      {"x", HeaderId::SessionExpires},
      {"a", HeaderId::AcceptContact},
      {"j", HeaderId::RejectContact},
      {"d", HeaderId::RequestDisposition},
      {"y", HeaderId::Identity},
      {"n", HeaderId::IdentityInfo},
  };
  for (const auto& [name, id] : compact) {
    EXPECT_EQ(header_id_from_name(name), id) << name;
    std::string upper(1, char(name[0] - 'a' + 'A'));
    EXPECT_EQ(header_id_from_name(upper), id) << upper;
  }
}

TEST(HeaderId, LettersWithoutCompactFormAreOther) {
  for (const char* name : {"g", "h", "p", "q", "w", "z", "1", "-", "!"})
    EXPECT_EQ(header_id_from_name(name), HeaderId::Other) << name;
}

TEST(HeaderId, UnknownNamesAreOther) {
  EXPECT_EQ(header_id_from_name(""), HeaderId::Other);
  EXPECT_EQ(header_id_from_name("X-Custom"), HeaderId::Other);
  EXPECT_EQ(header_id_from_name("Vias"), HeaderId::Other);
  EXPECT_EQ(header_id_from_name("Call_ID"), HeaderId::Other);
  EXPECT_EQ(header_id_from_name("Content-Lengthy"), HeaderId::Other);
  EXPECT_EQ(header_id_from_name(std::string(300, 'a')), HeaderId::Other);
}

TEST(HeaderId, CarriageReturnIsNotADash) {
  // The fast comparison lower-cases with OR 0x20, which maps CR onto '-'.
  EXPECT_EQ(header_id_from_name("Call\rID"), HeaderId::Other);
  EXPECT_EQ(header_id_from_name("Max\rForwards"), HeaderId::Other);
}

TEST(HeaderId, SplitListHeadersAreTheRfc3261Lists) {
  for (HeaderId id : {HeaderId::Via, HeaderId::Route, HeaderId::RecordRoute, HeaderId::Contact,
                      HeaderId::Path, HeaderId::ServiceRoute})
    EXPECT_TRUE(is_split_list(id)) << canonical_name(id);
  // Auth headers hold commas between parameters; these are never split.
  for (HeaderId id : {HeaderId::From, HeaderId::To, HeaderId::Allow, HeaderId::Supported,
                      HeaderId::WwwAuthenticate, HeaderId::Authorization, HeaderId::Other})
    EXPECT_FALSE(is_split_list(id)) << canonical_name(id);
}

}  // namespace
}  // namespace ims::sip
