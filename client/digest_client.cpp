#include "client/digest_client.hpp"

#include <fmt/format.h>

#include "client/errors.hpp"
#include "common/sip/header_values.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::client {
namespace {

Error bad(std::string message) { return Error{ClientErrc::BadChallenge, std::move(message)}; }

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.!%*_+`'~/:@[]=").find(c) != std::string_view::npos;
}

struct Param {
  std::string name;   // lower-cased
  std::string value;  // quotes removed, quoted-pairs resolved
};

// auth-param *( COMMA auth-param ), values token or quoted-string (RFC 3261 §25.1).
Result<std::vector<Param>> parse_params(std::string_view s) {
  std::vector<Param> out;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  };
  while (true) {
    skip_ws();
    if (i >= s.size()) break;
    std::size_t start = i;
    while (i < s.size() && is_token_char(s[i]) && s[i] != '=') ++i;
    if (i == start) return bad("a challenge parameter has no name");
    Param p{util::to_lower(s.substr(start, i - start)), {}};
    skip_ws();
    if (i >= s.size() || s[i] != '=') return bad("challenge parameter " + p.name + " has no value");
    ++i;
    skip_ws();
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          p.value += s[i + 1];
          i += 2;
        } else if (s[i] == '"') {
          ++i;
          closed = true;
          break;
        } else {
          p.value += s[i++];
        }
      }
      if (!closed) return bad("unterminated quoted value in a challenge");
    } else {
      start = i;
      while (i < s.size() && is_token_char(s[i])) ++i;
      if (i == start) return bad("challenge parameter " + p.name + " has an empty value");
      p.value = std::string(s.substr(start, i - start));
    }
    out.push_back(std::move(p));
    skip_ws();
    if (i >= s.size()) break;
    if (s[i] != ',') return bad("challenge parameters must be separated by commas");
    ++i;
  }
  return out;
}

}  // namespace

Result<DigestChallenge> parse_challenge(std::string_view value) {
  if (value.size() > kMaxChallengeBytes) return bad("challenge too long");
  value = util::trim(value);
  const auto space = value.find_first_of(" \t");
  if (space == std::string_view::npos || !util::iequals(value.substr(0, space), "Digest")) {
    return bad("not a Digest challenge");
  }
  auto params = parse_params(value.substr(space + 1));
  if (!params) return params.error();
  DigestChallenge c;
  bool have_realm = false;
  bool have_nonce = false;
  for (auto& p : *params) {
    if (p.name == "realm") {
      c.realm = std::move(p.value);
      have_realm = true;
    } else if (p.name == "nonce") {
      c.nonce = std::move(p.value);
      have_nonce = true;
    } else if (p.name == "opaque") {
      c.opaque = std::move(p.value);
    } else if (p.name == "algorithm") {
      auto a = auth::parse_algorithm(p.value);
      if (!a) return bad("unsupported digest algorithm " + p.value);
      c.algorithm = *a;
    } else if (p.name == "qop") {
      // qop-options: a quoted, comma-separated list (RFC 3261 §25.1).
      std::string_view list = p.value;
      while (!list.empty()) {
        const auto comma = list.find(',');
        if (util::iequals(util::trim(list.substr(0, comma)), "auth")) c.qop_auth = true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      if (!c.qop_auth) return bad("the challenge offers no qop=auth");
    } else if (p.name == "stale") {
      c.stale = util::iequals(p.value, "true");
    }
  }
  if (!have_realm) return bad("the challenge has no realm");
  if (!have_nonce || c.nonce.empty()) return bad("the challenge has no nonce");
  return c;
}

std::optional<DigestChallenge> choose_challenge(const std::vector<std::string_view>& values) {
  std::optional<DigestChallenge> md5;
  for (auto v : values) {
    auto c = parse_challenge(v);
    if (!c) continue;
    if (c->algorithm == auth::Algorithm::Sha256) return std::move(*c);
    if (!md5) md5 = std::move(*c);
  }
  return md5;
}

std::optional<DigestChallenge> choose_challenge(const sip::Message& response) {
  const auto id =
      response.status() == 407 ? sip::HeaderId::ProxyAuthenticate : sip::HeaderId::WwwAuthenticate;
  return choose_challenge(response.values(id));
}

bool worth_answering(const DigestChallenge& challenge, int answered_before) {
  if (answered_before >= kMaxChallengeRounds) return false;
  return answered_before == 0 || challenge.stale;
}

std::string nc_text(std::uint32_t nc) { return fmt::format("{:08x}", nc); }

std::string credentials_value(const DigestChallenge& c, const CredentialsInput& in) {
  const std::string ha1 = auth::ha1(c.algorithm, in.user, c.realm, in.password);
  const std::string nc = nc_text(in.nc);
  const auth::Qop qop = c.qop_auth ? auth::Qop::Auth : auth::Qop::None;
  const std::string response =
      auth::response(c.algorithm, ha1, c.nonce, nc, in.cnonce, qop, in.method, in.digest_uri);
  std::string out = fmt::format(
      "Digest username={}, realm={}, nonce={}, uri={}, response=\"{}\", "
      "algorithm={}",
      auth::quote(in.user), auth::quote(c.realm), auth::quote(c.nonce), auth::quote(in.digest_uri),
      response, auth::algorithm_name(c.algorithm));
  if (c.qop_auth) out += fmt::format(", qop=auth, nc={}, cnonce={}", nc, auth::quote(in.cnonce));
  if (c.opaque) out += fmt::format(", opaque={}", auth::quote(*c.opaque));
  return out;
}

void DigestState::on_challenge(DigestChallenge challenge) {
  challenge_ = std::move(challenge);
  nc_ = 0;
}

std::optional<std::string> DigestState::next_credentials(std::string_view user,
                                                         std::string_view password,
                                                         std::string_view method,
                                                         std::string_view digest_uri) {
  if (!challenge_) return std::nullopt;
  ++nc_;
  const std::string cnonce = util::random_token(16);
  return credentials_value(*challenge_, {user, password, method, digest_uri, nc_, cnonce});
}

}  // namespace ims::client
