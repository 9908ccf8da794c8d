#include "switch/proxy/device.hpp"

#include "switch/proxy/route.hpp"

namespace ims::sw::proxy {

bool same_device(const store::Binding& b, const transport::Origin& origin) {
  if (b.flow_id != 0 && b.flow_id == static_cast<std::uint64_t>(origin.flow) &&
      transport::is_connection(origin.protocol))
    return true;
  const auto source = transport::parse_ip(b.source_address);
  if (source && transport::Endpoint::make(*source, b.source_port) == origin.source &&
      b.transport == transport::protocol_name(origin.protocol))
    return true;
  auto r = route_of(b);
  return r && r->protocol == origin.protocol && r->endpoint == origin.source;
}

}  // namespace ims::sw::proxy
