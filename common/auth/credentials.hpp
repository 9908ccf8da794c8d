#pragma once
// The Digest credentials of an Authorization or Proxy-Authorization header value
// (RFC 3261 §22.4 and §25.1 "credentials", RFC 7616 §3.4): parsed into owned strings with
// quoted-pairs resolved, so the result outlives the message it came from.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/auth/digest.hpp"
#include "common/util/result.hpp"

namespace ims::auth {

// Bounds on untrusted input (STYLE rule 9). A real Digest value is a few hundred bytes with
// about ten parameters; anything beyond these is refused as AuthErrc::TooLong.
inline constexpr std::size_t kMaxCredentialsBytes = 4096;
inline constexpr std::size_t kMaxCredentialsParams = 32;

// nc-value = 8LHEX (RFC 7616 §3.4): kept as sent, since the response is computed over the text.
struct NonceCount {
  std::string text;
  std::uint32_t value = 0;
};

struct Credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;       // digest-uri, compared with the Request-URI by the verifier
  std::string response;  // request-digest as sent (the verifier lower-cases it)
  Algorithm algorithm = Algorithm::Md5;  // absent means MD5 (RFC 7616 §3.4)
  Qop qop = Qop::None;                   // absent: the RFC 2069 form
  std::optional<std::string> cnonce;     // present whenever qop is
  std::optional<NonceCount> nc;          // present whenever qop is
  std::optional<std::string> opaque;
};

// Parses `Digest username="..", realm="..", nonce="..", uri="..", response="..", ...`.
// The scheme and parameter names compare case-insensitively, parameters come in any order,
// values are tokens or quoted-strings (quoted-pairs resolved; commas inside quotes are data);
// unknown parameters are ignored. Errors (AuthErrc): NotDigest for another scheme; Malformed for
// a syntax error or a bad nc; DuplicateParameter; MissingParameter (username, realm, nonce, uri,
// response; cnonce and nc when qop is given); Unsupported for another algorithm, qop=auth-int,
// userhash=true or username*; TooLong past the bounds above. Never throws, any input.
[[nodiscard]] Result<Credentials> parse_credentials(std::string_view header_value);

}  // namespace ims::auth
