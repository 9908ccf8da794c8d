#include "common/auth/verifier.hpp"

#include <algorithm>

#include "common/auth/credentials.hpp"
#include "common/auth/errors.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"

namespace ims::auth {
namespace {

Result<void> check_config(const VerifierConfig& c) {
  const auto bad = [](std::string what) {
    return Error{make_error_code(AuthErrc::BadConfig), std::move(what)};
  };
  if (c.offered.empty()) return bad("no digest algorithm offered");
  for (std::size_t i = 0; i < c.offered.size(); ++i)
    if (std::find(c.offered.begin() + i + 1, c.offered.end(), c.offered[i]) != c.offered.end())
      return bad("digest algorithm offered twice");
  return {};
}

// RFC 7616 §3.4.6: the digest-uri names the Request-URI's resource. Equal text, or equal SIP
// URIs by RFC 3261 §19.1.4 (so "sip:Example.com" matches "sip:example.com").
bool uri_matches(std::string_view digest_uri, std::string_view request_uri) {
  if (digest_uri == request_uri) return true;
  const auto a = sip::parse_uri(digest_uri);
  const auto b = sip::parse_uri(request_uri);
  return a && b && sip::uri_equal(*a, *b);
}

std::optional<std::string> given_ha1(const std::optional<std::string>& ha1, Algorithm a) {
  if (!ha1) return std::nullopt;
  std::string h = util::to_lower(*ha1);
  if (!is_hex_digest(a, h)) return std::nullopt;
  return h;
}

}  // namespace

std::string_view to_string(ChallengeCause c) {
  switch (c) {
    case ChallengeCause::NoCredentials: return "no usable credentials";
    case ChallengeCause::Rejected: return "rejected";
    case ChallengeCause::NonceStale: return "stale nonce";
    case ChallengeCause::NonceInvalid: return "invalid nonce";
    case ChallengeCause::NonceReplayed: return "replayed nonce count";
  }
  return "rejected";
}

std::optional<std::string> secret_ha1(const StoredSecret& secret, Algorithm a,
                                      std::string_view user, std::string_view realm) {
  std::optional<std::string> h;
  switch (a) {
    case Algorithm::Md5: h = given_ha1(secret.ha1_md5, a); break;
    case Algorithm::Sha256: h = given_ha1(secret.ha1_sha256, a); break;
  }
  if (h) return h;
  if (secret.password) {
    std::string computed = ha1(a, user, realm, *secret.password);
    if (!computed.empty()) return computed;
  }
  return std::nullopt;
}

Result<Verifier> Verifier::create(VerifierConfig config) {
  if (auto r = check_config(config); !r) return r.error();
  auto nonces = NonceManager::create(config.nonce);
  if (!nonces) return nonces.error();
  return Verifier(std::move(config), std::move(nonces).value());
}

Result<Verifier> Verifier::with_secret(std::string secret, VerifierConfig config) {
  if (auto r = check_config(config); !r) return r.error();
  auto nonces = NonceManager::with_secret(std::move(secret), config.nonce);
  if (!nonces) return nonces.error();
  return Verifier(std::move(config), std::move(nonces).value());
}

std::vector<std::string> Verifier::challenges(std::string_view realm, std::int64_t now_ms,
                                              bool stale) {
  return challenges(realm, now_ms, stale, config_.offered);
}

std::vector<std::string> Verifier::challenges(std::string_view realm, std::int64_t now_ms,
                                              bool stale, std::span<const Algorithm> algorithms) {
  const std::string nonce = nonces_.issue(now_ms);
  std::vector<std::string> out;
  out.reserve(algorithms.size());
  for (Algorithm a : algorithms) {
    if (std::find(config_.offered.begin(), config_.offered.end(), a) == config_.offered.end())
      continue;
    out.push_back(challenge(a, realm, nonce, std::nullopt, stale));
  }
  if (out.empty()) {
    for (Algorithm a : config_.offered)
      out.push_back(challenge(a, realm, nonce, std::nullopt, stale));
  }
  return out;
}

Verdict Verifier::verify(const AuthRequest& request, const SecretLookup& lookup,
                         std::int64_t now_ms) {
  // 1. The usable credentials with the most preferred algorithm; a malformed one is a 400.
  std::optional<Credentials> chosen;
  std::size_t chosen_rank = config_.offered.size();
  for (std::string_view value : request.credentials) {
    auto c = parse_credentials(value);
    if (!c) {
      const std::error_code code = c.error().code;
      if (code == AuthErrc::NotDigest || code == AuthErrc::Unsupported) continue;
      return BadRequest{"Bad credentials: " + c.error().message};
    }
    if (c->realm != request.realm) continue;
    if (c->qop == Qop::None && !config_.accept_no_qop) continue;
    const auto it = std::find(config_.offered.begin(), config_.offered.end(), c->algorithm);
    const auto rank = static_cast<std::size_t>(it - config_.offered.begin());
    if (rank < chosen_rank) {
      chosen = std::move(c).value();
      chosen_rank = rank;
    }
  }
  if (!chosen) return Challenge{false, ChallengeCause::NoCredentials};
  const Credentials& c = *chosen;

  // 2. The digest-uri must name this request (RFC 7616 §3.4.6: otherwise 400).
  if (config_.check_digest_uri && !uri_matches(c.uri, request.request_uri))
    return BadRequest{"Bad credentials: digest uri does not match the Request-URI"};

  // 3. The response, computed for unknown users too so that they cost the same.
  const StoredSecret* secret = lookup ? lookup(c.username) : nullptr;
  std::optional<std::string> h1;
  if (secret) h1 = secret_ha1(*secret, c.algorithm, c.username, c.realm);
  const std::string nc_text = c.nc ? c.nc->text : std::string();
  const std::string expected =
      response(c.algorithm, h1 ? *h1 : hex_digest(c.algorithm, c.username), c.nonce, nc_text,
               c.cnonce.value_or(""), c.qop, request.method, c.uri);
  if (!h1 || !equal_constant_time(expected, util::to_lower(c.response)))
    return Challenge{false, ChallengeCause::Rejected};

  // 4. The nonce, only now that the response proves the client knows the secret. Without qop
  //    there is no nc: count the use as 1, which makes the nonce single-use.
  const std::uint32_t nc = c.qop == Qop::Auth ? c.nc->value : 1;
  switch (nonces_.check(c.nonce, nc, now_ms)) {
    case NonceState::Valid: return Authenticated{c.username, c.algorithm};
    case NonceState::Stale: return Challenge{true, ChallengeCause::NonceStale};
    case NonceState::Invalid: return Challenge{true, ChallengeCause::NonceInvalid};
    case NonceState::Replayed: return Challenge{true, ChallengeCause::NonceReplayed};
  }
  return Challenge{false, ChallengeCause::Rejected};
}

}  // namespace ims::auth
