#pragma once
// Failures the routing core reports as values (STYLE rule 7), with their own category. Plain
// values, no I/O; any thread.

#include <system_error>

namespace ims::sw::routing {

enum class RoutingErrc {
  UnknownTarget = 1,  // an address that names no agent, queue or routing point (404)
  NoRoute,            // a routing point without a matching rule and without a default
  TooManyHops,        // more than kMaxRouteHops routing points in a row: a rule loop
};

const std::error_category& routing_category();
std::error_code make_error_code(RoutingErrc e);

}  // namespace ims::sw::routing

template <>
struct std::is_error_code_enum<ims::sw::routing::RoutingErrc> : std::true_type {};
