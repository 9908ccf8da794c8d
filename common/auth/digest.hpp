#pragma once
// The digest computations of SIP authentication (RFC 3261 §22.4, RFC 7616 §3.4.1-§3.4.3,
// RFC 8760 §2): HA1, the request-digest and the challenge header value. Pure functions over
// values; the hashes come from OpenSSL's EVP interface, never from code of our own.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace ims::auth {

// The algorithms this switch computes. RFC 8760 §2.1 adds SHA-256 (and SHA-512-256) to SIP;
// the "-sess" variants and SHA-512-256 are parsed but reported as Unsupported.
enum class Algorithm { Md5, Sha256 };

// "MD5", "SHA-256": the spelling of the algorithm parameter (RFC 7616 §6.1).
std::string_view algorithm_name(Algorithm a);

// The algorithm parameter's value, compared case-insensitively. Known but unsupported names
// ("MD5-sess", "SHA-512-256", ...) and unknown tokens give AuthErrc::Unsupported.
[[nodiscard]] Result<Algorithm> parse_algorithm(std::string_view name);

// Quality of protection of a response: RFC 2069 compatibility (no qop) or qop=auth.
// auth-int is not offered and is parsed as Unsupported.
enum class Qop { None, Auth };

// Length of a hex digest: 32 for MD5, 64 for SHA-256.
std::size_t hex_size(Algorithm a);

// Lower-case hex of bytes.
std::string to_hex(std::span<const unsigned char> bytes);

// Bytes of an even-length hex string (either case); nullopt for anything else.
std::optional<std::vector<unsigned char>> from_hex(std::string_view hex);

// True when text is exactly hex_size(a) lower-case hex digits: a usable HA1 or response.
bool is_hex_digest(Algorithm a, std::string_view text);

// H(data) as lower-case hex. Empty only when the OpenSSL provider refuses the algorithm (MD5 in
// FIPS mode); an empty value never equals a digest, so it fails closed.
std::string hex_digest(Algorithm a, std::string_view data);

// True when the provider computes a (see hex_digest); lets the application offer only what works.
bool is_available(Algorithm a);

// HA1 = H(username ":" realm ":" password), RFC 7616 §3.4.2 (non-"-sess").
std::string ha1(Algorithm a, std::string_view user, std::string_view realm,
                std::string_view password);

// HA2 = H(method ":" digest-uri), RFC 7616 §3.4.3 for qop=auth or no qop.
std::string ha2(Algorithm a, std::string_view method, std::string_view digest_uri);

// The request-digest. Qop::Auth: KD(HA1, nonce ":" nc ":" cnonce ":" "auth" ":" HA2)
// (RFC 7616 §3.4.1); Qop::None: KD(HA1, nonce ":" HA2) (RFC 2069, RFC 3261 §22.4 compatibility),
// where nc and cnonce are ignored. ha1 is lower-case hex; method is the Request-Line's.
std::string response(Algorithm a, std::string_view ha1, std::string_view nonce,
                     std::string_view nc, std::string_view cnonce, Qop qop,
                     std::string_view method, std::string_view digest_uri);

// Equality of two secrets' hex forms in time independent of their content (CRYPTO_memcmp); the
// lengths are compared first, as they are public (hex_size).
bool equal_constant_time(std::string_view a, std::string_view b);

// text as a quoted-string, '"' and '\' escaped as quoted-pairs (RFC 3261 §25.1).
std::string quote(std::string_view text);

// A WWW-Authenticate / Proxy-Authenticate value (RFC 3261 §22.1, RFC 7616 §3.3):
//   Digest realm="r", nonce="n"[, opaque="o"], algorithm=SHA-256, qop="auth"[, stale=true]
std::string challenge(Algorithm a, std::string_view realm, std::string_view nonce,
                      std::optional<std::string_view> opaque, bool stale);

}  // namespace ims::auth
