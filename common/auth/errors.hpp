#pragma once
// Failures the digest layer reports as values (STYLE rule 7), with their own category.

#include <system_error>

namespace ims::auth {

enum class AuthErrc {
  NotDigest = 1,       // the credentials use another scheme (Basic, Bearer, ...): not ours
  Malformed,           // not "Digest" 1#param with token or quoted-string values
  MissingParameter,    // username, realm, nonce, uri or response missing; cnonce/nc with qop
  DuplicateParameter,  // a known parameter twice (RFC 7616 §3.4: each at most once)
  Unsupported,         // well formed but not for us: MD5-sess, SHA-512-256, auth-int, userhash
  TooLong,             // over kMaxCredentialsBytes or kMaxCredentialsParams
  WeakSecret,          // a nonce secret shorter than kMinSecretBytes
  BadConfig,           // a nonce lifetime or table size that cannot work (<= 0)
  RandomFailed,        // the OpenSSL generator refused to produce bytes
};

const std::error_category& auth_category();
std::error_code make_error_code(AuthErrc e);

}  // namespace ims::auth

template <>
struct std::is_error_code_enum<ims::auth::AuthErrc> : std::true_type {};
