#include "common/auth/credentials.hpp"

#include <array>

#include "common/auth/errors.hpp"
#include "common/util/strings.hpp"

namespace ims::auth {
namespace {

Error fail(AuthErrc e, std::string message) {
  return Error{make_error_code(e), std::move(message)};
}

// A parameter name as quoted in an error message (and so in a reason phrase): bounded.
std::string shown(std::string_view name) { return std::string(name.substr(0, 32)); }

constexpr bool is_ctl(char c) { return std::uint8_t(c) < 0x20 || c == 0x7f; }

// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// The parameters this parser knows; each may appear once.
enum Slot : std::size_t {
  kUsername, kRealm, kNonce, kUri, kResponse, kAlgorithm, kCnonce, kOpaque, kQop, kNc,
  kUserhash, kUsernameStar, kSlotCount
};
constexpr std::array<std::string_view, kSlotCount> kSlotNames = {
    "username", "realm", "nonce", "uri", "response", "algorithm",
    "cnonce", "opaque", "qop", "nc", "userhash", "username*"};

// A left-to-right scanner over one credentials value.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  bool done() const { return i_ >= t_.size(); }
  char peek() const { return t_[i_]; }
  void skip_lws() {
    while (i_ < t_.size() && util::is_lws(t_[i_])) ++i_;
  }
  bool eat(char c) {
    if (done() || t_[i_] != c) return false;
    ++i_;
    return true;
  }
  std::string_view token() {
    const std::size_t start = i_;
    while (i_ < t_.size() && is_token_char(t_[i_])) ++i_;
    return t_.substr(start, i_ - start);
  }
  // A parameter name: a token, plus the trailing '*' of RFC 7616's extended "username*".
  std::string_view name() {
    const std::size_t start = i_;
    token();
    eat('*');
    return t_.substr(start, i_ - start);
  }
  // quoted-string (RFC 3261 §25.1) with quoted-pairs resolved; nullopt when unterminated or
  // holding a control character other than HT.
  std::optional<std::string> quoted() {
    // Values rarely hold a quoted-pair: copy up to the first '"' or '\\' in one piece.
    const std::size_t start = ++i_;
    while (i_ < t_.size() && t_[i_] != '"' && t_[i_] != '\\') {
      if (is_ctl(t_[i_]) && t_[i_] != '\t') return std::nullopt;
      ++i_;
    }
    std::string out(t_.substr(start, i_ - start));
    for (; i_ < t_.size(); ++i_) {
      char c = t_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '\\') {
        if (++i_ >= t_.size()) return std::nullopt;
        c = t_[i_];
      }
      if (is_ctl(c) && c != '\t') return std::nullopt;
      out.push_back(c);
    }
    return std::nullopt;
  }
  // An unquoted value: printable bytes up to LWS or ','. Tokens in the grammar; a little wider
  // here because clients write unquoted nonces and URIs ("=" padding, ':', '/').
  std::string_view bare() {
    const std::size_t start = i_;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == ',' || c == '"' || util::is_lws(c) || is_ctl(c)) break;
      ++i_;
    }
    return t_.substr(start, i_ - start);
  }

 private:
  std::string_view t_;
  std::size_t i_ = 0;
};

std::optional<NonceCount> parse_nc(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  const auto bytes = from_hex(text);
  if (!bytes) return std::nullopt;
  std::uint32_t v = 0;
  for (unsigned char b : *bytes) v = v << 8 | b;
  return NonceCount{std::string(text), v};
}

// Reads every "name = value" into values[], checking syntax, bounds and duplicates.
Result<void> scan_params(Scanner& s, std::array<std::optional<std::string>, kSlotCount>& values) {
  std::size_t count = 0;
  for (;;) {
    // Empty list elements ("a=1, , b=2") are allowed by the #rule (RFC 7230 §7).
    s.skip_lws();
    while (s.eat(',')) s.skip_lws();
    if (s.done()) return {};
    if (++count > kMaxCredentialsParams) return fail(AuthErrc::TooLong, "too many parameters");
    const std::string_view name = s.name();
    if (name.empty()) return fail(AuthErrc::Malformed, "expected a parameter name");
    s.skip_lws();
    if (!s.eat('=')) return fail(AuthErrc::Malformed, "expected '=' after " + shown(name));
    s.skip_lws();
    std::string value;
    if (!s.done() && s.peek() == '"') {
      auto q = s.quoted();
      if (!q) return fail(AuthErrc::Malformed, "bad quoted string in " + shown(name));
      value = std::move(*q);
    } else {
      const std::string_view b = s.bare();
      if (b.empty()) return fail(AuthErrc::Malformed, "empty value for " + shown(name));
      value = std::string(b);
    }
    s.skip_lws();
    if (!s.done() && s.peek() != ',')
      return fail(AuthErrc::Malformed, "expected ',' after " + shown(name));
    for (std::size_t k = 0; k < kSlotCount; ++k) {
      if (!util::iequals(name, kSlotNames[k])) continue;
      if (values[k]) return fail(AuthErrc::DuplicateParameter, "duplicate " + shown(name));
      values[k] = std::move(value);
      break;
    }
  }
}

// Checks what the parameters mean once all are known, and moves them into c.
Result<void> interpret(std::array<std::optional<std::string>, kSlotCount>& v, Credentials& c) {
  if (v[kUsernameStar]) return fail(AuthErrc::Unsupported, "username* is not supported");
  if (v[kUserhash] && !util::iequals(*v[kUserhash], "false"))
    return fail(AuthErrc::Unsupported, "userhash is not supported");
  if (v[kAlgorithm]) {
    auto a = parse_algorithm(*v[kAlgorithm]);
    if (!a) return a.error();
    c.algorithm = *a;
  }
  if (v[kQop]) {
    if (!util::iequals(*v[kQop], "auth"))
      return fail(AuthErrc::Unsupported, "unsupported qop " + v[kQop]->substr(0, 32));
    c.qop = Qop::Auth;
  }
  for (Slot k : {kUsername, kRealm, kNonce, kUri, kResponse})
    if (!v[k]) return fail(AuthErrc::MissingParameter, "missing " + std::string(kSlotNames[k]));
  if (c.qop == Qop::Auth) {
    if (!v[kCnonce]) return fail(AuthErrc::MissingParameter, "qop=auth without cnonce");
    if (!v[kNc]) return fail(AuthErrc::MissingParameter, "qop=auth without nc");
  }
  if (v[kNc]) {
    c.nc = parse_nc(*v[kNc]);
    if (!c.nc) return fail(AuthErrc::Malformed, "nc must be 8 hex digits");
  }
  c.username = std::move(*v[kUsername]);
  c.realm = std::move(*v[kRealm]);
  c.nonce = std::move(*v[kNonce]);
  c.uri = std::move(*v[kUri]);
  c.response = std::move(*v[kResponse]);
  c.cnonce = std::move(v[kCnonce]);
  c.opaque = std::move(v[kOpaque]);
  return {};
}

}  // namespace

Result<Credentials> parse_credentials(std::string_view header_value) {
  const std::string_view text = util::trim(header_value);
  if (text.size() > kMaxCredentialsBytes) return fail(AuthErrc::TooLong, "credentials too long");
  Scanner s(text);
  const std::string_view scheme = s.token();
  if (scheme.empty()) return fail(AuthErrc::Malformed, "expected an auth scheme");
  if (!util::iequals(scheme, "Digest")) return fail(AuthErrc::NotDigest, "not Digest");
  if (!s.done() && !util::is_lws(s.peek()))
    return fail(AuthErrc::Malformed, "expected a space after Digest");
  std::array<std::optional<std::string>, kSlotCount> values;
  if (auto r = scan_params(s, values); !r) return r.error();
  Credentials c;
  if (auto r = interpret(values, c); !r) return r.error();
  return c;
}

}  // namespace ims::auth
