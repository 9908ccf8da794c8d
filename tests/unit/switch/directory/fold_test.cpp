#include "switch/directory/fold.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ims::sw::directory {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(FoldText, LowercasesAscii) {
  EXPECT_EQ(fold_text("Alice MARTIN"), "alice martin");
  EXPECT_EQ(fold_text("Marco.Rossi@Example.COM"), "marco.rossi@example.com");
}

TEST(FoldText, FoldsLatin1LettersToTheirBaseLetters) {
  EXPECT_EQ(fold_text("ÀÁÂÃÄÅ àáâãäå"), "aaaaaa aaaaaa");
  EXPECT_EQ(fold_text("Çç ÈÉÊË èéêë ÌÍÎÏ ìíîï"), "cc eeee eeee iiii iiii");
  EXPECT_EQ(fold_text("Ññ ÒÓÔÕÖØ òóôõöø ÙÚÛÜ ùúûü Ýýÿ Ðð"), "nn oooooo oooooo uuuu uuuu yyy dd");
  EXPECT_EQ(fold_text("José Núñez"), "jose nunez");
}

TEST(FoldText, SpellsOutLigaturesAndSpecialLetters) {
  EXPECT_EQ(fold_text("Strauß"), "strauss");
  EXPECT_EQ(fold_text("Æsir æble"), "aesir aeble");
  EXPECT_EQ(fold_text("Œuvre cœur"), "oeuvre coeur");
  EXPECT_EQ(fold_text("Þór"), "thor");
  EXPECT_EQ(fold_text("Ĳssel"), "ijssel");
}

TEST(FoldText, FoldsLatinExtendedA) {
  EXPECT_EQ(fold_text("Łukasz Żółć"), "lukasz zolc");
  EXPECT_EQ(fold_text("Dvořák Šťastný"), "dvorak stastny");
  EXPECT_EQ(fold_text("Ğüneş İstanbul ılık"), "gunes istanbul ilik");
  EXPECT_EQ(fold_text("Ōtsuka Ŀlívia ſ"), "otsuka llivia s");
  EXPECT_EQ(fold_text("Ÿves Ŵyn Ŋa"), "yves wyn na");
}

TEST(FoldText, DropsCombiningAccents) {
  EXPECT_EQ(fold_text("Jose\xCC\x81"), "jose");      // e + U+0301
  EXPECT_EQ(fold_text("N\xCC\x83u\xCC\x88"), "nu");  // N + U+0303, u + U+0308
}

TEST(FoldText, LowercasesGreekAndCyrillic) {
  EXPECT_EQ(fold_text("ΕΛΈΝΗ"), "ελενη");
  EXPECT_EQ(fold_text("Ελένη Παπαδοπούλου"), "ελενη παπαδοπουλου");
  EXPECT_EQ(fold_text("Οδυσσεύς"), "οδυσσευσ");  // final sigma
  EXPECT_EQ(fold_text("ИВАН Петров"), "иван петров");
  EXPECT_EQ(fold_text("Алёна ЁЛКИН"), "алена елкин");
  EXPECT_EQ(fold_text("ЂЏ"), "ђџ");
}

TEST(FoldText, KeepsOtherScriptsAndSymbolsAsTheyAre) {
  EXPECT_EQ(fold_text("3×4 ÷ 2"), "3×4 ÷ 2");
  EXPECT_EQ(fold_text("日本"), "日本");
  EXPECT_EQ(fold_text("Ꭰ"), "Ꭰ");  // Cherokee: no folding
}

TEST(FoldText, CollapsesAndTrimsWhiteSpace) {
  EXPECT_EQ(fold_text("  Alice \t\r\n Martin\xC2\xA0 "), "alice martin");
  EXPECT_EQ(fold_text(" \t "), "");
  EXPECT_EQ(fold_text(""), "");
  EXPECT_EQ(fold_text(std::string("a\0b", 3)), "a b");
  // Thin space, narrow no-break space, ideographic space.
  EXPECT_EQ(fold_text("Alice\u2009Martin\u202F\u3000Rossi"), "alice martin rossi");
}

TEST(FoldText, KeepsOneSpaceAroundCharactersThatFoldToNothing) {
  EXPECT_EQ(fold_text("a \xCC\x81 b"), "a b");  // a lone combining accent between spaces
  EXPECT_EQ(fold_text("a \u200B b"), "a b");
  EXPECT_EQ(fold_text("alice \u200B"), "alice");
  EXPECT_EQ(fold_text("\u200B alice"), "alice");
}

TEST(FoldText, DropsInvisibleCharacters) {
  EXPECT_EQ(fold_text("\uFEFFAli\u200Bce"), "alice");  // byte order mark, zero-width space
  EXPECT_EQ(fold_text("Ma\u200Drco\u2060"), "marco");
}

TEST(FoldText, ReplacesEachInvalidByteWithoutReadingPastTheEnd) {
  EXPECT_EQ(fold_text("caf\xC3"), "caf" + kReplacement);  // truncated sequence
  EXPECT_EQ(fold_text("\x80"
                      "abc"),
            kReplacement + "abc");                                // lone continuation
  EXPECT_EQ(fold_text("\xC0\xAF"), kReplacement + kReplacement);  // overlong '/'
  EXPECT_EQ(fold_text("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);  // surrogate
  EXPECT_EQ(fold_text("\xF4\x90\x80\x80").substr(0, 3), kReplacement);  // above U+10FFFF
  EXPECT_EQ(fold_text("\xFF\xFE"), kReplacement + kReplacement);
  EXPECT_EQ(fold_text("\xC3\x28"), kReplacement + "(");          // bad continuation
  EXPECT_EQ(fold_text("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // valid 4 bytes kept
}

TEST(DigitsOf, KeepsOnlyDigitsInOrder) {
  EXPECT_EQ(digits_of("+33 1 23-45"), "3312345");
  EXPECT_EQ(digits_of("(0)20 7946.0018"), "02079460018");
  EXPECT_EQ(digits_of("alice"), "");
}

TEST(LooksLikeNumber, NeedsADigitAndNothingButPhonePunctuation) {
  EXPECT_TRUE(looks_like_number("+33 1 23"));
  EXPECT_TRUE(looks_like_number("2001"));
  EXPECT_TRUE(looks_like_number("(020) 7946-0018"));
  EXPECT_FALSE(looks_like_number("+ -"));
  EXPECT_FALSE(looks_like_number("agent42"));
  EXPECT_FALSE(looks_like_number(""));
}

TEST(WordSeparators, SplitNamesAndEmailAddresses) {
  for (char c : std::string(" .-_@")) EXPECT_TRUE(is_word_separator(c)) << c;
  EXPECT_FALSE(is_word_separator('a'));
  EXPECT_FALSE(is_word_separator('7'));
}

}  // namespace
}  // namespace ims::sw::directory
