#include "switch/routing/rules.hpp"

#include <algorithm>

#include "switch/directory/fields.hpp"
#include "switch/routing/errors.hpp"

namespace ims::sw::routing {

namespace {

bool has_case_data(const Facts& facts, const std::pair<std::string, std::string>& wanted) {
  return std::any_of(facts.case_data.begin(), facts.case_data.end(), [&](const auto& kv) {
    return kv.first == wanted.first && (wanted.second == "*" || kv.second == wanted.second);
  });
}

Error routing_error(RoutingErrc code, std::string detail) {
  return Error{make_error_code(code), make_error_code(code).message() + ": " + detail};
}

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& hop : path) {
    if (!out.empty()) out += " -> ";
    out += hop;
  }
  return out;
}

}  // namespace

bool matches(const directory::RouteMatch& match, const Facts& facts, LocalTime t) {
  if (!match.callers.empty() &&
      std::none_of(match.callers.begin(), match.callers.end(),
                   [&](const std::string& p) { return directory::glob_match(p, facts.caller); })) {
    return false;
  }
  if (!match.skill.empty() && match.skill != facts.skill) return false;
  for (const auto& wanted : match.case_data) {
    if (!has_case_data(facts, wanted)) return false;
  }
  return !match.time || match.time->contains(t.weekday, t.minute);
}

const std::string& evaluate(const directory::RoutingPoint& rp, const Facts& facts, LocalTime t) {
  for (const directory::RouteRule& rule : rp.rules) {
    if (matches(rule.match, facts, t)) return rule.target;
  }
  return rp.default_target;
}

Result<Routed> resolve(const directory::Directory& dir, std::string_view address,
                       const Facts& facts, LocalTime t) {
  Routed out;
  out.path.emplace_back(address);
  std::size_t routing_points = 0;
  for (;;) {
    const std::string& at = out.path.back();
    const auto target = dir.resolve(at);
    if (!target) return routing_error(RoutingErrc::UnknownTarget, joined(out.path));
    if (const auto* agent = std::get_if<const directory::Agent*>(&*target)) {
      out.target = *agent;
      return out;
    }
    if (const auto* queue = std::get_if<const directory::Queue*>(&*target)) {
      out.target = *queue;
      return out;
    }
    if (++routing_points > kMaxRouteHops) {
      return routing_error(RoutingErrc::TooManyHops, joined(out.path));
    }
    const auto* rp = std::get<const directory::RoutingPoint*>(*target);
    const std::string& next = evaluate(*rp, facts, t);
    if (next.empty()) return routing_error(RoutingErrc::NoRoute, joined(out.path));
    out.path.push_back(next);
  }
}

}  // namespace ims::sw::routing
