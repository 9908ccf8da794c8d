#pragma once
// Routing points (PRODUCT §1): which rule of a routing point applies to an interaction, and
// where an address finally leads once routing points have been followed. Pure functions over the
// directory and the interaction's facts; the caller passes the switch's local time, nothing here
// reads a clock. No I/O; any thread may call them on a Directory it holds.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/util/result.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::routing {

// A routing point's rules look at these.
struct Facts {
  std::string caller;  // the initiator's login
  std::string skill;   // the skill the interaction asks for; empty: none
  std::vector<std::pair<std::string, std::string>> case_data;  // flat key/value strings
};

// The switch's local time. weekday: 0 = Sunday .. 6 = Saturday; minute: 0..1439.
struct LocalTime {
  unsigned weekday = 0;
  unsigned minute = 0;
};

// Rules may send an interaction from routing point to routing point depending on its facts, so
// Directory::build cannot rule out loops; resolve() stops after this many routing points.
inline constexpr std::size_t kMaxRouteHops = 16;

// True when every condition the match gives holds: the caller matches one of the glob patterns,
// the skill asked for is the one named, each case-data pair is present with that value (value
// "*": the key is present with any value), the time window contains the local time.
bool matches(const directory::RouteMatch& match, const Facts& facts, LocalTime t);

// Where a routing point sends the interaction: the target of the first rule that matches, else
// the default target (empty when the routing point has none). The reference points into `rp`.
const std::string& evaluate(const directory::RoutingPoint& rp, const Facts& facts, LocalTime t);

struct Routed {
  std::variant<const directory::Agent*, const directory::Queue*> target;
  std::vector<std::string> path;  // every address visited, the first and the final one included
};

// Follows `address` (an agent login or phone, a queue or routing-point number) through routing
// points until it reaches an agent or a queue. Errors (RoutingErrc): UnknownTarget for an address
// the directory does not hold, NoRoute for a routing point with nothing to offer, TooManyHops
// past kMaxRouteHops routing points. The pointers point into `dir`.
[[nodiscard]] Result<Routed> resolve(const directory::Directory& dir, std::string_view address,
                                     const Facts& facts, LocalTime t);

}  // namespace ims::sw::routing
