#include "switch/store/queries.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "switch/store/errors.hpp"

namespace ims::sw::store::queries {
namespace {

const std::string kLoadBindings =
    "SELECT aor, contact, contact_params, display_name, instance, q_millis, session_capable, "
    "call_id, cseq, expires_at_ms, registered_at_ms, transport, source_address, source_port "
    "FROM bindings ORDER BY aor, registered_at_ms, contact";

const std::string kPutBinding =
    "INSERT INTO bindings (aor, contact, contact_params, display_name, instance, q_millis, "
    "session_capable, call_id, cseq, expires_at_ms, registered_at_ms, transport, source_address, "
    "source_port, flow_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15) ON CONFLICT (aor, contact) DO UPDATE SET contact_params = ?3, display_name = ?4, "
    "instance = ?5, q_millis = ?6, session_capable = ?7, call_id = ?8, cseq = ?9, "
    "expires_at_ms = ?10, registered_at_ms = ?11, transport = ?12, source_address = ?13, "
    "source_port = ?14, flow_id = ?15";

const std::string kRemoveBinding = "DELETE FROM bindings WHERE aor = ?1 AND contact = ?2";
const std::string kRemoveBindings = "DELETE FROM bindings WHERE aor = ?1";

const std::string kInsertMessage =
    "INSERT INTO stored_messages (recipient, sender_login, from_header, to_header, content_type, "
    "body, received_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const std::string kCountMessages =
    "SELECT COUNT(*) FROM stored_messages WHERE recipient = ?1";

const std::string kPendingMessages =
    "SELECT id, recipient, sender_login, from_header, to_header, content_type, body, "
    "received_at_ms, expires_at_ms FROM stored_messages WHERE recipient = ?1 ORDER BY id "
    "LIMIT ?2";

const std::string kDeleteMessage = "DELETE FROM stored_messages WHERE id = ?1";
const std::string kReaddressMessage = "UPDATE stored_messages SET recipient = ?2 WHERE id = ?1";

const std::string kExpireBindings = "DELETE FROM bindings WHERE expires_at_ms <= ?1";
const std::string kExpiredMessages =
    "SELECT id, recipient, sender_login, received_at_ms FROM stored_messages "
    "WHERE expires_at_ms <= ?1 ORDER BY id";
const std::string kExpireMessages = "DELETE FROM stored_messages WHERE expires_at_ms <= ?1";

const std::string kInsertSession =
    "INSERT INTO im_sessions (id, initiator, target, state, started_at_ms, ended_at_ms, ended_by, "
    "end_reason, initiator_call_id, target_call_id, queue, contact_id) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, NULLIF(?12, ''))";
const std::string kAnswerSession = "UPDATE im_sessions SET target = ?2 WHERE id = ?1";
const std::string kInsertOffer =
    "INSERT INTO im_offers (session_id, n, queue, agent, offered_at_ms, outcome) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const std::string kLoadOffers =
    "SELECT session_id, n, queue, agent, offered_at_ms, outcome FROM im_offers "
    "WHERE session_id = ?1 ORDER BY n";
const std::string kEndSession =
    "UPDATE im_sessions SET state = 'ended', ended_at_ms = ?2, ended_by = ?3, end_reason = ?4 "
    "WHERE id = ?1 AND state <> 'ended'";
const std::string kEndLiveSessions =
    "UPDATE im_sessions SET state = 'ended', ended_at_ms = ?1, ended_by = '', end_reason = ?2 "
    "WHERE state <> 'ended'";
const std::string kInsertEntry =
    "INSERT INTO im_transcript (session_id, seq, stamped_at_ms, sender, recipient, content_type, "
    "body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const std::string kLoadSession =
    "SELECT " + std::string(kSessionColumns) + " FROM im_sessions WHERE id = ?1";
const std::string kRecentSessions =
    "SELECT id FROM im_sessions ORDER BY started_at_ms DESC, rowid DESC LIMIT ?1";
const std::string kLoadPublications =
    "SELECT login, etag, basic, note, expires_at_ms, modified_at_ms FROM presence_publications "
    "ORDER BY modified_at_ms, login, etag";
const std::string kPutPublication =
    "INSERT INTO presence_publications (login, etag, basic, note, expires_at_ms, modified_at_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (login, etag) DO UPDATE SET basic = ?3, "
    "note = ?4, expires_at_ms = ?5, modified_at_ms = ?6";
const std::string kRemovePublication =
    "DELETE FROM presence_publications WHERE login = ?1 AND etag = ?2";

// PIDF's own words for the basic status (RFC 3863 §4.1.4), readable in the table.
std::string_view basic_text(PresenceBasic b) {
  switch (b) {
    case PresenceBasic::Open: return "open";
    case PresenceBasic::Closed: return "closed";
  }
  return "open";
}

const std::string kLoadEntries =
    "SELECT session_id, seq, stamped_at_ms, sender, recipient, content_type, body "
    "FROM im_transcript WHERE session_id = ?1 ORDER BY seq";

}  // namespace

Result<std::vector<Binding>> load_bindings(Connection& db) {
  auto stmt = db.prepare(kLoadBindings, "load bindings");
  if (!stmt) return stmt.error();
  std::vector<Binding> out;
  for (;;) {
    auto row = stmt->step("load bindings");
    if (!row) return row.error();
    if (!*row) break;
    Binding b;
    b.aor = stmt->column_text(0);
    b.contact = stmt->column_text(1);
    b.contact_params = stmt->column_text(2);
    b.display_name = stmt->column_text(3);
    b.instance = stmt->column_text(4);
    b.q_millis = static_cast<std::uint16_t>(stmt->column_int(5));
    b.session_capable = stmt->column_int(6) != 0;
    b.call_id = stmt->column_text(7);
    b.cseq = static_cast<std::uint32_t>(stmt->column_int(8));
    b.expires_at_ms = stmt->column_int(9);
    b.registered_at_ms = stmt->column_int(10);
    b.transport = stmt->column_text(11);
    b.source_address = stmt->column_text(12);
    b.source_port = static_cast<std::uint16_t>(stmt->column_int(13));
    b.flow_id = 0;  // the flow died with the process that had it
    out.push_back(std::move(b));
  }
  return out;
}

Result<void> put_binding(Connection& db, const Binding& b) {
  auto stmt = db.prepare(kPutBinding, "put binding");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, b.aor)
      .bind_text(2, b.contact)
      .bind_text(3, b.contact_params)
      .bind_text(4, b.display_name)
      .bind_text(5, b.instance)
      .bind_int(6, b.q_millis)
      .bind_int(7, b.session_capable ? 1 : 0)
      .bind_text(8, b.call_id)
      .bind_int(9, b.cseq)
      .bind_int(10, b.expires_at_ms)
      .bind_int(11, b.registered_at_ms)
      .bind_text(12, b.transport)
      .bind_text(13, b.source_address)
      .bind_int(14, b.source_port)
      .bind_int(15, static_cast<std::int64_t>(b.flow_id));  // kept for diagnosis only
  return stmt->run("put binding");
}

Result<void> remove_binding(Connection& db, const std::string& aor, const std::string& contact) {
  auto stmt = db.prepare(kRemoveBinding, "remove binding");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, aor).bind_text(2, contact);
  return stmt->run("remove binding");
}

Result<void> remove_bindings(Connection& db, const std::string& aor) {
  auto stmt = db.prepare(kRemoveBindings, "remove bindings");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, aor);
  return stmt->run("remove bindings");
}

Result<std::int64_t> insert_message(Connection& db, const StoredMessage& m) {
  auto stmt = db.prepare(kInsertMessage, "store message");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, m.recipient)
      .bind_text(2, m.sender_login)
      .bind_text(3, m.from)
      .bind_text(4, m.to)
      .bind_text(5, m.content_type)
      .bind_blob(6, m.body)
      .bind_int(7, m.received_at_ms)
      .bind_int(8, m.expires_at_ms);
  if (auto r = stmt->run("store message"); !r) return r.error();
  return db.last_insert_rowid();
}

Result<std::size_t> count_messages(Connection& db, const std::string& recipient) {
  auto stmt = db.prepare(kCountMessages, "count stored messages");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, recipient);
  auto row = stmt->step("count stored messages");
  if (!row) return row.error();
  return *row ? static_cast<std::size_t>(stmt->column_int(0)) : std::size_t{0};
}

Result<std::vector<StoredMessage>> pending_messages(Connection& db, const std::string& recipient,
                                                    std::size_t limit) {
  auto stmt = db.prepare(kPendingMessages, "read stored messages");
  if (!stmt) return stmt.error();
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  stmt->bind_text(1, recipient).bind_int(2, static_cast<std::int64_t>(std::min(limit, kMax)));
  std::vector<StoredMessage> out;
  for (;;) {
    auto row = stmt->step("read stored messages");
    if (!row) return row.error();
    if (!*row) break;
    StoredMessage m;
    m.id = stmt->column_int(0);
    m.recipient = stmt->column_text(1);
    m.sender_login = stmt->column_text(2);
    m.from = stmt->column_text(3);
    m.to = stmt->column_text(4);
    m.content_type = stmt->column_text(5);
    m.body = stmt->column_blob(6);
    m.received_at_ms = stmt->column_int(7);
    m.expires_at_ms = stmt->column_int(8);
    out.push_back(std::move(m));
  }
  return out;
}

Result<void> delete_message(Connection& db, std::int64_t id) {
  auto stmt = db.prepare(kDeleteMessage, "delete message");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, id);
  return stmt->run("delete message");
}

Result<void> readdress_message(Connection& db, std::int64_t id, const std::string& recipient) {
  auto stmt = db.prepare(kReaddressMessage, "readdress message");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, id);
  stmt->bind_text(2, recipient);
  if (auto r = stmt->run("readdress message"); !r) return r;
  if (db.changes() == 0)
    return Error{StoreErrc::NotFound, fmt::format("stored message {}: gone", id)};
  return {};
}

Result<ExpiredCounts> expire(Connection& db, std::int64_t now_ms) {
  ExpiredCounts counts;
  {
    auto stmt = db.prepare(kExpireBindings, "expire bindings");
    if (!stmt) return stmt.error();
    stmt->bind_int(1, now_ms);
    if (auto r = stmt->run("expire bindings"); !r) return r.error();
    counts.bindings = static_cast<std::size_t>(db.changes());
  }
  {
    auto stmt = db.prepare(kExpiredMessages, "expire messages");
    if (!stmt) return stmt.error();
    stmt->bind_int(1, now_ms);
    for (;;) {
      auto row = stmt->step("expire messages");
      if (!row) return row.error();
      if (!*row) break;
      counts.dropped.push_back(ExpiredMessage{stmt->column_int(0), stmt->column_text(1),
                                              stmt->column_text(2), stmt->column_int(3)});
    }
  }
  auto stmt = db.prepare(kExpireMessages, "expire messages");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, now_ms);
  if (auto r = stmt->run("expire messages"); !r) return r.error();
  counts.messages = static_cast<std::size_t>(db.changes());
  return counts;
}

Result<void> insert_session(Connection& db, const SessionRecord& s) {
  auto stmt = db.prepare(kInsertSession, "record session");
  if (!stmt) return stmt.error();
  // Bound text is not copied: it must outlive the step, so no temporaries here.
  const std::string_view state = s.state.empty() ? std::string_view("live") : s.state;
  stmt->bind_text(1, s.id)
      .bind_text(2, s.initiator)
      .bind_text(3, s.target)
      .bind_text(4, state)
      .bind_int(5, s.started_at_ms)
      .bind_int(6, s.ended_at_ms)
      .bind_text(7, s.ended_by)
      .bind_text(8, s.end_reason)
      .bind_text(9, s.initiator_call_id)
      .bind_text(10, s.target_call_id)
      .bind_text(11, s.queue)
      .bind_text(12, s.contact_id);
  return stmt->run("record session");
}

Result<void> answer_session(Connection& db, const std::string& id, const std::string& agent) {
  auto stmt = db.prepare(kAnswerSession, "record session answer");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, id).bind_text(2, agent);
  return stmt->run("record session answer");
}

Result<void> insert_offer(Connection& db, const OfferRecord& o) {
  auto stmt = db.prepare(kInsertOffer, "record offer");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, o.session_id)
      .bind_int(2, o.n)
      .bind_text(3, o.queue)
      .bind_text(4, o.agent)
      .bind_int(5, o.offered_at_ms)
      .bind_text(6, o.outcome);
  return stmt->run("record offer");
}

Result<void> end_session(Connection& db, const std::string& id, std::int64_t ended_at_ms,
                         const std::string& ended_by, const std::string& end_reason) {
  auto stmt = db.prepare(kEndSession, "end session");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, id).bind_int(2, ended_at_ms).bind_text(3, ended_by).bind_text(4, end_reason);
  return stmt->run("end session");
}

Result<void> insert_transcript_entry(Connection& db, const TranscriptEntry& e) {
  auto stmt = db.prepare(kInsertEntry, "append message");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, e.session_id)
      .bind_int(2, e.seq)
      .bind_int(3, e.stamped_at_ms)
      .bind_text(4, e.sender)
      .bind_text(5, e.recipient)
      .bind_text(6, e.content_type)
      .bind_blob(7, e.body);
  return stmt->run("append message");
}

Result<std::size_t> end_live_sessions(Connection& db, std::int64_t now_ms,
                                      const std::string& reason) {
  auto stmt = db.prepare(kEndLiveSessions, "end live sessions");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, now_ms).bind_text(2, reason);
  if (auto r = stmt->run("end live sessions"); !r) return r.error();
  return static_cast<std::size_t>(db.changes());
}

Result<std::vector<std::string>> recent_sessions(Connection& db, std::size_t limit) {
  auto stmt = db.prepare(kRecentSessions, "list sessions");
  if (!stmt) return stmt.error();
  stmt->bind_int(1, static_cast<std::int64_t>(limit));
  std::vector<std::string> ids;
  for (;;) {
    auto row = stmt->step("list sessions");
    if (!row) return row.error();
    if (!*row) break;
    ids.push_back(stmt->column_text(0));
  }
  return ids;
}

SessionRecord read_session(const Statement& stmt) {
  SessionRecord s;
  s.id = stmt.column_text(0);
  s.initiator = stmt.column_text(1);
  s.target = stmt.column_text(2);
  s.state = stmt.column_text(3);
  s.started_at_ms = stmt.column_int(4);
  s.ended_at_ms = stmt.column_int(5);
  s.ended_by = stmt.column_text(6);
  s.end_reason = stmt.column_text(7);
  s.initiator_call_id = stmt.column_text(8);
  s.target_call_id = stmt.column_text(9);
  s.queue = stmt.column_text(10);
  s.contact_id = stmt.column_text(11);
  return s;
}

Result<Transcript> load_transcript(Connection& db, const std::string& id) {
  Transcript t;
  {
    auto stmt = db.prepare(kLoadSession, "read session");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, id);
    auto row = stmt->step("read session");
    if (!row) return row.error();
    if (!*row) return Error{make_error_code(StoreErrc::NotFound), "no IM session " + id};
    t.session = read_session(*stmt);
  }
  {
    auto stmt = db.prepare(kLoadOffers, "read offers");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, id);
    for (;;) {
      auto row = stmt->step("read offers");
      if (!row) return row.error();
      if (!*row) break;
      OfferRecord o;
      o.session_id = stmt->column_text(0);
      o.n = static_cast<std::uint32_t>(stmt->column_int(1));
      o.queue = stmt->column_text(2);
      o.agent = stmt->column_text(3);
      o.offered_at_ms = stmt->column_int(4);
      o.outcome = stmt->column_text(5);
      t.offers.push_back(std::move(o));
    }
  }
  auto stmt = db.prepare(kLoadEntries, "read transcript");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, id);
  for (;;) {
    auto row = stmt->step("read transcript");
    if (!row) return row.error();
    if (!*row) break;
    TranscriptEntry e;
    e.session_id = stmt->column_text(0);
    e.seq = static_cast<std::uint32_t>(stmt->column_int(1));
    e.stamped_at_ms = stmt->column_int(2);
    e.sender = stmt->column_text(3);
    e.recipient = stmt->column_text(4);
    e.content_type = stmt->column_text(5);
    e.body = stmt->column_blob(6);
    t.messages.push_back(std::move(e));
  }
  return t;
}

Result<std::vector<Publication>> load_publications(Connection& db) {
  auto stmt = db.prepare(kLoadPublications, "load publications");
  if (!stmt) return stmt.error();
  std::vector<Publication> out;
  for (;;) {
    auto row = stmt->step("load publications");
    if (!row) return row.error();
    if (!*row) break;
    Publication p;
    p.login = stmt->column_text(0);
    p.etag = stmt->column_text(1);
    p.basic = stmt->column_text(2) == "closed" ? PresenceBasic::Closed : PresenceBasic::Open;
    p.note = stmt->column_text(3);
    p.expires_at_ms = stmt->column_int(4);
    p.modified_at_ms = stmt->column_int(5);
    out.push_back(std::move(p));
  }
  return out;
}

Result<void> put_publication(Connection& db, const Publication& p, const std::string& replaces) {
  if (!replaces.empty() && replaces != p.etag) {
    if (auto r = remove_publication(db, p.login, replaces); !r) return r;
  }
  auto stmt = db.prepare(kPutPublication, "put publication");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, p.login)
      .bind_text(2, p.etag)
      .bind_text(3, basic_text(p.basic))
      .bind_text(4, p.note)
      .bind_int(5, p.expires_at_ms)
      .bind_int(6, p.modified_at_ms);
  return stmt->run("put publication");
}

Result<void> remove_publication(Connection& db, const std::string& login,
                                const std::string& etag) {
  auto stmt = db.prepare(kRemovePublication, "remove publication");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, login).bind_text(2, etag);
  return stmt->run("remove publication");
}

}  // namespace ims::sw::store::queries
