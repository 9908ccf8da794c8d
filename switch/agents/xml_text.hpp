#pragma once
// Character-level pieces of the PIDF reader (pidf.cpp): UTF-8 validation, XML 1.0 character
// classes, character references written as UTF-8, and the folding of a note into one bounded
// line. Sans-I/O, internal to switch/agents.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ims::sw::agents::xml {

// The whole text is UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
// and holds no control character but tab, LF and CR (XML 1.0 §2.2).
bool is_clean_text(std::string_view s);

// XML 1.0 §2.2 Char, for character references.
bool is_xml_char(std::uint32_t cp);

// XML white space (§2.3 S).
bool is_space(char c);

// XML 1.0 §2.3 NameChar and NameStartChar, loosely: ASCII letters, digits, '_', '-', '.', ':'
// and any non-ASCII byte (the text is known to be UTF-8 already).
bool is_name_char(char c);
bool is_name_start(char c);

// Whitespace runs become one space, the ends are trimmed, and the text is cut to max bytes at a
// character boundary.
std::string normalise_note(std::string_view text, std::size_t max);

}  // namespace ims::sw::agents::xml
