// GET /api/v1/directory?q=&type=&limit=: the Team Communicator (PRODUCT §1). The search runs
// on the API's thread over the directory's index; each hit then gets what the switch knows of
// it now: an agent's state (logged out, Ready, Not Ready with its reason, busy at its IM
// capacity), a queue's waiting interactions and free members, and the actions it takes.

#include <nlohmann/json.hpp>

#include "switch/app/api.hpp"
#include "switch/app/api_state.hpp"

namespace ims::sw::app {

namespace {

using nlohmann::json;

std::string address_of(const directory::Directory& dir, std::string_view user) {
  return "sip:" + std::string(user) + "@" + dir.realm();
}

json agent_hit(const directory::Agent& a, const directory::Directory& dir, SharedState& shared) {
  json j{{"type", "agent"},
         {"login", a.login},
         {"display_name", a.shown_name()},
         {"address", address_of(dir, a.login)}};
  if (!a.email.empty()) j["email"] = a.email;
  if (!a.phone.empty()) j["phone"] = a.phone;
  j.update(agent_state(a, shared));
  j["actions"] = a.has_task("im") ? json::array({"im", "consult"}) : json::array();
  return j;
}

json queue_hit(const directory::Queue& q, const directory::Directory& dir, SharedState& shared) {
  json j{{"type", "queue"},
         {"number", q.number},
         {"name", q.name.empty() ? q.number : q.name},
         {"address", address_of(dir, q.number)},
         {"actions", json::array({"im"})}};
  j.update(queue_state(q, shared));
  return j;
}

json routing_point_hit(const directory::RoutingPoint& rp, const directory::Directory& dir) {
  return json{{"type", "routing_point"},
              {"number", rp.number},
              {"name", rp.name.empty() ? rp.number : rp.name},
              {"address", address_of(dir, rp.number)},
              {"actions", json::array({"im"})}};
}

}  // namespace

// Any agent, and the admin, may search; every hit is shown to all of them.
void Api::directory_search(const Caller&, http::Request&& request, http::Reply reply) const {
  auto type = directory::parse_search_type(request.query_value("type").value_or(""));
  if (!type) return reply(http::error_response(400, "type: " + type.error().message));
  auto limit = directory::parse_search_limit(request.query_value("limit").value_or(""));
  if (!limit) return reply(http::error_response(400, "limit: " + limit.error().message));
  auto query = directory::Query::parse(request.query_value("q").value_or(""), *type, *limit);
  if (!query) return reply(http::error_response(400, "q: " + query.error().message));

  const auto index = index_;  // the one this request started with, even across a reload
  const directory::Directory& dir = *index->directory();
  json hits = json::array();
  for (const auto& hit : index->search(*query)) {
    json j = std::visit(
        [&](auto* target) -> json {
          using T = std::remove_cv_t<std::remove_pointer_t<decltype(target)>>;
          if constexpr (std::is_same_v<T, directory::Agent>) {
            return agent_hit(*target, dir, *shared_);
          } else if constexpr (std::is_same_v<T, directory::Queue>) {
            return queue_hit(*target, dir, *shared_);
          } else {
            return routing_point_hit(*target, dir);
          }
        },
        hit.target);
    j["match"] = std::string(directory::match_kind_name(hit.how));
    j["field"] = std::string(directory::field_name(hit.field));
    hits.push_back(std::move(j));
  }
  reply(http::json_response(200, json{{"query", query->normalised()},
                                      {"count", hits.size()},
                                      {"hits", std::move(hits)}}));
}

}  // namespace ims::sw::app
