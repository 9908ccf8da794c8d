#include "switch/routing/errors.hpp"

#include <string>

namespace ims::sw::routing {
namespace {

class Category : public std::error_category {
 public:
  const char* name() const noexcept override { return "routing"; }
  std::string message(int ev) const override {
    switch (static_cast<RoutingErrc>(ev)) {
      case RoutingErrc::UnknownTarget: return "no agent, queue or routing point at that address";
      case RoutingErrc::NoRoute: return "no rule matches and the routing point has no default";
      case RoutingErrc::TooManyHops: return "too many routing points in a row (a rule loop)";
    }
    return "unknown routing error";
  }
};

}  // namespace

const std::error_category& routing_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(RoutingErrc e) { return {static_cast<int>(e), routing_category()}; }

}  // namespace ims::sw::routing
