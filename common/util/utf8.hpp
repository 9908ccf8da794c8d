#pragma once
// UTF-8 (RFC 3629) for the places that read or write it by code point: JSON and XML escapes,
// CPIM headers, the directory's folding, WebSocket text frames.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ims::util {

// Appends code point cp (at most U+10FFFF) as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Decodes the code point at text[i] and moves i past it. An invalid sequence - a stray or
// truncated byte, an overlong form, a surrogate, a value above U+10FFFF (RFC 3629 §3) - gives
// nullopt and moves i one byte on. i must be below text.size().
std::optional<char32_t> next_utf8(std::string_view text, std::size_t& i);

// Every byte of text is part of a valid sequence.
bool valid_utf8(std::string_view text);

}  // namespace ims::util
