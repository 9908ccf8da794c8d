#pragma once
// Small text helpers shared by the protocol layers: case-insensitive ASCII comparison, trimming,
// number parsing without exceptions. SIP is ASCII where these are used (RFC 3261 §7.3.1).

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ims::util {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool is_lws(char c) { return c == ' ' || c == '\t'; }

// Strips spaces, tabs, CR and LF at both ends.
constexpr std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// An IPv6 reference as written in a URI or Via ("[::1]") without its brackets (RFC 3261 §25.1);
// any other text unchanged.
constexpr std::string_view without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

// Parses a whole string of decimal digits into an unsigned value no larger than max.
// No sign, no spaces, no overflow: anything else is std::nullopt.
inline std::optional<std::uint64_t> parse_uint(std::string_view s,
                                               std::uint64_t max = UINT64_MAX) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace ims::util
