// PIDF (RFC 3863): what the switch reads from a PUBLISH body and the document it writes.
#include "switch/agents/pidf.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ims::sw::agents {
namespace {

std::string doc(std::string_view tuple_body, std::string_view after_tuple = {}) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
         "entity=\"sip:bob@example.com\">\n"
         "  <tuple id=\"t1\">" +
         std::string(tuple_body) + "</tuple>" + std::string(after_tuple) + "\n</presence>\n";
}

TEST(Pidf, OpenIsReady) {
  auto r = parse_pidf(doc("<status><basic>open</basic></status>"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->presence, Presence::Ready);
  EXPECT_EQ(r->reason, "");
}

TEST(Pidf, ClosedIsNotReadyWithTheNoteAsReason) {
  auto r = parse_pidf(doc("<status><basic> closed </basic></status><note>lunch</note>"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->presence, Presence::NotReady);
  EXPECT_EQ(r->reason, "lunch");
}

TEST(Pidf, TupleNoteWinsOverPresenceNote) {
  auto r =
      parse_pidf(doc("<status><basic>closed</basic></status><note>meeting</note>"
                     "<note>second</note>",
                     "<note>outer</note>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason, "meeting");
}

TEST(Pidf, PresenceNoteIsTakenWhenTheTupleHasNone) {
  auto r = parse_pidf(
      "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
      "entity='sip:a@b'><note>away</note>"
      "<tuple "
      "id='x'><status><basic>closed</basic></status></tuple></presence>");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reason, "away");
}

TEST(Pidf, NamespacePrefixesAreResolved) {
  auto r = parse_pidf(
      "<p:presence xmlns:p=\"urn:ietf:params:xml:ns:pidf\" "
      "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
      "entity=\"sip:bob@example.com\">"
      "<p:tuple "
      "id=\"a\"><p:status><p:basic>closed</"
      "p:basic><rpid:basic>open</rpid:basic>"
      "</p:status><p:note xml:lang=\"en\">on a "
      "break</p:note></p:tuple></p:presence>");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->presence, Presence::NotReady);
  EXPECT_EQ(r->reason, "on a break");
}

TEST(Pidf, ElementsOfOtherNamespacesAreSkipped) {
  // A data-model person with a note of its own (RFC 4479) does not count.
  auto r = parse_pidf(
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
      "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" entity=\"sip:a@b\">"
      "<dm:person id=\"p\"><dm:note>person note</dm:note><note>not pidf "
      "here</note></dm:person>"
      "<tuple "
      "id=\"t\"><status><basic>open</basic></status></tuple></presence>");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->presence, Presence::Ready);
  EXPECT_EQ(r->reason, "");
}

TEST(Pidf, OnlyTheFirstTupleCounts) {
  auto r = parse_pidf(doc("<status><basic>open</basic></status>",
                          "<tuple id='t2'><status><basic>closed</basic></status></tuple>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->presence, Presence::Ready);
}

TEST(Pidf, EntitiesAndCharacterReferencesAreDecoded) {
  auto r =
      parse_pidf(doc("<status><basic>closed</basic></status>"
                     "<note>&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; "
                     "&#233;&#x2603;</note>"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reason, "<b> & \"q\" 'a' \xC3\xA9\xE2\x98\x83");
}

TEST(Pidf, CdataAndCommentsInsideTheNote) {
  auto r =
      parse_pidf(doc("<status><basic>closed</basic></status>"
                     "<note>a<!-- hidden --><![CDATA[ <raw> ]]>b</note>"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reason, "a <raw> b");
}

TEST(Pidf, NoteWhitespaceIsFoldedSoItCannotForgeALogLine) {
  auto r =
      parse_pidf(doc("<status><basic>closed</basic></status>"
                     "<note>\n  lunch\r\nINFO fake line&#10;x\t </note>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason, "lunch INFO fake line x");
}

TEST(Pidf, LongNoteIsCutAtACharacterBoundary) {
  std::string note;
  for (int i = 0; i < 200; ++i) note += "\xC3\xA9";  // 400 bytes of 'é'
  auto r = parse_pidf(doc("<status><basic>closed</basic></status><note>" + note + "</note>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason.size(), kMaxNoteBytes);
  EXPECT_EQ(r->reason, note.substr(0, kMaxNoteBytes));
}

TEST(Pidf, BomAndProcessingInstructionsAreAccepted) {
  auto r = parse_pidf("\xEF\xBB\xBF<?xml version='1.0'?><!-- c --><?pi x?>\n" +
                      doc("<status><basic>open</basic></status>").substr(39) + "<!-- end -->");
  ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST(Pidf, RefusesWhatIsNotPidf) {
  EXPECT_EQ(parse_pidf("<presence><tuple/></presence>").error().code, PidfErrc::NotPidf);
  EXPECT_EQ(parse_pidf("<x xmlns='urn:ietf:params:xml:ns:pidf'/>").error().code, PidfErrc::NotPidf);
}

TEST(Pidf, RefusesAMissingOrUnknownBasic) {
  EXPECT_EQ(parse_pidf(doc("<status/>")).error().code, PidfErrc::NoStatus);
  EXPECT_EQ(parse_pidf(doc("<status><basic>busy</basic></status>")).error().code,
            PidfErrc::BadStatus);
  EXPECT_EQ(parse_pidf(doc("<status><basic>op<b/>en</basic></status>")).error().code,
            PidfErrc::BadStatus);
}

TEST(Pidf, RefusesADoctypeSoNoEntityIsEverExpanded) {
  auto r = parse_pidf(
      "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY a 'aaaa'>]>"
      "<presence "
      "xmlns='urn:ietf:params:xml:ns:pidf'><tuple><status><basic>open</basic>"
      "</status><note>&a;</note></tuple></presence>");
  EXPECT_EQ(r.error().code, PidfErrc::DoctypeNotAllowed);
}

TEST(Pidf, RefusesDocumentsOverTheBound) {
  std::string big = doc("<status><basic>open</basic></status><note>" +
                        std::string(kMaxPidfBytes, 'x') + "</note>");
  EXPECT_EQ(parse_pidf(big).error().code, PidfErrc::TooLarge);
}

TEST(Pidf, BuildsADocumentItReadsBack) {
  const AgentState state{Presence::NotReady, "lunch & <coffee> \"now\""};
  const std::string text = build_pidf("sip:bob@example.com", state);
  EXPECT_NE(text.find("<basic>closed</basic>"), std::string::npos) << text;
  EXPECT_NE(text.find("entity=\"sip:bob@example.com\""), std::string::npos) << text;
  EXPECT_NE(text.find("&lt;coffee&gt;"), std::string::npos) << text;
  auto back = parse_pidf(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, state);
  auto ready = parse_pidf(build_pidf("sip:bob@example.com", AgentState{}));
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, AgentState{});
}

TEST(Pidf, RecognisesItsContentType) {
  EXPECT_TRUE(is_pidf_content_type("application/pidf+xml"));
  EXPECT_TRUE(is_pidf_content_type("Application/PIDF+XML ; charset=UTF-8"));
  EXPECT_FALSE(is_pidf_content_type("application/xml"));
  EXPECT_FALSE(is_pidf_content_type("text/plain"));
  EXPECT_FALSE(is_pidf_content_type(""));
}

}  // namespace
}  // namespace ims::sw::agents
