#include "common/transport/types.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include "common/util/strings.hpp"

namespace ims::transport {

namespace ip = boost::asio::ip;

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::Udp: return "udp";
    case Protocol::Tcp: return "tcp";
    case Protocol::Tls: return "tls";
    case Protocol::Ws: return "ws";
    case Protocol::Wss: return "wss";
  }
  return "?";
}

std::string_view via_token(Protocol p) {
  switch (p) {
    case Protocol::Udp: return "UDP";
    case Protocol::Tcp: return "TCP";
    case Protocol::Tls: return "TLS";
    case Protocol::Ws: return "WS";
    case Protocol::Wss: return "WSS";
  }
  return "?";
}

std::optional<Protocol> protocol_from_via(std::string_view token) {
  for (Protocol p : kAllProtocols)
    if (util::iequals(token, via_token(p))) return p;
  return std::nullopt;
}

std::optional<Protocol> protocol_from_name(std::string_view name) { return protocol_from_via(name); }

Endpoint Endpoint::make(ip::address a, std::uint16_t p) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return Endpoint{a, p};
}

std::string host_text(const ip::address& a) {
  if (a.is_v6()) return "[" + a.to_string() + "]";
  return a.to_string();
}

std::string to_string(const Endpoint& e) { return host_text(e.address) + ":" + std::to_string(e.port); }

namespace {

// Dotted-quad IPv4 as inet_pton(AF_INET) accepts it (four decimal parts 0-255, no leading
// zeros), without the string copy and the IPv6 attempt make_address makes first. nullopt means
// "not this form", not "invalid": the caller falls back to the full parser.
std::optional<ip::address_v4> dotted_quad(std::string_view text) {
  ip::address_v4::uint_type value = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    const std::size_t start = i;
    unsigned part = 0;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9')
      part = part * 10 + unsigned(text[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || part > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    value = value << 8 | part;
    if (++parts < 4 && (i >= text.size() || text[i++] != '.')) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return ip::address_v4(value);
}

}  // namespace

std::optional<ip::address> parse_ip(std::string_view text) {
  if (auto v4 = dotted_quad(text)) return ip::address(*v4);
  if (const auto inner = util::without_brackets(text); inner.size() != text.size()) {
    boost::system::error_code ec;
    auto a = ip::make_address_v6(std::string(inner), ec);
    if (ec) return std::nullopt;
    return ip::address(a);
  }
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return a;
}

std::size_t EndpointHash::operator()(const Endpoint& e) const {
  std::size_t h = 0;
  if (e.address.is_v4()) {
    h = std::hash<std::uint32_t>{}(e.address.to_v4().to_uint());
  } else {
    for (auto b : e.address.to_v6().to_bytes()) h = h * 131 + b;
  }
  return h ^ (std::size_t(e.port) << 1);
}

}  // namespace ims::transport
