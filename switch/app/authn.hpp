#pragma once
// Digest authentication of a request against the directory (RFC 3261 §22, RFC 8760): REGISTER
// is challenged by the registrar with 401/WWW-Authenticate, everything a proxy relays with
// 407/Proxy-Authenticate (§22.3). SHA-256 and MD5 are offered side by side, SHA-256 first.
//
// Strand: one SIP core's (its secrets cache and counters are the core's own); the Verifier, and
// with it the nonce table, is shared by every core.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "common/auth/verifier.hpp"
#include "common/sip/message.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::app {

enum class AuthRole { Registrar, Proxy };  // 401 + Authorization, or 407 + Proxy-Authorization

struct AuthCounters {
  std::uint64_t authenticated = 0;
  std::uint64_t challenged = 0;
  std::uint64_t rejected = 0;  // credentials given but wrong (unknown user, bad response)
  std::uint64_t bad = 0;       // malformed credentials: 400
};

class Authenticator {
 public:
  explicit Authenticator(std::shared_ptr<auth::Verifier> verifier)
      : verifier_(std::move(verifier)) {}

  // The authenticated login, or the response to send instead (401/407 with challenges, 400).
  std::variant<std::string, sip::Message> authenticate(const sip::Message& request,
                                                       const directory::Directory& directory,
                                                       AuthRole role, std::string_view to_tag,
                                                       std::int64_t now_ms);

  // The directory changed: HA1 values derived from its passwords are forgotten.
  void forget_secrets() { secrets_.clear(); }

  const AuthCounters& counters() const { return counters_; }
  std::size_t tracked_nonces() const { return verifier_->tracked_nonces(); }

 private:
  // The secret of an agent as the verifier needs it: HA1 for each algorithm, computed once
  // from the password (one hash less per request) or taken from the directory.
  const auth::StoredSecret* secret_of(const directory::Agent& agent, std::string_view realm);

  std::shared_ptr<auth::Verifier> verifier_;
  std::unordered_map<std::string, auth::StoredSecret> secrets_;  // by login
  AuthCounters counters_;
};

}  // namespace ims::sw::app
