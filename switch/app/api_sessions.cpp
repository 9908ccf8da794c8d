// GET /api/v1/sessions?state=&party=&limit=&cursor= and GET /api/v1/sessions/{id}: the IM
// sessions the store recorded (at start, "live"; at end, "ended" with who ended it and why),
// newest first by start, and one session with its messages and, for a queued one, its offers.
// An agent sees only sessions it is a party of (party narrows them to those shared with that
// login); the admin sees all (party: one login's).

#include <nlohmann/json.hpp>

#include "common/sip/cpim.hpp"
#include "common/sip/header_values.hpp"
#include "common/util/strings.hpp"
#include "switch/app/api.hpp"
#include "switch/app/api_json.hpp"
#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::app {

namespace {

using nlohmann::json;

// Bounds on what a caller may ask (STYLE rule 9).
constexpr std::size_t kMaxLoginBytes = 256;
constexpr std::size_t kMaxCursorBytes = 512;

json session_json(const store::SessionRecord& s) {
  json j{{"id", s.id},
         {"initiator", s.initiator},
         {"target", s.target},
         {"state", s.state},
         {"started_at_ms", s.started_at_ms},
         {"started_at", utc_text(s.started_at_ms)}};
  if (s.ended_at_ms != 0) {
    j["ended_at_ms"] = s.ended_at_ms;
    j["ended_at"] = utc_text(s.ended_at_ms);
  }
  if (!s.ended_by.empty()) j["ended_by"] = s.ended_by;
  if (!s.end_reason.empty()) j["end_reason"] = s.end_reason;
  if (!s.queue.empty()) j["queue"] = s.queue;
  if (!s.contact_id.empty()) j["contact_id"] = s.contact_id;
  return j;
}

// What a reader sees of a message: a CPIM message's content (RFC 3862), any other body as it is.
std::string text_of(const store::TranscriptEntry& m) {
  const auto ct = sip::parse_content_type(m.content_type);
  if (!ct || !util::iequals(ct->type, "message") || !util::iequals(ct->subtype, "cpim"))
    return m.body;
  auto parsed = sip::parse_cpim(m.body);
  return parsed ? std::string(parsed->content) : m.body;
}

bool party_of(const store::SessionRecord& s, const std::string& login) {
  return s.initiator == login || s.target == login;
}

}  // namespace

void Api::session_list(const Caller& caller, http::Request&& request, http::Reply reply) {
  store::SessionQuery q;
  const std::string_view state = request.query_value("state").value_or("");
  if (state == "live") {
    q.state = store::SessionFilter::Live;
  } else if (state == "ended") {
    q.state = store::SessionFilter::Ended;
  } else if (!state.empty()) {
    return reply(http::error_response(400, R"(state: "live" or "ended")"));
  }
  const std::string party(request.query_value("party").value_or(""));
  if (party.size() > kMaxLoginBytes)
    return reply(http::error_response(400, "party: a login"));
  const auto limit = read_limit(request, q.limit, store::kMaxSearchLimit);
  if (!limit) return reply(http::error_response(400, limit.error().message));
  q.limit = *limit;
  q.cursor = std::string(request.query_value("cursor").value_or(""));
  if (q.cursor.size() > kMaxCursorBytes)
    return reply(http::error_response(400, "cursor: not one this switch gave"));
  // An agent's own sessions only; with party, those it shared with that login.
  q.party = caller.admin ? party : caller.login;
  if (!caller.admin && party != caller.login) q.with = party;

  store_->list_sessions(
      std::move(q), on_api<store::SessionPage>([reply = std::move(reply)](
                                                   Result<store::SessionPage> page) {
        if (!page) return reply(store_failure(page.error()));
        json sessions = json::array();
        for (const auto& s : page->sessions) sessions.push_back(session_json(s));
        json body{{"count", sessions.size()}, {"sessions", std::move(sessions)}};
        if (!page->next_cursor.empty()) body["next_cursor"] = page->next_cursor;
        reply(http::json_response(200, body));
      }));
}

void Api::session_details(const Caller& caller, http::Request&& request, http::Reply reply) {
  std::string id(*request.param("id"));
  store_->load_transcript(
      std::move(id), on_api<store::Transcript>([caller, reply = std::move(reply)](
                                                   Result<store::Transcript> t) {
        if (!t) {
          if (t.error().code == store::StoreErrc::NotFound)
            return reply(http::error_response(404, "no such session"));
          return reply(store_failure(t.error()));
        }
        if (!caller.admin && !party_of(t->session, caller.login))
          return reply(http::error_response(403, "not a party to this session"));
        json j = session_json(t->session);
        json messages = json::array();
        for (const auto& m : t->messages) {
          messages.push_back(json{{"seq", m.seq},
                                  {"stamped_at_ms", m.stamped_at_ms},
                                  {"stamped_at", utc_text(m.stamped_at_ms)},
                                  {"sender", m.sender},
                                  {"recipient", m.recipient},
                                  {"content_type", m.content_type},
                                  {"text", text_of(m)}});
        }
        json offers = json::array();
        for (const auto& o : t->offers) {
          // queue is "" for an overflow to an agent.
          offers.push_back(json{{"n", o.n},
                                {"queue", o.queue},
                                {"agent", o.agent},
                                {"offered_at_ms", o.offered_at_ms},
                                {"outcome", o.outcome}});
        }
        j["messages"] = std::move(messages);
        j["offers"] = std::move(offers);
        reply(http::json_response(200, j));
      }));
}

}  // namespace ims::sw::app
