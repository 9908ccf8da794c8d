#pragma once
// Calls to the switch's HTTP API as an agent (HTTP Digest with its SIP credentials, RFC 7616)
// or as the admin (Bearer token).

#include <optional>
#include <string>
#include <string_view>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/http_client.hpp"

namespace ims::test {

// Sends the request without credentials, answers the 401's SHA-256 (or MD5) challenge with
// login/password, and returns the answer to that; a first answer other than 401 is returned
// as it is.
inline std::optional<HttpReply> authed_request(HttpClient& c, std::string_view method,
                                               const std::string& target, std::string_view login,
                                               std::string_view password,
                                               std::string_view body = {},
                                               Digest digest = Digest::Sha256) {
  auto first = c.request(method, target, {}, body);
  if (!first || first->status != 401) return first;
  for (const auto& value : first->all("www-authenticate")) {
    auto ch = parse_challenge(value);
    if (!ch) continue;
    const bool sha = ch->algorithm == "SHA-256";
    if (sha != (digest == Digest::Sha256)) continue;
    const std::string credentials =
        digest_credentials(digest, *ch, login, password, method, target, 1, "0a4f113b");
    return c.request(method, target, {{"Authorization", credentials}}, body);
  }
  return first;
}

inline std::optional<HttpReply> authed_get(HttpClient& c, const std::string& target,
                                           std::string_view login, std::string_view password) {
  return authed_request(c, "GET", target, login, password);
}

inline std::optional<HttpReply> admin_request(HttpClient& c, std::string_view method,
                                              const std::string& target, std::string_view token,
                                              std::string_view body = {}) {
  return c.request(method, target, {{"Authorization", "Bearer " + std::string(token)}}, body);
}

}  // namespace ims::test
