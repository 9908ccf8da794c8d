#pragma once
// Value types shared by the transport layer and its users: transport protocols, endpoints,
// flow ids and the origin of a received message. No sockets here.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "common/util/result.hpp"

namespace ims::transport {

enum class Protocol : std::uint8_t { Udp, Tcp };

// Lower-case names for logs, the ports file and --listen ("udp", "tcp").
std::string_view protocol_name(Protocol p);
// The Via sent-protocol transport token ("UDP", "TCP"), RFC 3261 §20.42.
std::string_view via_token(Protocol p);
// Parses a Via transport token case-insensitively; nullopt for transports we do not speak.
std::optional<Protocol> protocol_from_via(std::string_view token);
// Parses "udp"/"tcp" case-insensitively.
std::optional<Protocol> protocol_from_name(std::string_view name);
// RFC 3261 §18: TCP is reliable, UDP is not (timers A/E/G and retransmissions only on UDP).
constexpr bool is_reliable(Protocol p) { return p == Protocol::Tcp; }

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
};

}  // namespace ims::transport
