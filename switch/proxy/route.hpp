#pragma once
// Where a request for a registered contact goes (a pager MESSAGE branch, an IM session's
// INVITE to a device), in this order:
// - registered over a connection (TCP, TLS, WS, WSS) that is still known: over it (RFC 5626 §5.2 flow
//   reuse: a client behind NAT or a firewall can only be reached that way). The registrar
//   keeps no flow for a Contact that names another listener on the sender's host
//   (registrar::FlowInfo);
// - otherwise the Contact URI's address (§16.6 step 6), when the Contact names the address the
//   REGISTER came from, as a client that is not behind NAT does;
// - otherwise the source address and port the REGISTER came from (RFC 3581: the NAT binding
//   the client keeps open; its Contact names an address we cannot reach).
// The Contact's transport parameter, when present, picks the transport; else the one the
// REGISTER used. A WebSocket client has no address to connect to (RFC 7118 §5): without its
// connection it is not reachable. Sans-I/O.

#include <optional>
#include <string_view>
#include <vector>

#include "common/transport/types.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::proxy {

struct Route {
  transport::Protocol protocol = transport::Protocol::Udp;
  transport::Endpoint endpoint;
  std::optional<transport::FlowId> flow;
};

// nullopt when the binding names a transport the switch does not speak or no usable address.
std::optional<Route> route_of(const store::Binding& binding);

// RFC 5630 §3.1.3: a request for a sips: Request-URI goes over TLS on every hop, the last one
// included. The bindings reached over TLS or WSS, in order.
std::vector<store::Binding> secure_only(const std::vector<store::Binding>& bindings);

// Whether a Request-URI is a sips: URI (and so asks for secure_only targets).
bool asks_for_tls(std::string_view request_uri);

}  // namespace ims::sw::proxy
