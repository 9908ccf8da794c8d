#include "switch/proxy/route.hpp"

#include "common/sip/uri.hpp"
#include "common/transport/via_routing.hpp"

namespace ims::sw::proxy {

std::optional<Route> route_of(const store::Binding& b) {
  const auto registered_over = transport::protocol_from_name(b.transport);
  const auto source = transport::parse_ip(b.source_address);
  if (!registered_over || !source || b.source_port == 0) return std::nullopt;
  const auto source_ep = transport::Endpoint::make(*source, b.source_port);
  // A connection still open is the only sure way to a client behind NAT.
  if (transport::is_connection(*registered_over) && b.flow_id != 0)
    return Route{*registered_over, source_ep, transport::FlowId{b.flow_id}};
  // RFC 7118 §5: a WebSocket client is reached over its connection or not at all.
  if (transport::is_websocket(*registered_over)) return std::nullopt;

  transport::Protocol protocol = *registered_over;
  const auto uri = sip::parse_uri(b.contact);
  if (!uri) return Route{protocol, source_ep, std::nullopt};
  if (auto t = uri->param("transport")) {
    const auto p = transport::protocol_from_via(*t);
    if (!p) return std::nullopt;
    protocol = *p;
    if (transport::is_websocket(protocol)) return std::nullopt;
  }
  // RFC 5630 §3.1.3: a sips: Contact is reached over TLS.
  if (uri->scheme == sip::UriScheme::Sips && !transport::is_secure(protocol))
    protocol = transport::Protocol::Tls;
  const auto host = transport::parse_ip(uri->host);
  if (host && *host == *source)
    return Route{protocol,
                 transport::Endpoint::make(*host, uri->port.value_or(transport::default_port(protocol))),
                 std::nullopt};
  return Route{protocol, source_ep, std::nullopt};
}

std::vector<store::Binding> secure_only(const std::vector<store::Binding>& bindings) {
  std::vector<store::Binding> out;
  for (const auto& b : bindings) {
    const auto r = route_of(b);
    if (r && transport::is_secure(r->protocol)) out.push_back(b);
  }
  return out;
}

bool asks_for_tls(std::string_view request_uri) {
  const auto uri = sip::parse_uri(request_uri);
  return uri && uri->scheme == sip::UriScheme::Sips;
}

}  // namespace ims::sw::proxy
