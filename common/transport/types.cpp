#include "common/transport/types.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include "common/util/strings.hpp"

namespace ims::transport {

namespace ip = boost::asio::ip;

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::Udp: return "udp";
    case Protocol::Tcp: return "tcp";
  }
  return "?";
}

std::string_view via_token(Protocol p) {
  switch (p) {
    case Protocol::Udp: return "UDP";
    case Protocol::Tcp: return "TCP";
  }
  return "?";
}

std::optional<Protocol> protocol_from_via(std::string_view token) {
  if (util::iequals(token, "UDP")) return Protocol::Udp;
  if (util::iequals(token, "TCP")) return Protocol::Tcp;
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

std::optional<ip::address> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    boost::system::error_code ec;
    auto a = ip::make_address_v6(std::string(text), ec);
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
