#pragma once
// The client side of SIP digest authentication (RFC 3261 §22.2-§22.4, RFC 7616 §3.3-§3.4,
// RFC 8760): reading a WWW-Authenticate / Proxy-Authenticate challenge, choosing among the
// challenges of a 401/407 (SHA-256 before MD5), and writing the Authorization /
// Proxy-Authorization value with qop=auth and a counted nonce-count. Sans-I/O: values in,
// values out; the hashes are common/auth's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/digest.hpp"
#include "common/sip/message.hpp"
#include "common/util/result.hpp"

namespace ims::client {

// Bound on a challenge value from the network (STYLE rule 9).
inline constexpr std::size_t kMaxChallengeBytes = 4096;

struct DigestChallenge {
  auth::Algorithm algorithm = auth::Algorithm::Md5;  // absent means MD5 (RFC 7616 §3.3)
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;
  bool qop_auth = false;  // "auth" is among the qop options; false: RFC 2069 form
  bool stale = false;     // the previous nonce expired; the credentials were right
};

// Parses one challenge value. Fails (ClientErrc::BadChallenge) for another scheme, a syntax
// error, a missing realm or nonce, an algorithm common/auth does not compute, or a qop list
// without "auth" (auth-int only).
Result<DigestChallenge> parse_challenge(std::string_view value);

// The challenge to answer among a 401's WWW-Authenticate (or a 407's Proxy-Authenticate)
// values: the first SHA-256 one, else the first MD5 one; nullopt when none is usable.
std::optional<DigestChallenge> choose_challenge(const std::vector<std::string_view>& values);

// The same read from a 401 or 407 response.
std::optional<DigestChallenge> choose_challenge(const sip::Message& response);

// Whether to answer a challenge to a request already answered `answered_before` times (§22.2,
// §22.3). The first challenge is always answered; a later one only when its nonce was stale
// (the credentials were right, RFC 7616 §3.3), and never more than kMaxChallengeRounds times,
// so a wrong password ends at the second challenge instead of looping.
inline constexpr int kMaxChallengeRounds = 4;
bool worth_answering(const DigestChallenge& challenge, int answered_before);

// Everything that goes into one credentials value.
struct CredentialsInput {
  std::string_view user;
  std::string_view password;
  std::string_view method;      // the request's method
  std::string_view digest_uri;  // the Request-URI
  std::uint32_t nc = 1;         // written as 8 hex digits
  std::string_view cnonce;
};

// `Digest username="..", realm="..", nonce="..", uri="..", response="..", algorithm=..,
// qop=auth, nc=00000001, cnonce="..", opaque=".."` (qop, nc and cnonce only when the
// challenge offered qop=auth).
std::string credentials_value(const DigestChallenge& challenge, const CredentialsInput& in);

// "00000001": nc-value as RFC 7616 §3.4 writes it.
std::string nc_text(std::uint32_t nc);

// What a UA keeps between requests to answer challenges for one kind (401 or 407): the last
// challenge and its nonce count, so later requests can carry credentials at once (RFC 7616
// §3.4: the nc goes up with each use of a nonce). Owned by the agent, on its strand.
class DigestState {
 public:
  // A new challenge replaces the old one and restarts the count.
  void on_challenge(DigestChallenge challenge);
  bool has_challenge() const { return challenge_.has_value(); }
  const std::optional<DigestChallenge>& challenge() const { return challenge_; }
  void forget() { challenge_.reset(); }

  // Credentials for the next request, with the next nonce count and a fresh cnonce; nullopt
  // without a challenge.
  std::optional<std::string> next_credentials(std::string_view user, std::string_view password,
                                              std::string_view method, std::string_view digest_uri);

 private:
  std::optional<DigestChallenge> challenge_;
  std::uint32_t nc_ = 0;
};

}  // namespace ims::client
