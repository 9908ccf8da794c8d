// GET /api/v1/agents/{login}, GET /api/v1/queues, GET /api/v1/queues/{number}: an agent as
// the directory has it with its state now (and, for itself or the admin, its queue counters);
// the queues with their lines; one queue with its waiting interactions (position, wait), its
// members by state and its counters.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "switch/app/api.hpp"
#include "switch/app/api_state.hpp"
#include "switch/app/queue_desk.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

namespace {

using nlohmann::json;

json queue_summary(const directory::Queue& q, const directory::Directory& dir,
                   SharedState& shared) {
  json j{{"number", q.number},
         {"name", q.name.empty() ? q.number : q.name},
         {"address", "sip:" + q.number + "@" + dir.realm()},
         {"distribution", std::string(directory::distribution_name(q.distribution))}};
  j.update(queue_state(q, shared));
  return j;
}

}  // namespace

void Api::agent_details(const Caller& caller, http::Request&& request, http::Reply reply) const {
  const auto& dir = *index_->directory();
  const directory::Agent* a = dir.agent(*request.param("login"));
  if (!a) return reply(http::error_response(404, "no such agent"));
  json j{{"login", a->login},
         {"display_name", a->shown_name()},
         {"address", "sip:" + a->login + "@" + dir.realm()},
         {"tasks", a->tasks},
         {"im_capacity", a->im_capacity}};
  if (!a->email.empty()) j["email"] = a->email;
  if (!a->phone.empty()) j["phone"] = a->phone;
  json skills = json::object();
  for (const auto& s : a->skills) skills[s.name] = s.level;
  j["skills"] = std::move(skills);
  j.update(agent_state(*a, *shared_));
  if (const auto view = shared_->queues->agent(a->login)) {
    j["queues"] = view->queues;
    if (caller.admin || caller.login == a->login) {
      j["counters"] = json{{"offered", view->counters.offered},
                           {"answered", view->counters.answered},
                           {"declined", view->counters.declined},
                           {"no_answer", view->counters.no_answer},
                           {"ended", view->counters.ended},
                           {"handle_ms", view->counters.handle_ms}};
    }
  }
  reply(http::json_response(200, j));
}

void Api::queue_list(const Caller&, http::Request&&, http::Reply reply) const {
  const auto& dir = *index_->directory();
  json queues = json::array();
  for (const auto& q : dir.queues()) queues.push_back(queue_summary(q, dir, *shared_));
  reply(http::json_response(200, json{{"count", queues.size()}, {"queues", std::move(queues)}}));
}

void Api::queue_details(const Caller&, http::Request&& request, http::Reply reply) const {
  const auto& dir = *index_->directory();
  const directory::Queue* q = dir.queue(*request.param("number"));
  if (!q) return reply(http::error_response(404, "no such queue"));
  json j = queue_summary(*q, dir, *shared_);
  const auto view = shared_->queues->queue(q->number);
  const std::int64_t now = unix_now_ms();
  json waiting = json::array();
  if (view) {
    for (const auto& w : view->waiting) {
      waiting.push_back(json{{"interaction", w.interaction},
                             {"position", w.position},
                             {"waiting_ms", std::max<std::int64_t>(0, now - w.since_ms)}});
    }
    const auto& c = view->counters;
    j["counters"] = json{{"entered", c.entered},     {"refused", c.refused},
                         {"offered", c.offered},     {"answered", c.answered},
                         {"declined", c.declined},   {"no_answer", c.no_answer},
                         {"abandoned", c.abandoned}, {"overflowed", c.overflowed},
                         {"timed_out", c.timed_out}, {"ended", c.ended},
                         {"average_answer_ms", c.answered ? c.answered_wait_ms /
                                                                static_cast<std::int64_t>(c.answered)
                                                          : 0},
                         {"average_handle_ms",
                          c.ended ? c.handle_ms / static_cast<std::int64_t>(c.ended) : 0}};
  }
  j["waiting_list"] = std::move(waiting);
  // Members by state: the agents whose desk view names this queue.
  json members = json::array();
  for (const auto& a : dir.agents()) {
    const auto v = shared_->queues->agent(a.login);
    if (!v || std::find(v->queues.begin(), v->queues.end(), q->number) == v->queues.end())
      continue;
    json m{{"login", a.login}, {"display_name", a.shown_name()}};
    m.update(agent_state(a, *shared_));
    members.push_back(std::move(m));
  }
  j["member_list"] = std::move(members);
  reply(http::json_response(200, j));
}

}  // namespace ims::sw::app
