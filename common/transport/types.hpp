#pragma once
// Value types shared by the transport layer and its users: transport protocols, endpoints,
// flow ids and the origin of a received message. No sockets here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "common/util/result.hpp"

namespace ims::transport {

// The SIP transports: UDP and TCP (RFC 3261 §18), TLS (§26.3.1), and SIP over WebSocket, plain
// and over TLS (RFC 7118).
enum class Protocol : std::uint8_t { Udp, Tcp, Tls, Ws, Wss };
inline constexpr Protocol kAllProtocols[] = {Protocol::Udp, Protocol::Tcp, Protocol::Tls,
                                             Protocol::Ws, Protocol::Wss};

// Lower-case names for logs, the ports file, --listen and the `transport` URI parameter
// ("udp", "tcp", "tls", "ws", "wss").
std::string_view protocol_name(Protocol p);
// The Via sent-protocol transport token ("UDP", "TCP", "TLS", "WS", "WSS"), RFC 3261 §20.42 and
// RFC 7118 §5.
std::string_view via_token(Protocol p);
// Parses a Via transport token case-insensitively; nullopt for transports we do not speak.
std::optional<Protocol> protocol_from_via(std::string_view token);
// Parses a protocol name case-insensitively.
std::optional<Protocol> protocol_from_name(std::string_view name);
// RFC 3261 §18: everything but UDP is reliable (timers A/E/G and retransmissions only on UDP).
constexpr bool is_reliable(Protocol p) { return p != Protocol::Udp; }
// Carried over a connection of ours (a flow), as opposed to datagrams.
constexpr bool is_connection(Protocol p) { return p != Protocol::Udp; }
// Encrypted with TLS: what a sips: URI asks for on every hop (RFC 5630 §3.1.3).
constexpr bool is_secure(Protocol p) { return p == Protocol::Tls || p == Protocol::Wss; }
// SIP over WebSocket (RFC 7118): the client cannot be connected to, only reached over the
// connection it opened (§5).
constexpr bool is_websocket(Protocol p) { return p == Protocol::Ws || p == Protocol::Wss; }
// RFC 3261 §19.1.2: 5061 for TLS, 5060 otherwise; RFC 7118 has no default port (the switch
// listens on 5066 and 7443 by default, as other SIP servers do).
constexpr std::uint16_t default_port(Protocol p) { return p == Protocol::Tls ? 5061 : 5060; }

// An IP address and port. IPv4-mapped IPv6 addresses are stored as IPv4 so that comparisons
// and table keys do not depend on the socket family a packet arrived on.
struct Endpoint {
  boost::asio::ip::address address;
  std::uint16_t port = 0;

  static Endpoint make(boost::asio::ip::address a, std::uint16_t p);
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
// "127.0.0.1:5060", "[::1]:5060".
std::string to_string(const Endpoint& e);
// The address alone as it goes into a URI host or a Via: IPv6 in brackets.
std::string host_text(const boost::asio::ip::address& a);
// Parses an IP literal; IPv6 may be in brackets. No name resolution.
std::optional<boost::asio::ip::address> parse_ip(std::string_view text);

struct EndpointHash {
  std::size_t operator()(const Endpoint& e) const;
};

// Identifies one flow: a TCP connection, or a UDP socket (RFC 5626 §3: a flow is the
// association a message arrived on; the upper layer remembers it to reach the peer again).
enum class FlowId : std::uint64_t {};

// Where a received message came from. Kept by the upper layer to route the response back
// (RFC 3261 §18.2.2): over the same connection, or from the same UDP socket.
struct Origin {
  Protocol protocol = Protocol::Udp;
  Endpoint source;  // the peer's address and port as seen on the packet
  Endpoint local;   // our socket's address and port
  FlowId flow{};    // the TCP connection or UDP socket the message arrived on
  // When the kernel received the datagram (SO_TIMESTAMPNS, the system clock): how long it then
  // waited in the socket's queue tells how far behind the core is. Unset (the epoch) for
  // stream transports and when the kernel gave no stamp.
  std::chrono::system_clock::time_point received{};
};

}  // namespace ims::transport
