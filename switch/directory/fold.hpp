#pragma once
// Text folding for the Team Communicator search (PRODUCT §1): what makes "jose", "JOSÉ" and
// "Jose\u0301" the same word. Pure functions over bytes; any thread.
//
// Folding is deliberately simple and table-driven, not Unicode normalisation: ASCII letters are
// lowercased; the letters of Latin-1 Supplement (U+00C0..U+00FF) and Latin Extended-A
// (U+0100..U+017F) become their ASCII base letters (é → e, ñ → n, ł → l), the ligatures and
// special letters their usual spellings (ß → ss, æ → ae, œ → oe, þ → th, ĳ → ij); combining
// diacritical marks (U+0300..U+036F, the decomposed form of accents) are dropped. Greek and
// Cyrillic capitals become small letters (Greek without its accents, ё as е); other code points
// (CJK, symbols, other scripts) are kept as they are, case included. An invalid UTF-8
// sequence becomes U+FFFD, so it never throws, never reads past the input, and matches only
// another invalid sequence.

#include <string>
#include <string_view>

namespace ims::sw::directory {

// Folded text: lowercase ASCII where a Latin letter was, runs of white space (ASCII controls,
// space, the Unicode spaces) collapsed to one ' ', no leading or trailing space; zero-width
// characters and a byte order mark dropped.
std::string fold_text(std::string_view utf8);

// The characters that start a new word after them (fold_text output): a name's spaces, an
// email's '.', '@', '-', '_' and the punctuation of "O'Brien", "Sales (EMEA)", "R&D/Support".
inline constexpr std::string_view kWordSeparators = " .-_@,'()/+&";
inline bool is_word_separator(char c) { return kWordSeparators.find(c) != std::string_view::npos; }

// The ASCII digits of the text, in order: "+33 1 23-45" → "3312345".
std::string digits_of(std::string_view text);

// Text a person types for a phone number: at least one digit, otherwise only digits, white space
// and + - ( ) . /
bool looks_like_number(std::string_view text);

}  // namespace ims::sw::directory
