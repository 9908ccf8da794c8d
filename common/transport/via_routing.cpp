#include "common/transport/via_routing.hpp"

#include "common/util/strings.hpp"

namespace ims::transport {

namespace {

bool same_address(std::string_view sent_by_host, const Endpoint& source) {
  auto ip = parse_ip(sent_by_host);
  if (!ip) return false;  // a domain name: §18.2.1 always adds received
  return Endpoint::make(*ip, 0).address == source.address;
}

// stamped_via_value for a value already parsed into `via`.
std::optional<std::string> restamped(const sip::Via& via, std::string_view via_value,
                                     const Endpoint& source) {
  const bool fill_rport = via.rport && !via.rport_value;
  const bool add_received = via.rport || !same_address(via.host, source);
  if (!fill_rport && !add_received && !via.received) return std::nullopt;

  // Everything before the parameters (sent-protocol and sent-by) is kept verbatim.
  std::string_view params = via.params.text();
  std::size_t head_len = via_value.size();
  if (!params.empty() && params.data() >= via_value.data() &&
      params.data() <= via_value.data() + via_value.size()) {
    head_len = static_cast<std::size_t>(params.data() - via_value.data());
  }
  std::string out;
  out.reserve(via_value.size() + 64);
  out.append(util::trim(via_value.substr(0, head_len)));
  for (const auto& p : via.params.all()) {
    if (util::iequals(p.name, "received")) continue;
    out += ';';
    out += p.name;
    if (util::iequals(p.name, "rport") && fill_rport) {
      out += '=';
      out += std::to_string(source.port);
    } else if (p.has_value) {
      out += '=';
      out += p.value;
    }
  }
  if (add_received) {
    out += ";received=";
    out += source.address.to_string();  // IPv6 without brackets
  }
  return out;
}

}  // namespace

std::optional<std::string> stamped_via_value(std::string_view via_value, const Endpoint& source) {
  const auto via = sip::parse_via(via_value);
  if (!via) return std::nullopt;
  return restamped(*via, via_value, source);
}

bool stamp_top_via(sip::Message& request, const Endpoint& source) {
  auto top = request.find(sip::HeaderId::Via);
  if (!top) return false;
  const auto via = sip::parse_via(*top);
  if (!via) return false;
  auto stamped = restamped(*via, *top, source);
  if (!stamped) return true;
  // Via is a split list: the first Via field is the top value. Removing it and adding the new
  // value in front of the remaining Vias keeps the Via order (§8.1.1.7, §16.6).
  request.remove_first(sip::HeaderId::Via);
  request.add_front(sip::HeaderId::Via, *stamped);
  return true;
}

Result<ResponseTarget> response_target(const sip::Via& top_via) {
  auto proto = protocol_from_via(top_via.transport);
  if (!proto) {
    return Error{std::make_error_code(std::errc::protocol_not_supported),
                 "unsupported Via transport " + std::string(top_via.transport)};
  }
  if (is_websocket(*proto)) {
    // RFC 7118 §5: a WebSocket client cannot be connected to; its responses go over the
    // connection the request came on, and that is gone.
    return Error{std::make_error_code(std::errc::not_connected),
                 "the WebSocket connection of the request is closed"};
  }
  ResponseTarget t;
  t.protocol = *proto;
  const std::uint16_t sent_by_port = top_via.port.value_or(default_port(*proto));
  if (top_via.received) {
    // `received` is a bare address; IPv6 goes into brackets for host text.
    auto ip = parse_ip(*top_via.received);
    t.host = ip ? host_text(*ip) : std::string(*top_via.received);
    t.port = sent_by_port;
    if (!is_reliable(*proto) && top_via.rport_value) t.port = *top_via.rport_value;
    return t;
  }
  t.host = std::string(top_via.host);
  t.port = sent_by_port;
  return t;
}

}  // namespace ims::transport
