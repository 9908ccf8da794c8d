#include "switch/app/api_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <optional>
#include <vector>

#include "common/util/strings.hpp"

namespace ims::sw::app {

namespace {

bool starts_with_scheme(std::string_view value, std::string_view scheme) {
  return value.size() > scheme.size() && util::iequals(value.substr(0, scheme.size()), scheme) &&
         value[scheme.size()] == ' ';
}

// Constant time, so the token cannot be guessed byte by byte from response times.
bool same_token(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

http::Response unauthorized(const ApiAuthSettings& s, std::string_view why, bool stale,
                            bool secure) {
  http::Response r = http::error_response(401, why);
  for (auto& c : s.verifier->challenges(s.directory->realm(), s.now_ms, stale))
    r.headers.emplace_back("WWW-Authenticate", std::move(c));
  // Over TLS, Basic too (RFC 7617 §2), after Digest: clients take the first they support.
  if (secure)
    r.headers.emplace_back("WWW-Authenticate",
                           "Basic realm=\"" + s.directory->realm() + "\", charset=\"UTF-8\"");
  return r;
}

// RFC 4648 base64 (RFC 7617 §2's user-pass), nullopt when malformed.
std::optional<std::string> from_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;  // EVP_DecodeBlock counts the '=' as zero bytes
  for (auto i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  if (padding > 2) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// Basic credentials (over TLS only): the password checked against what the directory holds,
// the password itself or either HA1, in constant time.
std::variant<Caller, http::Response> check_basic(std::string_view value,
                                                const ApiAuthSettings& s) {
  const auto decoded = from_base64(util::trim(value.substr(5)));
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos)
    return http::error_response(400, "malformed Basic credentials (RFC 7617: base64 of user:pass)");
  const std::string_view login = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  const directory::Agent* agent = s.directory->agent(login);
  if (agent) {
    const auto& c = agent->credentials;
    const auth::StoredSecret secret{c.password, c.ha1_md5, c.ha1_sha256};
    for (const auth::Algorithm a : {auth::Algorithm::Sha256, auth::Algorithm::Md5}) {
      const auto stored = auth::secret_ha1(secret, a, agent->login, s.directory->realm());
      if (!stored) continue;
      if (same_token(auth::ha1(a, agent->login, s.directory->realm(), password), *stored))
        return Caller{false, agent->login};
      break;  // one comparison is enough: the same password gives both
    }
  }
  return unauthorized(s, "wrong or missing credentials", false, true);
}

}  // namespace

std::variant<Caller, http::Response> authenticate(const http::Request& request,
                                                  const ApiAuthSettings& s) {
  std::vector<std::string_view> digest;
  bool basic = false;  // given over plain HTTP: refused
  for (const auto& [name, value] : request.headers) {
    if (name != "authorization") continue;
    const std::string_view v = util::trim(value);
    if (starts_with_scheme(v, "Bearer")) {
      const std::string_view token = util::trim(v.substr(6));
      if (!s.admin_token.empty() && same_token(token, s.admin_token)) return Caller{true, {}};
      return unauthorized(s, "the bearer token is not the admin token", false, request.secure);
    }
    if (starts_with_scheme(v, "Basic")) {
      if (request.secure) return check_basic(v, s);
      basic = true;
    }
    if (starts_with_scheme(v, "Digest")) digest.push_back(v);
  }
  if (digest.empty()) {
    return unauthorized(s, basic ? "Basic authentication is refused over plain HTTP: use Digest "
                                   "with the agent's SIP credentials"
                                 : "credentials required: Digest with the agent's SIP "
                                   "credentials, or the admin token",
                        false, request.secure);
  }
  const auth::AuthRequest ask{http::method_name(request.method), request.target, digest,
                              s.directory->realm()};
  auth::StoredSecret secret;
  auto lookup = [&](std::string_view login) -> const auth::StoredSecret* {
    const directory::Agent* agent = s.directory->agent(login);
    if (!agent) return nullptr;
    const auto& c = agent->credentials;
    secret = auth::StoredSecret{c.password, c.ha1_md5, c.ha1_sha256};
    return &secret;
  };
  const auth::Verdict verdict = s.verifier->verify(ask, lookup, s.now_ms);
  if (const auto* ok = std::get_if<auth::Authenticated>(&verdict)) return Caller{false, ok->login};
  if (const auto* bad = std::get_if<auth::BadRequest>(&verdict))
    return http::error_response(400, bad->reason);
  const auto& challenge = std::get<auth::Challenge>(verdict);
  return unauthorized(s,
                      challenge.stale ? "the nonce is stale: answer the new challenge"
                                      : "wrong or missing credentials",
                      challenge.stale, request.secure);
}

}  // namespace ims::sw::app
