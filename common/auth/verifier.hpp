#pragma once
// Digest verification of one request (RFC 3261 §22.4, RFC 7616 §3.4-§3.5, RFC 8760): picks the
// usable credentials among the request's Authorization (or Proxy-Authorization) values, checks
// the response against the stored secret and the nonce against the NonceManager, and says what
// to answer. The caller turns the Verdict into a 401/407 carrying challenges(), a 400, or goes
// on with the authenticated login.
//
// Decisions (documented here once, tested in verifier_test.cpp):
// - Offered: SHA-256 then MD5 (VerifierConfig::offered), one WWW-Authenticate each, sharing one
//   nonce. Credentials with an algorithm not offered are ignored, so MD5 can be switched off.
//   sipp 3.6 reads the first challenge's algorithm and knows only MD5: offer {Md5} (or MD5
//   first) to it.
// - realm: compared exactly with AuthRequest::realm (it is part of HA1).
// - qop: only qop=auth is accepted by default. With accept_no_qop, an RFC 2069 response (no
//   qop, hence no nc) is accepted once per nonce: it counts as nc=1, so the nonce is single-use.
// - uri: with check_digest_uri (default), a digest-uri that neither equals the Request-URI as
//   text nor as a URI (RFC 3261 §19.1.4) is a 400, as RFC 2617 §3.2.2.5 and RFC 7616 §3.4.6 say.
//   (sipp writes uri="sip:<remote_ip>:<remote_port>" unless run with -auth_uri.)
// - A malformed Digest value (syntax, duplicate or missing parameter, bad nc, over the bounds)
//   is a 400 naming the problem; another scheme, another realm or an unsupported algorithm/qop is
//   skipped as if absent, which ends in a plain challenge.
// - Unknown user, missing secret and wrong response all give Challenge{stale=false} after the
//   same work (a digest is computed for unknown users too): an attacker learns nothing.
// - stale=true only when the response is right for the nonce given but the nonce is expired,
//   untracked, replayed or not ours (RFC 2617 §3.2.1: "a valid digest for that nonce"). The nc is
//   recorded only after the response has been verified.
//
// Role: shared by the registrar/proxy TUs of every SIP core. Thread-safe: its only state is
// the NonceManager, which locks its own table.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/auth/digest.hpp"
#include "common/auth/nonce.hpp"
#include "common/util/result.hpp"

namespace ims::auth {

// What the directory knows about a login. HA1 values are lower-case hex computed with the realm
// in use (H(user ":" realm ":" password)); when both an HA1 and the password are given, the HA1
// for the algorithm wins.
struct StoredSecret {
  std::optional<std::string> password{};
  std::optional<std::string> ha1_md5{};
  std::optional<std::string> ha1_sha256{};
};

// nullptr for an unknown login. The pointer is read only during the call.
using SecretLookup = std::function<const StoredSecret*(std::string_view login)>;

// HA1 for algorithm a from a stored secret, or nullopt when it holds nothing usable for a.
std::optional<std::string> secret_ha1(const StoredSecret& secret, Algorithm a,
                                      std::string_view user, std::string_view realm);

struct AuthRequest {
  std::string_view method;       // the Request-Line method, as A2 uses it (RFC 3261 §22.4)
  std::string_view request_uri;  // the Request-URI as written
  std::span<const std::string_view> credentials;  // every Authorization (or Proxy-) value
  std::string_view realm;        // the realm this server challenges with (the domain)
};

struct Authenticated {
  std::string login;
  Algorithm algorithm = Algorithm::Md5;
};

// Why a challenge is due: for logs and counters only, never for the wire (the reply must not
// tell an unknown user from a wrong password).
enum class ChallengeCause {
  NoCredentials,   // none, or none for this realm with an offered algorithm and qop
  Rejected,        // unknown user, no usable secret, or wrong response
  NonceStale,      // right response, expired or untracked nonce
  NonceInvalid,    // right response, nonce not issued with our secret
  NonceReplayed,   // right response, nc not above the highest seen
};
std::string_view to_string(ChallengeCause c);

struct Challenge {
  bool stale = false;
  ChallengeCause cause = ChallengeCause::NoCredentials;
};

struct BadRequest {
  std::string reason;  // fit for a reason phrase: "Bad Authorization: missing nonce"
};

using Verdict = std::variant<Authenticated, Challenge, BadRequest>;

struct VerifierConfig {
  NonceConfig nonce{};
  std::vector<Algorithm> offered = {Algorithm::Sha256, Algorithm::Md5};  // preference order
  bool accept_no_qop = false;
  bool check_digest_uri = true;
};

class Verifier {
 public:
  // With a random nonce secret. Errors (AuthErrc): BadConfig, RandomFailed.
  [[nodiscard]] static Result<Verifier> create(VerifierConfig config = {});
  // With a given nonce secret. Errors: BadConfig, WeakSecret.
  [[nodiscard]] static Result<Verifier> with_secret(std::string secret,
                                                    VerifierConfig config = {});

  Verdict verify(const AuthRequest& request, const SecretLookup& lookup, std::int64_t now_ms);

  // The WWW-Authenticate (or Proxy-Authenticate) values for a 401 (407): one per offered
  // algorithm, in preference order (SHA-256 first), with one fresh nonce.
  std::vector<std::string> challenges(std::string_view realm, std::int64_t now_ms, bool stale);
  // The same for the algorithms given, in their order: a policy may offer one client fewer
  // algorithms than config().offered (a single MD5 challenge to a client that fails on
  // SHA-256). Each must be among config().offered, or its answer would be ignored; the others
  // are left out, and an empty result falls back to config().offered.
  std::vector<std::string> challenges(std::string_view realm, std::int64_t now_ms, bool stale,
                                      std::span<const Algorithm> algorithms);

  const VerifierConfig& config() const { return config_; }
  std::size_t tracked_nonces() const { return nonces_.tracked(); }

 private:
  Verifier(VerifierConfig config, NonceManager nonces)
      : config_(std::move(config)), nonces_(std::move(nonces)) {}

  VerifierConfig config_;
  NonceManager nonces_;
};

}  // namespace ims::auth
