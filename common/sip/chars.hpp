#pragma once
// Character classes of the SIP grammar (RFC 3261 §25.1), as one 256-entry table so that every
// scanner in common/sip tests a byte with one load. Private to common/sip.

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ims::sip::chars {

enum : std::uint16_t {
  kToken = 1 << 0,  // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  kWord = 1 << 1,   // word (Call-ID): token chars plus ( ) < > : \ DQUOTE / [ ] ? { }
  kHost = 1 << 2,   // hostname / IPv4 characters: alphanum "-" "." (and "_", seen in the wild)
  kCtl = 1 << 3,    // %x00-1F and %x7F (HT included; callers allow it where LWS is allowed)
  kDigit = 1 << 4,
  kAlpha = 1 << 5,
  kScheme = 1 << 6,      // scheme tail: ALPHA / DIGIT / "+" / "-" / "."
  kParamValue = 1 << 7,  // gen-value without quotes: token / host (IPv6 references included)
  kHex = 1 << 8,
  kUri = 1 << 9,   // may appear in a URI written in a header: not CTL, SP, '<', '>', DQUOTE
  kLws = 1 << 10,  // SP, HT
};

constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint16_t v = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    const bool token_mark = std::string_view("-.!%*_+`'~").find(char(c)) != std::string_view::npos;
    const bool word_mark =
        std::string_view("()<>:\\\"/[]?{}").find(char(c)) != std::string_view::npos;
    if (digit) v |= kDigit;
    if (alpha) v |= kAlpha;
    if (hex) v |= kHex;
    if (digit || alpha || token_mark) v |= kToken | kWord | kParamValue;
    if (word_mark) v |= kWord;
    if (digit || alpha || c == '-' || c == '.' || c == '_') v |= kHost;
    if (digit || alpha || c == '+' || c == '-' || c == '.') v |= kScheme;
    if (c == ':' || c == '[' || c == ']') v |= kParamValue;
    if (c < 0x20 || c == 0x7f) v |= kCtl;
    if (c > 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"') v |= kUri;
    if (c == ' ' || c == '\t') v |= kLws;
    t[c] = v;
  }
  return t;
}

inline constexpr std::array<std::uint16_t, 256> kTable = make_table();

constexpr bool is(char c, std::uint16_t cls) { return (kTable[std::uint8_t(c)] & cls) != 0; }
constexpr bool is_token(char c) { return is(c, kToken); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_lws(char c) { return c == ' ' || c == '\t'; }

// True when every character of s has class cls (and s is not empty).
constexpr bool all_of(std::string_view s, std::uint16_t cls) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is(c, cls)) return false;
  return true;
}

// Case-insensitive equality with a lower-case letters-only literal (parameter names, schemes):
// OR-ing 0x20 lower-cases a letter and maps no other byte onto a lower-case letter.
constexpr bool equals_lower(std::string_view s, std::string_view lower_letters) {
  if (s.size() != lower_letters.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (char(s[i] | 0x20) != lower_letters[i]) return false;
  return true;
}

// A decimal number of at most 18 digits no larger than max, the whole of s (no sign, no
// spaces). Inline because the parser reads several per message (CSeq, ports, lengths).
constexpr bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty() || s.size() > 18) {
    // More than 18 digits can only be valid with leading zeros.
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    if (s.empty() || s.size() > 18) return false;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + std::uint64_t(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

// LWS trimming (SP and HT only: the parser has already unfolded CRLFs to spaces).
constexpr std::string_view trim_lws(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

// Index just past the quoted-string that starts at s[i] == '"', or npos when it is unterminated.
// quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F), RFC 3261 §25.1.
constexpr std::size_t skip_quoted(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n') return std::string_view::npos;
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The first byte in [p, end) that is a control character (%x00-1F or %x7F: CR, LF and HT
// included), or end. Eight bytes per step: the header scanner's inner loop (RFC 3261 §25.1 lets
// controls appear in a header only as CRLF, HT in LWS, or inside a quoted-pair).
inline const char* find_control(const char* p, const char* end) {
#if defined(__SSE2__)
  // 16 bytes per step: b <= 0x1f (unsigned: max(b, 0x1f) == 0x1f) or b == 0x7f.
  const __m128i k1f = _mm_set1_epi8(0x1f);
  const __m128i k7f = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i ctl =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, k1f), k1f), _mm_cmpeq_epi8(x, k7f));
    if (const int m = _mm_movemask_epi8(ctl)) return p + std::countr_zero(unsigned(m));
    p += 16;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
    while (end - p >= 8) {
      std::uint64_t x;
      std::memcpy(&x, p, 8);
      // Per byte: b < 0x20, and b == 0x7f. The lowest flagged byte of each test is exact
      // (a borrow only propagates upwards from a byte that itself matched).
      const std::uint64_t below = (x - 0x20 * k01) & ~x & k80;
      const std::uint64_t y = x ^ (0x7f * k01);
      const std::uint64_t del = (y - k01) & ~y & k80;
      if (const std::uint64_t m = below | del) return p + (std::countr_zero(m) >> 3);
      p += 8;
    }
  }
  while (p < end && !is(*p, kCtl)) ++p;
  return p;
}

// Calls f(element) for each element of a comma-separated header value (RFC 3261 §7.3.1),
// skipping commas inside quoted strings (with their quoted-pairs) and angle brackets. Elements
// are LWS-trimmed; empty ones are skipped. f returns false to stop early. Linear in the input.
template <class F>
constexpr void for_each_element(std::string_view v, F&& f) {
  std::size_t start = 0;
  bool in_angle = false;
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == '"') {
      const std::size_t end = skip_quoted(v, i);
      i = end == std::string_view::npos ? v.size() : end;
      continue;
    }
    if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      const std::string_view e = trim_lws(v.substr(start, i - start));
      if (!e.empty() && !f(e)) return;
      start = i + 1;
    }
    ++i;
  }
  const std::string_view e = trim_lws(v.substr(start));
  if (!e.empty()) f(e);
}

}  // namespace ims::sip::chars
