#pragma once
// Transaction keys: which transaction a message belongs to (RFC 3261 §17.1.3, §17.2.3, §9.2).
//
// Server side, RFC 3261 requests (top Via branch starts with "z9hG4bK"): branch, sent-by and
// method, where an ACK belongs to its INVITE and a CANCEL has its own transaction. Older
// (RFC 2543) requests fall back to Call-ID, CSeq number, From tag, Request-URI and top Via
// (protocol, sent-by, branch) plus the method (ACK again folded into INVITE). The To tag is not
// part of the key: retransmissions repeat it, and an RFC 2543 ACK carries the tag of our final
// response instead, which the TransactionTable checks separately.
// Client side: top Via branch and CSeq method (§17.1.3).
//
// Branches and sent-by hosts compare case-insensitively (§7.3.1, §20.42); keys hold them
// lowercased, so plain equality and hashing do.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/sip/message.hpp"
#include "common/sip/method.hpp"
#include "common/util/result.hpp"

namespace ims::txn {

enum class Role : std::uint8_t { Client, Server };

struct Key {
  Role role = Role::Client;
  sip::Method method = sip::Method::Unknown;  // server side: ACK is folded into INVITE
  bool rfc2543 = false;                       // built by the §17.2.3 fallback rules
  std::string id;                             // canonical text of the matching fields
  // KeyHash's value, computed at the first lookup and kept (0: not yet). Not part of equality.
  // Code that changes a field of a key that was hashed resets it to 0.
  mutable std::size_t hash = 0;

  friend bool operator==(const Key& a, const Key& b) {
    return a.role == b.role && a.method == b.method && a.rfc2543 == b.rfc2543 && a.id == b.id;
  }
};

struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept;
};

inline constexpr std::string_view kMagicCookie = "z9hG4bK";  // §8.1.1.7

// True when branch marks an RFC 3261 request (§8.1.1.7: it begins with the magic cookie).
bool has_magic_cookie(std::string_view branch);

// The server transaction a received request belongs to (or would create).
Result<Key> server_key(const sip::Message& request);

// The client transaction of a request we send, or of a response we received.
Result<Key> client_key(const sip::Message& message);
// The same, with the message's top Via already parsed.
Result<Key> client_key(const sip::Message& message, const sip::Via& top_via);

// §9.2: the INVITE server transaction a CANCEL targets has the CANCEL's key with method INVITE.
Key cancelled_invite_key(const Key& cancel);

// "server INVITE z9hg4bk74bf9 192.0.2.1:5060": for logs.
std::string describe(const Key& key);

}  // namespace ims::txn
