// GET /api/v1/transcripts?q=&party=&since=&until=&limit=&cursor=: full-text search over the
// saved IM transcripts (the store's FTS5 index, kept in step with every message). An agent
// sees only sessions it took part in (party narrows them to those shared with that login); the
// admin sees all (party: one login's). Times are Unix milliseconds. Newest first; next_cursor
// continues below the page's last hit.

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/util/strings.hpp"
#include "switch/app/api.hpp"
#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::app {

namespace {

using nlohmann::json;

// "2026-12-06T10:36:50.123Z"
std::string utc(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(seconds), ms % 1000);
}

// The store marks matched words with STX/ETX; an API reader gets them as « and ».
std::string marked(std::string snippet) {
  std::string out;
  out.reserve(snippet.size() + 16);
  for (char c : snippet) {
    if (c == store::kMarkOpen[0]) {
      out += "\xC2\xAB";
    } else if (c == store::kMarkClose[0]) {
      out += "\xC2\xBB";
    } else {
      out += c;
    }
  }
  return out;
}

// A Unix-ms parameter: absent, or a whole number.
bool read_ms(const http::Request& r, std::string_view name, std::optional<std::int64_t>& out) {
  const auto v = r.query_value(name);
  if (!v || v->empty()) return true;
  const auto n = util::parse_uint(*v, 253402300799999ULL);  // up to year 9999
  if (!n) return false;
  out = static_cast<std::int64_t>(*n);
  return true;
}

}  // namespace

void Api::transcript_search(const Caller& caller, http::Request&& request,
                            http::Reply reply) const {
  store::TranscriptQuery q;
  q.words = std::string(request.query_value("q").value_or(""));
  if (util::trim(q.words).empty()) return reply(http::error_response(400, "q: words to find"));
  const std::string party(request.query_value("party").value_or(""));
  if (!read_ms(request, "since", q.since_ms) || !read_ms(request, "until", q.until_ms))
    return reply(http::error_response(400, "since, until: Unix milliseconds"));
  if (const auto limit = request.query_value("limit"); limit && !limit->empty()) {
    const auto n = util::parse_uint(*limit, store::kMaxSearchLimit);
    if (!n || *n == 0)
      return reply(http::error_response(
          400, fmt::format("limit: a whole number from 1 to {}", store::kMaxSearchLimit)));
    q.limit = static_cast<std::size_t>(*n);
  }
  q.cursor = std::string(request.query_value("cursor").value_or(""));
  // An agent's own sessions only; with party, those it shared with that login.
  q.participant = caller.admin ? party : caller.login;
  const std::string also = caller.admin || party == caller.login ? std::string() : party;

  store_->search_transcripts(std::move(q), [reply = std::move(reply),
                                            also](Result<store::TranscriptPage> page) {
    if (!page) {
      if (page.error().code == store::StoreErrc::Invalid)
        return reply(http::error_response(400, page.error().message));
      return reply(http::error_response(503, "the store cannot answer: " + page.error().message));
    }
    json hits = json::array();
    for (auto& h : page->hits) {
      if (!also.empty() && h.initiator != also && h.target != also) continue;
      hits.push_back(json{{"session_id", h.session_id},
                          {"message_id", h.message_id},
                          {"seq", h.seq},
                          {"stamped_at_ms", h.stamped_at_ms},
                          {"stamped_at", utc(h.stamped_at_ms)},
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
