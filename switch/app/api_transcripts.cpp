// GET /api/v1/transcripts?q=&party=&since=&until=&limit=&cursor=: full-text search over the
// saved IM transcripts (the store's FTS5 index, kept in step with every message). An agent
// sees only sessions it took part in (party narrows them to those shared with that login); the
// admin sees all (party: one login's). Times are Unix milliseconds. Newest first; next_cursor
// continues below the page's last hit.

#include <nlohmann/json.hpp>

#include "common/util/strings.hpp"
#include "switch/app/api.hpp"
#include "switch/app/api_json.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::app {

using nlohmann::json;

void Api::transcript_search(const Caller& caller, http::Request&& request,
                            http::Reply reply) const {
  store::TranscriptQuery q;
  q.words = std::string(request.query_value("q").value_or(""));
  if (util::trim(q.words).empty()) return reply(http::error_response(400, "q: words to find"));
  const std::string party(request.query_value("party").value_or(""));
  if (!read_ms(request, "since", q.since_ms) || !read_ms(request, "until", q.until_ms))
    return reply(http::error_response(400, "since, until: Unix milliseconds"));
  const auto limit = read_limit(request, q.limit, store::kMaxSearchLimit);
  if (!limit) return reply(http::error_response(400, limit.error().message));
  q.limit = *limit;
  q.cursor = std::string(request.query_value("cursor").value_or(""));
  // An agent's own sessions only; with party, those it shared with that login.
  q.participant = caller.admin ? party : caller.login;
  const std::string also = caller.admin || party == caller.login ? std::string() : party;

  store_->search_transcripts(std::move(q), [reply = std::move(reply),
                                            also](Result<store::TranscriptPage> page) {
    if (!page) return reply(store_failure(page.error()));
    json hits = json::array();
    for (auto& h : page->hits) {
      if (!also.empty() && h.initiator != also && h.target != also) continue;
      hits.push_back(json{{"session_id", h.session_id},
                          {"message_id", h.message_id},
                          {"seq", h.seq},
                          {"stamped_at_ms", h.stamped_at_ms},
                          {"stamped_at", utc_text(h.stamped_at_ms)},
                          {"sender", h.sender},
                          {"recipient", h.recipient},
                          {"parties", json::array({h.initiator, h.target})},
                          {"snippet", marked(std::move(h.snippet))}});
    }
    json body{{"count", hits.size()}, {"hits", std::move(hits)}};
    if (!page->next_cursor.empty()) body["next_cursor"] = page->next_cursor;
    reply(http::json_response(200, body));
  });
}

}  // namespace ims::sw::app
