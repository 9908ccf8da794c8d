#pragma once
// The server transport's Via rules as pure functions over values, so they are tested without
// sockets:
// - on receipt, stamp `received` and `rport` on the top Via (RFC 3261 §18.2.1, RFC 3581 §4);
// - on sending a response, where to (RFC 3261 §18.2.2, RFC 3581 §4).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/sip/header_values.hpp"
#include "common/sip/message.hpp"
#include "common/transport/types.hpp"
#include "common/util/result.hpp"

namespace ims::transport {

// RFC 3261 §19.1.2: the default port of SIP over UDP and TCP.
constexpr std::uint16_t kDefaultSipPort = 5060;

// The top Via value rewritten for a request that arrived from `source`, or nullopt when the
// value needs no change (or cannot be parsed). Rules:
// - §18.2.1: add `received=<source address>` when sent-by's host is a domain name or an IP
//   address different from the source address;
// - RFC 3581 §4: when `rport` is present without a value, set it to the source port, and add
//   `received` even if it equals sent-by's host.
// An existing `received` is replaced (a client must not send one, so it is not trusted);
// `received` holds an IPv6 address without brackets (RFC 3261 §25.1 via-received, RFC 5118 §4.5).
std::optional<std::string> stamped_via_value(std::string_view via_value, const Endpoint& source);

// Applies stamped_via_value to the request's top Via. Returns false when the request has no
// parseable top Via.
bool stamp_top_via(sip::Message& request, const Endpoint& source);

// Where a response goes when the connection a request came on is gone or the transport is
// unreliable (RFC 3261 §18.2.2 with RFC 3581 §4).
struct ResponseTarget {
  Protocol protocol = Protocol::Udp;
  std::string host;  // an IP literal (IPv6 in brackets) or a domain name to resolve
  std::uint16_t port = kDefaultSipPort;
};


// From the response's top Via:
// - reliable (TCP, TLS): the `received` address (else sent-by's host) and sent-by's port (else
//   5060, 5061 for TLS);
//   the caller first tries the connection the request arrived on.
// - unreliable (UDP): `received` with `rport`'s value when rport has one, else `received` with
//   sent-by's port, else sent-by's host and port.
// `maddr` (multicast, §18.2.2 second bullet) is ignored on purpose: imswitch answers unicast
// only, and honouring maddr from an untrusted peer would make the switch a reflector.
// Fails for transports we do not speak (SCTP ...) and for WS and WSS, whose clients can only be
// reached over the connection they opened (RFC 7118 §5).
Result<ResponseTarget> response_target(const sip::Via& top_via);

}  // namespace ims::transport
