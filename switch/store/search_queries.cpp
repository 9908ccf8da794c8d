#include "switch/store/search_queries.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "switch/store/errors.hpp"
#include "switch/store/fts_query.hpp"
#include "switch/store/queries.hpp"

namespace ims::sw::store::queries {
namespace {

// Message ids run from 1; these bound "no bound".
constexpr std::int64_t kNoUpper = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNoLower = 0;

// How far a message's stamp may run ahead of the order the store received it in (the B2BUA
// stamps a message, then appends it): since/until are turned into message id bounds this much
// wider, then applied exactly to the stamps.
constexpr std::int64_t kStampSkewMs = 60 * 60 * 1000;

// The hits, newest first: the FTS5 cursor walks the index by descending rowid (the message id)
// and stops at the limit, so a page costs the same however many matches are older.
const std::string kSearchTranscripts =
    "SELECT f.rowid, t.session_id, t.seq, t.stamped_at_ms, t.sender, t.recipient, s.initiator, "
    "s.target, snippet(im_transcript_fts, 0, char(2), char(3), '\xe2\x80\xa6', 16) "
    "FROM im_transcript_fts f CROSS JOIN im_transcript t ON t.id = f.rowid "
    "CROSS JOIN im_sessions s ON s.id = t.session_id "
    "WHERE im_transcript_fts MATCH ?1 AND f.rowid < ?2 AND f.rowid > ?3 "
    "AND t.stamped_at_ms >= ?4 AND t.stamped_at_ms <= ?5 ORDER BY f.rowid DESC LIMIT ?6";
// The first message stamped after a moment, and the last one before it: id bounds for since and
// until (im_transcript_stamp holds the id with each stamp).
const std::string kFirstIdAfter =
    "SELECT id FROM im_transcript WHERE stamped_at_ms > ?1 ORDER BY stamped_at_ms, id LIMIT 1";
const std::string kLastIdBefore =
    "SELECT id FROM im_transcript WHERE stamped_at_ms < ?1 "
    "ORDER BY stamped_at_ms DESC, id DESC LIMIT 1";

constexpr std::string_view kCursorPrefix = "t1.";

std::string make_cursor(std::int64_t id) { return fmt::format("{}{}", kCursorPrefix, id); }

// The message id below which the next page starts; kNoUpper for the first page.
Result<std::int64_t> parse_cursor(const std::string& cursor) {
  if (cursor.empty()) return kNoUpper;
  std::int64_t id = 0;
  const char* first = cursor.data() + kCursorPrefix.size();
  const char* last = cursor.data() + cursor.size();
  if (cursor.size() > kCursorPrefix.size() && cursor.starts_with(kCursorPrefix)) {
    auto [end, ec] = std::from_chars(first, last, id);
    if (ec == std::errc() && end == last && id > 0) return id;
  }
  return Error{StoreErrc::Invalid, "search: the cursor is not one this store gave"};
}

Result<std::optional<std::int64_t>> one_id(Connection& db, const std::string& sql,
                                           std::int64_t at_ms) {
  auto stmt = db.prepare(sql, "search transcripts");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, at_ms);
  auto row = stmt->step("search transcripts");
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt->column_int(0));
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b)
    return std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b)
    return std::numeric_limits<std::int64_t>::min();
  return a + b;
}

constexpr std::string_view kSessionCursorPrefix = "s1.";

// The position below which a page of sessions starts: (started_at_ms, id).
struct SessionPosition {
  std::int64_t started_at_ms = 0;
  std::string id;
};

std::string make_session_cursor(const SessionRecord& s) {
  return fmt::format("{}{}.{}", kSessionCursorPrefix, s.started_at_ms, s.id);
}

Result<std::optional<SessionPosition>> parse_session_cursor(const std::string& cursor) {
  if (cursor.empty()) return std::optional<SessionPosition>();
  const Error bad{StoreErrc::Invalid, "sessions: the cursor is not one this store gave"};
  if (!cursor.starts_with(kSessionCursorPrefix)) return bad;
  const std::string_view rest = std::string_view(cursor).substr(kSessionCursorPrefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return bad;
  SessionPosition at;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + dot, at.started_at_ms);
  if (ec != std::errc() || end != rest.data() + dot) return bad;
  at.id = std::string(rest.substr(dot + 1));
  return std::optional<SessionPosition>(std::move(at));
}

// The statement for one shape of SessionQuery. Parameters: ?1 and ?2 the position below which
// the page starts, ?3 the state, ?4 the party, ?5 the second party, ?6 how many rows.
std::string list_sessions_sql(const SessionQuery& q, bool after_cursor) {
  std::string bounds;
  if (after_cursor) bounds += " AND started_at_ms <= ?1 AND (started_at_ms < ?1 OR id < ?2)";
  if (q.state != SessionFilter::Any) bounds += " AND state = ?3";
  const std::string select = "SELECT " + std::string(kSessionColumns) + " FROM im_sessions";
  const std::string order = " ORDER BY started_at_ms DESC, id DESC LIMIT ?6";
  if (q.party.empty()) return select + " WHERE 1" + bounds + order;
  // One indexed walk per side the party can be on (im_sessions_initiator, im_sessions_target),
  // each cut at the page's size, then merged.
  const std::string with_target = q.with.empty() ? "" : " AND target = ?5";
  const std::string with_initiator = q.with.empty() ? "" : " AND initiator = ?5";
  return "SELECT * FROM (" + select + " WHERE initiator = ?4" + with_target + bounds + order +
         ") UNION ALL SELECT * FROM (" + select + " WHERE target = ?4 AND initiator <> ?4" +
         with_initiator + bounds + order + ")" + order;
}

std::string_view state_text(SessionFilter f) {
  switch (f) {
    case SessionFilter::Any: return "";
    case SessionFilter::Live: return "live";
    case SessionFilter::Ended: return "ended";
  }
  return "";
}

}  // namespace

std::size_t clamp_limit(std::size_t limit) {
  return std::clamp<std::size_t>(limit, 1, kMaxSearchLimit);
}

Result<TranscriptPage> search_transcripts(Connection& db, const TranscriptQuery& q) {
  auto words = fts::split_words(q.words);
  if (!words) return words.error();
  auto upper = parse_cursor(q.cursor);
  if (!upper) return upper.error();
  TranscriptPage page;
  if (words->empty()) return page;
  std::string match = "body : (" + fts::match_all(*words, fts::ends_in_word(q.words)) + ")";
  if (!q.participant.empty()) match += " AND parties : " + fts::party_token(q.participant);

  std::int64_t lower = kNoLower;
  const std::int64_t since = q.since_ms.value_or(std::numeric_limits<std::int64_t>::min());
  const std::int64_t until = q.until_ms.value_or(std::numeric_limits<std::int64_t>::max());
  if (q.until_ms) {
    auto after = one_id(db, kFirstIdAfter, saturating_add(until, kStampSkewMs));
    if (!after) return after.error();
    if (*after) *upper = std::min(*upper, **after);
  }
  if (q.since_ms) {
    auto before = one_id(db, kLastIdBefore, saturating_add(since, -kStampSkewMs));
    if (!before) return before.error();
    if (*before) lower = **before;
  }

  const std::size_t limit = clamp_limit(q.limit);
  auto stmt = db.prepare(kSearchTranscripts, "search transcripts");
  if (!stmt) return stmt.error();
  // One more than asked: whether there is a next page.
  stmt->bind_text(1, match)
      .bind_int(2, *upper)
      .bind_int(3, lower)
      .bind_int(4, since)
      .bind_int(5, until)
      .bind_int(6, static_cast<std::int64_t>(limit + 1));
  for (;;) {
    auto row = stmt->step("search transcripts");
    if (!row) return row.error();
    if (!*row) break;
    if (page.hits.size() == limit) {
      page.next_cursor = make_cursor(page.hits.back().message_id);
      break;
    }
    TranscriptHit h;
    h.message_id = stmt->column_int(0);
    h.session_id = stmt->column_text(1);
    h.seq = static_cast<std::uint32_t>(stmt->column_int(2));
    h.stamped_at_ms = stmt->column_int(3);
    h.sender = stmt->column_text(4);
    h.recipient = stmt->column_text(5);
    h.initiator = stmt->column_text(6);
    h.target = stmt->column_text(7);
    h.snippet = stmt->column_text(8);
    page.hits.push_back(std::move(h));
  }
  return page;
}

Result<SessionPage> list_sessions(Connection& db, const SessionQuery& q) {
  auto position = parse_session_cursor(q.cursor);
  if (!position) return position.error();
  const std::size_t limit = clamp_limit(q.limit);
  const std::string sql = list_sessions_sql(q, position->has_value());
  auto stmt = db.prepare(sql, "list sessions");
  if (!stmt) return stmt.error();
  const std::string_view state = state_text(q.state);
  if (*position) stmt->bind_int(1, (*position)->started_at_ms).bind_text(2, (*position)->id);
  if (!state.empty()) stmt->bind_text(3, state);
  if (!q.party.empty()) stmt->bind_text(4, q.party);
  if (!q.party.empty() && !q.with.empty()) stmt->bind_text(5, q.with);
  // One more than asked: whether there is a next page.
  stmt->bind_int(6, static_cast<std::int64_t>(limit + 1));
  SessionPage page;
  for (;;) {
    auto row = stmt->step("list sessions");
    if (!row) return row.error();
    if (!*row) break;
    if (page.sessions.size() == limit) {
      page.next_cursor = make_session_cursor(page.sessions.back());
      break;
    }
    page.sessions.push_back(read_session(*stmt));
  }
  return page;
}

}  // namespace ims::sw::store::queries
