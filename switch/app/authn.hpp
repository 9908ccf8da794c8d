#pragma once
// Digest authentication of a request against the directory (RFC 3261 §22, RFC 8760): REGISTER
// is challenged by the registrar with 401/WWW-Authenticate, everything a proxy relays with
// 407/Proxy-Authenticate (§22.3). SHA-256 and MD5 are offered side by side, SHA-256 first.
//
// Which algorithms one challenge offers (PRODUCT §2; offered_algorithms below): some stock
// clients give up on any challenge that names SHA-256 (Debian 12's baresip 1.0: "Function not
// implemented") or answer only the first one (sipsak 0.9.8), so a client whose User-Agent
// matches auth.md5_only_user_agents, or an agent whose digest_algorithms say so, gets a single
// MD5 challenge; everyone else gets auth.algorithms (SHA-256 first). An agent whose only
// credential is one HA1 is offered just that algorithm. Only what is offered to the client
// changes: any credentials with an algorithm of auth.algorithms are still accepted.
//
// Strand: one SIP core's (its secrets cache and counters are the core's own); the Verifier, and
// with it the nonce table, is shared by every core.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
  std::uint64_t md5_only = 0;  // challenges offering MD5 alone (User-Agent rule, agent setting)
};

// The algorithms a challenge offers: `configured` (auth.algorithms), narrowed to the agent's
// (its digest_algorithms, or the one HA1 it has) and to a single MD5 when the User-Agent matches
// one of `md5_only` (lowercase patterns, '*' any run of characters). `agent` is the one the
// request names (To of a REGISTER, From otherwise), nullptr when unknown. Never empty: when
// nothing is left, `configured`.
std::vector<auth::Algorithm> offered_algorithms(const std::vector<auth::Algorithm>& configured,
                                                const directory::Agent* agent,
                                                std::string_view user_agent,
                                                const std::vector<std::string>& md5_only);

class Authenticator {
 public:
  // `md5_only_user_agents`: auth.md5_only_user_agents, lowercase.
  Authenticator(std::shared_ptr<auth::Verifier> verifier,
                std::vector<std::string> md5_only_user_agents = {})
      : verifier_(std::move(verifier)), md5_only_(std::move(md5_only_user_agents)) {}

  // The authenticated login, or the response to send instead (401/407 with challenges, 400).
  std::variant<std::string, sip::Message> authenticate(const sip::Message& request,
                                                       const directory::Directory& directory,
                                                       AuthRole role, std::string_view to_tag,
                                                       std::int64_t now_ms);

  const AuthCounters& counters() const { return counters_; }
  std::size_t tracked_nonces() const { return verifier_->tracked_nonces(); }

 private:
  // The secret of an agent as the verifier needs it, copied from the directory into scratch_
  // (rewritten by the next call; the verifier reads it only during its call). The verifier
  // derives HA1 from a password for the one algorithm the credentials use: one short hash per
  // request, where a cache of every agent's HA1 took some 11 MB for 100,000 agents.
  const auth::StoredSecret* secret_of(const directory::Agent& agent);

  // The algorithms to offer in a challenge to `request` (see offered_algorithms).
  std::vector<auth::Algorithm> offered_to(const sip::Message& request,
                                          const directory::Directory& directory,
                                          AuthRole role) const;

  std::shared_ptr<auth::Verifier> verifier_;
  std::vector<std::string> md5_only_;
  auth::StoredSecret scratch_;
  AuthCounters counters_;
};

}  // namespace ims::sw::app
