#pragma once
// Who calls the HTTP API (PRODUCT §6): an agent with its SIP credentials over HTTP Digest
// (RFC 7616: SHA-256 and MD5, the same nonces, realm and directory as SIP's digest), or the
// operator with the configured admin token (Authorization: Bearer, RFC 6750). Basic (RFC 7617)
// only over TLS (http.tls): over plain HTTP a password must not cross in the clear, so Basic is
// refused there.

#include <cstdint>
#include <string>
#include <variant>

#include "common/auth/verifier.hpp"
#include "switch/directory/directory.hpp"
#include "switch/http/message.hpp"

namespace ims::sw::app {

struct Caller {
  bool admin = false;
  std::string login;  // the agent's; empty for admin
};

struct ApiAuthSettings {
  std::string admin_token;  // empty: no admin
  const directory::Directory* directory = nullptr;
  auth::Verifier* verifier = nullptr;
  std::int64_t now_ms = 0;
};

// The caller, or the response to send instead: 401 with the Digest challenges (and a JSON
// error saying why), or 400 for a malformed Authorization.
std::variant<Caller, http::Response> authenticate(const http::Request& request,
                                                  const ApiAuthSettings& settings);

}  // namespace ims::sw::app
