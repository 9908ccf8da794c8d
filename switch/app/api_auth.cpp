#include "switch/app/api_auth.hpp"

#include <openssl/crypto.h>

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

http::Response unauthorized(const ApiAuthSettings& s, std::string_view why, bool stale) {
  http::Response r = http::error_response(401, why);
  for (auto& c : s.verifier->challenges(s.directory->realm(), s.now_ms, stale))
    r.headers.emplace_back("WWW-Authenticate", std::move(c));
  return r;
}

}  // namespace

std::variant<Caller, http::Response> authenticate(const http::Request& request,
                                                  const ApiAuthSettings& s) {
  std::vector<std::string_view> digest;
  bool basic = false;
  for (const auto& [name, value] : request.headers) {
    if (name != "authorization") continue;
    const std::string_view v = util::trim(value);
    if (starts_with_scheme(v, "Bearer")) {
      const std::string_view token = util::trim(v.substr(6));
      if (!s.admin_token.empty() && same_token(token, s.admin_token)) return Caller{true, {}};
      return unauthorized(s, "the bearer token is not the admin token", false);
    }
    if (starts_with_scheme(v, "Basic")) basic = true;
    if (starts_with_scheme(v, "Digest")) digest.push_back(v);
  }
  if (digest.empty()) {
    return unauthorized(s, basic ? "Basic authentication is refused over plain HTTP: use Digest "
                                   "with the agent's SIP credentials"
                                 : "credentials required: Digest with the agent's SIP "
                                   "credentials, or the admin token",
                        false);
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
                      challenge.stale);
}

}  // namespace ims::sw::app
