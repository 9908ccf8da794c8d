#pragma once
// Where a request for a registered contact goes: the flow the contact registered over (RFC 3581,
// RFC 5626 §5.2 style), as the pager proxy does for MESSAGE: its TCP connection while it is
// open; the Contact's address when it is the address the REGISTER came from; otherwise the
// REGISTER's source address (the client is behind NAT). Sans-I/O.

#include <optional>

#include "common/transport/types.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::im {

struct Route {
  transport::Protocol protocol = transport::Protocol::Udp;
  transport::Endpoint endpoint;
  std::optional<transport::FlowId> flow;
};

// nullopt when the binding names a transport the switch does not speak or no usable address.
std::optional<Route> route_of(const store::Binding& binding);

}  // namespace ims::sw::im
