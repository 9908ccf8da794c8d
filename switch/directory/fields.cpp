#include "switch/directory/fields.hpp"

#include <arpa/inet.h>

#include <array>

#include "common/util/strings.hpp"

namespace ims::sw::directory {

namespace {

constexpr bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_login_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '-';
}
constexpr bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

bool has_control(std::string_view s) {
  for (char c : s)
    if (is_control(c)) return true;
  return false;
}

// RFC 1123 §2.1 host name: labels of letters, digits and hyphens, not starting or ending with a
// hyphen, each 1..63 characters, 253 in all.
bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label)
      if (!is_alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool parses_as(int family, std::string_view s) {
  std::array<unsigned char, 16> buf{};
  const std::string text(s);
  return ::inet_pton(family, text.c_str(), buf.data()) == 1;
}

}  // namespace

FieldProblem login_problem(std::string_view login) {
  if (login.empty()) return "missing: every agent needs a login";
  if (login.size() > kMaxLoginLength) return "must be at most 64 characters";
  for (char c : login)
    if (!is_login_char(c)) return "must be letters, digits and . _ ~ + - only (a SIP user name)";
  return std::nullopt;
}

FieldProblem name_problem(std::string_view name) {
  if (util::trim(name).empty()) return "must not be empty";
  if (name.size() > kMaxNameLength) return "must be at most 128 bytes";
  if (has_control(name)) return "must not contain control characters or line breaks";
  return std::nullopt;
}

FieldProblem email_problem(std::string_view email) {
  constexpr std::string_view kShape = "not an email address (expected name@example.com)";
  if (email.size() > kMaxEmailLength) return "must be at most 254 characters";
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != email.npos) {
    return kShape;
  }
  for (char c : email.substr(0, at)) {
    if (is_control(c) || c == ' ' || c == '"' || c == '<' || c == '>' || c == ',') return kShape;
  }
  const std::string_view domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || !is_host_name(domain)) return kShape;
  return std::nullopt;
}

FieldProblem number_problem(std::string_view number) {
  std::string_view digits = number;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > kMaxNumberDigits) {
    return "must be 1 to 20 digits, optionally after a '+' (e.g. 1001 or +33123456789)";
  }
  for (char c : digits) {
    if (!is_digit(c)) {
      return "must be digits only, optionally after a '+' (e.g. 1001 or +33123456789)";
    }
  }
  return std::nullopt;
}

FieldProblem password_problem(std::string_view password) {
  if (password.empty()) return "must not be empty";
  if (password.size() > kMaxPasswordLength) return "must be at most 128 bytes";
  if (has_control(password)) return "must not contain control characters";
  return std::nullopt;
}

FieldProblem hex_problem(std::string_view hex, std::size_t hex_digits) {
  bool ok = hex.size() == hex_digits;
  for (char c : hex) {
    const char l = util::ascii_lower(c);
    ok = ok && (is_digit(l) || (l >= 'a' && l <= 'f'));
  }
  if (ok) return std::nullopt;
  if (hex_digits == 32) return "must be 32 hexadecimal digits (MD5 of login:realm:password)";
  return "must be 64 hexadecimal digits (SHA-256 of login:realm:password)";
}

FieldProblem token_problem(std::string_view token) {
  if (token.empty()) return "must not be empty";
  if (token.size() > kMaxTokenLength) return "must be at most 64 characters";
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-')) {
      return "must be lowercase letters, digits, '_' and '-' only";
    }
  }
  return std::nullopt;
}

FieldProblem caller_pattern_problem(std::string_view pattern) {
  if (pattern.empty()) return "must not be empty";
  if (pattern.size() > kMaxLoginLength) return "must be at most 64 characters";
  for (char c : pattern) {
    if (!is_login_char(c) && c != '*') {
      return "must be login characters (letters, digits, . _ ~ + -) and '*' only";
    }
  }
  return std::nullopt;
}

FieldProblem domain_problem(std::string_view domain) {
  std::string_view d = util::without_brackets(domain);
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.find(':') != std::string_view::npos) {
    if (parses_as(AF_INET6, d)) return std::nullopt;
    return "not a valid IPv6 address";
  }
  // A name whose last label is numeric can only be an IPv4 address (RFC 1123 §2.1).
  const auto last_dot = d.rfind('.');
  const std::string_view last = last_dot == std::string_view::npos ? d : d.substr(last_dot + 1);
  if (!last.empty() && is_digit(last.front())) {
    if (parses_as(AF_INET, d)) return std::nullopt;
    return "not a valid IPv4 address";
  }
  if (is_host_name(d)) return std::nullopt;
  return "must be a host name, an IPv4 address or an IPv6 address";
}

bool is_known_task(std::string_view task) {
  for (std::string_view t : {"im", "voice", "email", "chat", "workitem"})
    if (t == task) return true;
  return false;
}

std::string canonical_host(std::string_view host) {
  std::string_view h = util::without_brackets(util::trim(host));
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  if (h.find(':') != std::string_view::npos) {
    std::array<unsigned char, 16> buf{};
    const std::string text(h);
    if (::inet_pton(AF_INET6, text.c_str(), buf.data()) == 1) {
      std::array<char, INET6_ADDRSTRLEN> out{};
      if (::inet_ntop(AF_INET6, buf.data(), out.data(), out.size()) != nullptr) {
        return std::string(out.data());
      }
    }
  }
  return util::to_lower(h);
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative wildcard match with one backtrack point: linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace ims::sw::directory
