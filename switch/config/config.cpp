#include "switch/config/config.hpp"

#include "common/util/strings.hpp"

namespace ims::sw::config {

std::optional<LogLevel> parse_log_level(std::string_view text) {
  const std::string t = util::to_lower(util::trim(text));
  if (t == "trace") return LogLevel::Trace;
  if (t == "debug") return LogLevel::Debug;
  if (t == "info") return LogLevel::Info;
  if (t == "warn" || t == "warning") return LogLevel::Warn;
  if (t == "error") return LogLevel::Error;
  if (t == "off") return LogLevel::Off;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Off: return "off";
  }
  return "info";
}

std::optional<Synchronous> parse_synchronous(std::string_view text) {
  const std::string t = util::to_lower(util::trim(text));
  if (t == "full") return Synchronous::Full;
  if (t == "normal") return Synchronous::Normal;
  return std::nullopt;
}

std::string_view synchronous_name(Synchronous s) {
  switch (s) {
    case Synchronous::Full: return "full";
    case Synchronous::Normal: return "normal";
  }
  return "full";
}

std::vector<Listen> default_listeners() {
  namespace ip = boost::asio::ip;
  std::vector<Listen> out;
  using P = transport::Protocol;
  const std::pair<P, std::uint16_t> ports[] = {
      {P::Udp, 5060}, {P::Tcp, 5060}, {P::Tls, 5061}, {P::Ws, 5066}, {P::Wss, 7443}};
  for (auto [proto, port] : ports)
    out.push_back(Listen{proto, transport::Endpoint{ip::address(ip::address_v4::any()), port}});
  for (auto [proto, port] : ports)
    out.push_back(Listen{proto, transport::Endpoint{ip::address(ip::address_v6::any()), port}});
  return out;
}

std::optional<Listen> parse_listen_spec(std::string_view spec) {
  // transport ":" address ":" port, the address in brackets when it is IPv6.
  auto colon = spec.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto proto = transport::protocol_from_name(spec.substr(0, colon));
  if (!proto) return std::nullopt;
  auto at = parse_endpoint_spec(spec.substr(colon + 1));
  if (!at) return std::nullopt;
  return Listen{*proto, *at};
}

std::optional<transport::Endpoint> parse_endpoint_spec(std::string_view spec) {
  auto last = spec.rfind(':');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  std::string_view host = spec.substr(0, last);
  auto port = util::parse_uint(spec.substr(last + 1), 65535);
  if (!port) return std::nullopt;
  // An unbracketed IPv6 address would make the port ambiguous ("::1:5060").
  if (host.front() != '[' && host.find(':') != std::string_view::npos) return std::nullopt;
  auto ip = transport::parse_ip(host);
  if (!ip) return std::nullopt;
  return transport::Endpoint{*ip, static_cast<std::uint16_t>(*port)};
}

}  // namespace ims::sw::config
