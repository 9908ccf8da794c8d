// GET /api/v1/agents/{login}, PUT /api/v1/agents/{login}/state, GET /api/v1/queues,
// GET /api/v1/queues/{number}: an agent as the directory has it with its state now (and, for
// itself or the admin, its queue counters); its state set by itself or the admin (as a PUBLISH
// would, publish.cpp); the queues with their lines; one queue with its waiting interactions
// (position, wait), its members by state and its counters.

#include <algorithm>
#include <optional>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "switch/agents/pidf.hpp"
#include "switch/app/api.hpp"
#include "switch/app/api_json.hpp"
#include "switch/app/api_state.hpp"
#include "switch/app/queue_desk.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

namespace {

namespace asio = boost::asio;
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

json agent_json(const directory::Agent& a, const directory::Directory& dir, const Caller& caller,
                SharedState& shared) {
  json j{{"login", a.login},
         {"display_name", a.shown_name()},
         {"address", "sip:" + a.login + "@" + dir.realm()},
         {"tasks", a.tasks},
         {"im_capacity", a.im_capacity}};
  if (!a.email.empty()) j["email"] = a.email;
  if (!a.phone.empty()) j["phone"] = a.phone;
  json skills = json::object();
  for (const auto& s : a.skills) skills[s.name] = s.level;
  j["skills"] = std::move(skills);
  j.update(agent_state(a, shared));
  if (const auto view = shared.queues->agent(a.login)) {
    j["queues"] = view->queues;
    if (caller.admin || caller.login == a.login) {
      j["counters"] = json{{"offered", view->counters.offered},
                           {"answered", view->counters.answered},
                           {"declined", view->counters.declined},
                           {"no_answer", view->counters.no_answer},
                           {"ended", view->counters.ended},
                           {"handle_ms", view->counters.handle_ms}};
    }
  }
  return j;
}

Error bad_body(std::string what) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(what)};
}

// {"state": "ready"} or {"state": "not_ready", "reason": "lunch"}: the state, or why not (400).
Result<agents::AgentState> requested_state(const http::Request& request) {
  auto doc = json_body(request);
  if (!doc) return doc.error();
  if (!doc->is_object())
    return bad_body(R"(the body must be a JSON object: {"state": "ready" | "not_ready"})");
  std::optional<agents::Presence> presence;
  std::string reason;
  for (const auto& [key, value] : doc->items()) {
    if (key == "state") {
      const std::string* text = value.get_ptr<const std::string*>();
      if (text && *text == "ready") {
        presence = agents::Presence::Ready;
      } else if (text && *text == "not_ready") {
        presence = agents::Presence::NotReady;
      } else {
        return bad_body(R"(state: "ready" or "not_ready")");
      }
    } else if (key == "reason") {
      const std::string* text = value.get_ptr<const std::string*>();
      if (!text) return bad_body("reason: a string");
      if (text->size() > agents::kMaxNoteBytes)
        return bad_body(fmt::format("reason: at most {} bytes", agents::kMaxNoteBytes));
      // A reason goes into log lines and PIDF notes: no line breaks, no control characters.
      for (unsigned char c : *text)
        if (c < 0x20 || c == 0x7f) return bad_body("reason: no control characters");
      reason = *text;
    } else {
      return bad_body(fmt::format("unknown field '{}'", field_name(key)));
    }
  }
  if (!presence) return bad_body(R"(state: missing ("ready" or "not_ready"))");
  if (*presence == agents::Presence::Ready && !reason.empty())
    return bad_body("reason: only with \"not_ready\"");
  return agents::AgentState{*presence, std::move(reason)};
}

}  // namespace

void Api::agent_details(const Caller& caller, http::Request&& request, http::Reply reply) const {
  const auto& dir = *index_->directory();
  const directory::Agent* a = dir.agent(*request.param("login"));
  if (!a) return reply(http::error_response(404, "no such agent"));
  reply(http::json_response(200, agent_json(*a, dir, caller, *shared_)));
}

void Api::agent_set_state(const Caller& caller, http::Request&& request, http::Reply reply) {
  const auto& dir = *index_->directory();
  const directory::Agent* a = dir.agent(*request.param("login"));
  if (!a) return reply(http::error_response(404, "no such agent"));
  if (!caller.admin && caller.login != a->login)
    return reply(http::error_response(403, "an agent sets its own state only"));
  // PRODUCT §2: the state is the IM channel's, as PUBLISH refuses it to agents without IM.
  if (!a->has_task("im"))
    return reply(http::error_response(403, "the agent does not take IM (no im task)"));
  auto state = requested_state(request);
  if (!state) return reply(http::error_response(400, state.error().message));
  if (!shared_->on_core) return reply(http::error_response(503, "no SIP core to take the state"));

  // On core 0, as a PUBLISH: the presence table, the store, the announcement; then back here
  // for the answer, which reads the directory of this thread.
  const std::string by = caller.admin ? "the admin" : a->login;
  shared_->on_core(0, [this, login = a->login, caller, by, state = std::move(*state),
                       reply = std::move(reply)](SwitchTu& tu) mutable {
    tu.set_state_by_api(
        login, std::move(state), by,
        [this, login, caller, reply = std::move(reply)](Result<void> stored) mutable {
          if (!stored)
            return reply(http::error_response(503, "state not kept: " + stored.error().message));
          asio::post(io_, [this, login, caller, reply = std::move(reply)] {
            const auto& now = *index_->directory();
            const directory::Agent* agent = now.agent(login);
            if (!agent) return reply(http::error_response(404, "no such agent"));
            reply(http::json_response(200, agent_json(*agent, now, caller, *shared_)));
          });
        });
  });
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
  // Members by state, in the queue's order (its members, then the agents its skills matched).
  json members = json::array();
  const auto logins = shared_->queues->members(q->number);
  for (const auto& login : logins.value_or(std::vector<std::string>{})) {
    const directory::Agent* a = dir.agent(login);
    if (!a) continue;  // a reload in between
    json m{{"login", a->login}, {"display_name", a->shown_name()}};
    m.update(agent_state(*a, *shared_));
    members.push_back(std::move(m));
  }
  j["member_list"] = std::move(members);
  reply(http::json_response(200, j));
}

}  // namespace ims::sw::app
