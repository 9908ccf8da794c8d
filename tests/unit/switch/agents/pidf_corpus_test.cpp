// The PIDF reader against hostile input: a corpus of malformed documents that must each be refused
// with the expected fault, and mutations of a valid document (every truncation, bytes replaced by
// markup characters, seeded random damage) that must never crash, hang or read past the input. Run
// under ASan/UBSan in the sanitizer build.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "switch/agents/pidf.hpp"

namespace ims::sw::agents {
namespace {

struct Case {
  const char* name;
  std::string document;
  PidfErrc expected;
};

std::string wrap(std::string_view inside) {
  return "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">" +
         std::string(inside) + "</presence>";
}

const std::string kTuple =
    "<tuple id=\"t\"><status><basic>closed</basic></status>"
    "<note>lunch</note></tuple>";

std::string nested(std::size_t depth) {
  std::string open;
  std::string close;
  for (std::size_t i = 0; i < depth; ++i) {
    open += "<x>";
    close = "</x>" + close;
  }
  return wrap(kTuple + open + close);
}

std::string many_attributes(std::size_t n) {
  std::string attrs;
  for (std::size_t i = 0; i < n; ++i) attrs += " a" + std::to_string(i) + "=\"v\"";
  return wrap("<tuple id=\"t\"" + attrs + "><status><basic>open</basic></status></tuple>");
}

std::vector<Case> corpus() {
  using E = PidfErrc;
  return {
      {"Empty", "", E::Malformed},
      {"OnlyWhitespace", " \r\n\t ", E::Malformed},
      {"OnlyDeclaration", "<?xml version=\"1.0\"?>", E::Malformed},
      {"PlainText", "open", E::Malformed},
      {"UnclosedRoot", "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\">" + kTuple, E::Malformed},
      {"MismatchedEndTag", wrap("<tuple><status><basic>open</basic></statuz></tuple>"),
       E::Malformed},
      {"EndTagWithoutStart", wrap("</tuple>"), E::Malformed},
      {"TwoRoots", wrap(kTuple) + wrap(kTuple), E::Malformed},
      {"TextAfterRoot", wrap(kTuple) + "trailing", E::Malformed},
      {"TextBeforeRoot", "x" + wrap(kTuple), E::Malformed},
      {"UnterminatedStartTag", "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"", E::Malformed},
      {"UnterminatedAttribute", "<presence xmlns=\"urn:ietf:params:xml:ns:pidf>", E::Malformed},
      {"UnquotedAttribute", "<presence xmlns=urn:ietf:params:xml:ns:pidf>", E::Malformed},
      {"AttributeWithoutValue", "<presence xmlns>", E::Malformed},
      {"DuplicateAttribute", wrap("<tuple id=\"a\" id=\"b\"/>"), E::Malformed},
      {"AttributesNotSeparated", wrap("<tuple id=\"a\"x=\"b\"/>"), E::Malformed},
      {"LessThanInAttribute", wrap("<tuple id=\"a<b\"/>"), E::Malformed},
      {"UndeclaredPrefix", "<p:presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>", E::Malformed},
      {"EmptyPrefixedNamespace", "<p:presence xmlns:p=\"\"/>", E::Malformed},
      {"TwoColonsInName", "<a:b:presence xmlns:a=\"x\"/>", E::Malformed},
      {"BadNameStart", wrap("<1tuple/>"), E::Malformed},
      {"LoneLessThan", wrap("< tuple/>"), E::Malformed},
      {"UnknownEntity",
       wrap("<tuple><status><basic>open</basic></status><note>&nbsp;</note>"
            "</tuple>"),
       E::Malformed},
      {"EntityWithoutSemicolon", wrap("<tuple><note>&amp</note></tuple>"), E::Malformed},
      {"EntityWithNewline", wrap("<tuple><note>&a\r\nb;</note></tuple>"), E::Malformed},
      {"BadDecimalReference", wrap("<tuple><note>&#12a;</note></tuple>"), E::Malformed},
      {"HugeReference", wrap("<tuple><note>&#x110000;</note></tuple>"), E::Malformed},
      {"ReferenceToNul", wrap("<tuple><note>&#0;</note></tuple>"), E::BadEncoding},
      {"ReferenceToSurrogate", wrap("<tuple><note>&#xD800;</note></tuple>"), E::BadEncoding},
      {"ReferenceToControl", wrap("<tuple><note>&#x1B;[31m</note></tuple>"), E::BadEncoding},
      {"RawNul", wrap("<tuple><note>a" + std::string(1, '\0') + "b</note></tuple>"),
       E::BadEncoding},
      {"RawEscape", wrap("<tuple><note>\x1b[2J</note></tuple>"), E::BadEncoding},
      {"InvalidUtf8", wrap("<tuple><note>\xC3\x28</note></tuple>"), E::BadEncoding},
      {"OverlongUtf8", wrap("<tuple><note>\xC0\xAF</note></tuple>"), E::BadEncoding},
      {"TruncatedUtf8", wrap(kTuple) + "\xE2\x98", E::BadEncoding},
      {"Doctype", "<!DOCTYPE presence SYSTEM \"file:///etc/passwd\">" + wrap(kTuple),
       E::DoctypeNotAllowed},
      {"DoctypeInside", wrap("<!DOCTYPE x>" + kTuple), E::DoctypeNotAllowed},
      {"EntityDeclaration", wrap("<!ENTITY x \"y\">" + kTuple), E::Malformed},
      {"UnterminatedComment", wrap("<!-- " + kTuple), E::Malformed},
      {"DoubleHyphenInComment", wrap("<!-- a -- b -->" + kTuple), E::Malformed},
      {"UnterminatedCdata", wrap("<tuple><note><![CDATA[x</note></tuple>"), E::Malformed},
      {"UnterminatedPi", wrap("<?pi " + kTuple), E::Malformed},
      {"TooDeep", nested(kMaxPidfDepth), E::Malformed},
      {"TooManyAttributes", many_attributes(kMaxPidfAttributes + 1), E::Malformed},
      {"NotPresenceRoot", "<tuple xmlns=\"urn:ietf:params:xml:ns:pidf\"/>", E::NotPidf},
      {"PresenceWithoutNamespace", "<presence>" + kTuple + "</presence>", E::NotPidf},
      {"PresenceInOtherNamespace", "<presence xmlns=\"urn:example\">" + kTuple + "</presence>",
       E::NotPidf},
      {"NoTuple", wrap("<note>x</note>"), E::NoStatus},
      {"BasicOutsideStatus", wrap("<tuple><basic>open</basic></tuple>"), E::NoStatus},
      {"BasicInOtherNamespace",
       wrap("<tuple><status><x:basic "
            "xmlns:x=\"urn:x\">open</x:basic></status></tuple>"),
       E::NoStatus},
      {"BasicEmpty", wrap("<tuple><status><basic/></status></tuple>"), E::BadStatus},
      {"BasicUnknown", wrap("<tuple><status><basic>away</basic></status></tuple>"), E::BadStatus},
      {"BasicUpperCase", wrap("<tuple><status><basic>OPEN</basic></status></tuple>"), E::BadStatus},
      {"TooLarge", wrap(kTuple + "<!--" + std::string(kMaxPidfBytes, '-') + "-->"), E::TooLarge},
  };
}

class PidfCorpus : public ::testing::TestWithParam<Case> {};

TEST_P(PidfCorpus, IsRefusedWithItsFault) {
  const Case& c = GetParam();
  auto r = parse_pidf(c.document);
  ASSERT_FALSE(r.ok()) << c.name << " was accepted";
  EXPECT_EQ(r.error().code, make_error_code(c.expected)) << c.name << ": " << r.error().message;
  // The message becomes a reason phrase: one line of text.
  EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(Malformed, PidfCorpus, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.name);
                         });

TEST(PidfCorpusLimits, DepthJustUnderTheBoundIsRead) {
  auto r = parse_pidf(nested(kMaxPidfDepth - 2));  // presence and x elements
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->presence, Presence::NotReady);
}

const std::string kValid =
    "<?xml version=\"1.0\"?>\n<p:presence "
    "xmlns:p=\"urn:ietf:params:xml:ns:pidf\" "
    "entity=\"sip:bob@example.com\"><!-- c --><p:tuple "
    "id='t'><p:status><p:basic>closed"
    "</p:basic></p:status><p:note>lunch &amp; &#x2603; "
    "<![CDATA[<x>]]></p:note></p:tuple>"
    "<p:note>outer</p:note></p:presence>\n";

// Whatever the outcome, a refusal is one line and an acceptance names a state.
void survive(const std::string& document) {
  auto r = parse_pidf(document);
  if (r.ok()) {
    EXPECT_LE(r->reason.size(), kMaxNoteBytes);
    EXPECT_EQ(r->reason.find_first_of("\r\n\t"), std::string::npos);
  } else {
    EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos);
  }
}

TEST(PidfMutations, TheValidDocumentIsRead) {
  auto r = parse_pidf(kValid);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reason, "lunch & \xE2\x98\x83 <x>");
}

TEST(PidfMutations, EveryTruncationIsSurvived) {
  for (std::size_t n = 0; n < kValid.size(); ++n) survive(kValid.substr(0, n));
}

TEST(PidfMutations, MarkupCharactersAnywhereAreSurvived) {
  for (std::size_t i = 0; i < kValid.size(); ++i) {
    for (char c : std::string("<>&;/\"'=!?:[]-\0x", 16)) {
      std::string d = kValid;
      d[i] = c;
      survive(d);
      d.insert(i, 1, c);
      survive(d);
    }
  }
}

TEST(PidfMutations, SeededRandomDamageIsSurvived) {
  std::mt19937 rng(3863);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 20000; ++round) {
    std::string d = kValid;
    std::uniform_int_distribution<std::size_t> where(0, d.size() - 1);
    const int edits = 1 + round % 8;
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = where(rng);
      switch (byte(rng) % 3) {
        case 0: d[at] = static_cast<char>(byte(rng)); break;
        case 1: d.erase(at, 1 + static_cast<std::size_t>(byte(rng) % 8)); break;
        default: d.insert(at, d.substr(where(rng) % d.size(), 12)); break;
      }
      if (d.empty()) break;
      where = std::uniform_int_distribution<std::size_t>(0, d.size() - 1);
    }
    survive(d);
  }
}

}  // namespace
}  // namespace ims::sw::agents
