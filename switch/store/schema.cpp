#include "switch/store/schema.hpp"

#include <array>
#include <cassert>
#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "switch/store/errors.hpp"

namespace ims::sw::store {
namespace {

// Version 1: registrations (RFC 3261 §10.3) and stored pager messages (RFC 3428). A binding is
// one (aor, contact) pair; a stored message's id is its delivery order, and AUTOINCREMENT keeps
// ids of deleted messages from being reused, so an id seen once names one message forever.
constexpr const char* kV1 = R"sql(
CREATE TABLE bindings (
  aor              TEXT    NOT NULL,
  contact          TEXT    NOT NULL,
  contact_params   TEXT    NOT NULL,
  display_name     TEXT    NOT NULL,
  instance         TEXT    NOT NULL,
  q_millis         INTEGER NOT NULL,
  session_capable  INTEGER NOT NULL,
  call_id          TEXT    NOT NULL,
  cseq             INTEGER NOT NULL,
  expires_at_ms    INTEGER NOT NULL,
  registered_at_ms INTEGER NOT NULL,
  transport        TEXT    NOT NULL,
  source_address   TEXT    NOT NULL,
  source_port      INTEGER NOT NULL,
  flow_id          INTEGER NOT NULL,
  PRIMARY KEY (aor, contact)
);
CREATE INDEX bindings_expiry ON bindings (expires_at_ms);
CREATE TABLE stored_messages (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient      TEXT    NOT NULL,
  sender_login   TEXT    NOT NULL,
  from_header    TEXT    NOT NULL,
  to_header      TEXT    NOT NULL,
  content_type   TEXT    NOT NULL,
  body           BLOB    NOT NULL,
  received_at_ms INTEGER NOT NULL,
  expires_at_ms  INTEGER NOT NULL
);
CREATE INDEX stored_messages_recipient ON stored_messages (recipient, id);
CREATE INDEX stored_messages_expiry ON stored_messages (expires_at_ms);
)sql";

// Version 2: IM sessions and their transcripts (PRODUCT §4). A transcript entry is keyed by
// (session_id, seq): the switch's order of the session's messages, written once.
constexpr const char* kV2 = R"sql(
CREATE TABLE im_sessions (
  id                TEXT    PRIMARY KEY,
  initiator         TEXT    NOT NULL,
  target            TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  started_at_ms     INTEGER NOT NULL,
  ended_at_ms       INTEGER NOT NULL,
  ended_by          TEXT    NOT NULL,
  end_reason        TEXT    NOT NULL,
  initiator_call_id TEXT    NOT NULL,
  target_call_id    TEXT    NOT NULL
);
CREATE INDEX im_sessions_initiator ON im_sessions (initiator, started_at_ms);
CREATE INDEX im_sessions_target ON im_sessions (target, started_at_ms);
CREATE INDEX im_sessions_state ON im_sessions (state);
CREATE TABLE im_transcript (
  session_id    TEXT    NOT NULL REFERENCES im_sessions (id),
  seq           INTEGER NOT NULL,
  stamped_at_ms INTEGER NOT NULL,
  sender        TEXT    NOT NULL,
  recipient     TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  body          BLOB    NOT NULL,
  PRIMARY KEY (session_id, seq)
);
)sql";

// Version 3: agents' presence publications (RFC 3903, PRODUCT §2). One row per publication,
// keyed by (login, entity-tag); basic is PIDF's word, 'open' (Ready) or 'closed' (Not Ready).
constexpr const char* kV3 = R"sql(
CREATE TABLE presence_publications (
  login          TEXT    NOT NULL,
  etag           TEXT    NOT NULL,
  basic          TEXT    NOT NULL,
  note           TEXT    NOT NULL,
  expires_at_ms  INTEGER NOT NULL,
  modified_at_ms INTEGER NOT NULL,
  PRIMARY KEY (login, etag)
);
)sql";

// Version 4: sessions to a queue (PRODUCT §4). The queue a session was addressed to ('' for an
// agent's address; its target is the agent who took it), and every offer to an agent in order
// with its outcome: answered, declined, no-answer, unavailable, cancelled.
constexpr const char* kV4 = R"sql(
ALTER TABLE im_sessions ADD COLUMN queue TEXT NOT NULL DEFAULT '';
CREATE TABLE im_offers (
  session_id    TEXT    NOT NULL REFERENCES im_sessions (id),
  n             INTEGER NOT NULL,
  queue         TEXT    NOT NULL,
  agent         TEXT    NOT NULL,
  offered_at_ms INTEGER NOT NULL,
  outcome       TEXT    NOT NULL,
  PRIMARY KEY (session_id, n)
);
)sql";

// Version 5: search for the HTTP API (PRODUCT §5, §6).
// - im_transcript is rebuilt with a message id (INTEGER PRIMARY KEY, AUTOINCREMENT so an id
//   names one message forever): the full-text index refers to rows by it, and VACUUM may
//   renumber a table's implicit rowids. (session_id, seq) stays unique.
// - im_transcript_fts indexes the text messages' bodies (text/*, message/cpim) and the session's
//   parties, each login as one token 'p' || hex(login), so that "sessions alice took part in" is
//   a term of the same query. Its content is the view im_transcript_text; triggers keep it in
//   step with im_transcript and with a queued session's target, in the writer's transaction.
//   unicode61 with remove_diacritics 2: case and accents are ignored ("cafe" finds "Café").
// - contacts and contact_history, whose summaries are indexed the same way, and the contact an
//   IM session's case data named (im_sessions.contact_id, NULL for none).
constexpr const char* kV5 = R"sql(
CREATE TABLE im_transcript_v5 (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id    TEXT    NOT NULL REFERENCES im_sessions (id),
  seq           INTEGER NOT NULL,
  stamped_at_ms INTEGER NOT NULL,
  sender        TEXT    NOT NULL,
  recipient     TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  body          BLOB    NOT NULL,
  UNIQUE (session_id, seq)
);
INSERT INTO im_transcript_v5 (session_id, seq, stamped_at_ms, sender, recipient, content_type,
                              body)
  SELECT session_id, seq, stamped_at_ms, sender, recipient, content_type, body
  FROM im_transcript ORDER BY rowid;
DROP TABLE im_transcript;
ALTER TABLE im_transcript_v5 RENAME TO im_transcript;
CREATE INDEX im_transcript_stamp ON im_transcript (stamped_at_ms);

CREATE VIEW im_transcript_text AS
  SELECT t.id AS id, t.body AS body,
         'p' || hex(s.initiator) || ' p' || hex(s.target) AS parties
  FROM im_transcript t JOIN im_sessions s ON s.id = t.session_id
  WHERE t.content_type LIKE 'text/%' OR t.content_type LIKE 'message/cpim%';
CREATE VIRTUAL TABLE im_transcript_fts USING fts5 (
  body, parties, content = 'im_transcript_text', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO im_transcript_fts (im_transcript_fts) VALUES ('rebuild');

CREATE TRIGGER im_transcript_fts_insert AFTER INSERT ON im_transcript BEGIN
  INSERT INTO im_transcript_fts (rowid, body, parties)
    SELECT id, body, parties FROM im_transcript_text WHERE id = new.id;
END;
CREATE TRIGGER im_transcript_fts_delete BEFORE DELETE ON im_transcript BEGIN
  INSERT INTO im_transcript_fts (im_transcript_fts, rowid, body, parties)
    SELECT 'delete', id, body, parties FROM im_transcript_text WHERE id = old.id;
END;
CREATE TRIGGER im_transcript_fts_unindex BEFORE UPDATE ON im_transcript BEGIN
  INSERT INTO im_transcript_fts (im_transcript_fts, rowid, body, parties)
    SELECT 'delete', id, body, parties FROM im_transcript_text WHERE id = old.id;
END;
CREATE TRIGGER im_transcript_fts_reindex AFTER UPDATE ON im_transcript BEGIN
  INSERT INTO im_transcript_fts (rowid, body, parties)
    SELECT id, body, parties FROM im_transcript_text WHERE id = new.id;
END;
CREATE TRIGGER im_sessions_fts_unindex BEFORE UPDATE OF initiator, target ON im_sessions BEGIN
  INSERT INTO im_transcript_fts (im_transcript_fts, rowid, body, parties)
    SELECT 'delete', id, body, parties FROM im_transcript_text
    WHERE id IN (SELECT id FROM im_transcript WHERE session_id = old.id);
END;
CREATE TRIGGER im_sessions_fts_reindex AFTER UPDATE OF initiator, target ON im_sessions BEGIN
  INSERT INTO im_transcript_fts (rowid, body, parties)
    SELECT id, body, parties FROM im_transcript_text
    WHERE id IN (SELECT id FROM im_transcript WHERE session_id = new.id);
END;

ALTER TABLE im_sessions ADD COLUMN contact_id TEXT;
CREATE INDEX im_sessions_contact ON im_sessions (contact_id, started_at_ms);

CREATE TABLE contacts (
  id            TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  email         TEXT    NOT NULL,
  phone         TEXT    NOT NULL,
  company       TEXT    NOT NULL,
  notes         TEXT    NOT NULL,
  attributes    TEXT    NOT NULL CHECK (json_type(attributes) = 'object'),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX contacts_name ON contacts (name, id);
CREATE TABLE contact_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  contact_id TEXT    NOT NULL REFERENCES contacts (id),
  at_ms      INTEGER NOT NULL,
  channel    TEXT    NOT NULL CHECK (channel IN ('voice', 'email', 'chat', 'workitem', 'im')),
  summary    TEXT    NOT NULL,
  session_id TEXT
);
CREATE INDEX contact_history_contact ON contact_history (contact_id, at_ms);
CREATE VIRTUAL TABLE contact_history_fts USING fts5 (
  summary, content = 'contact_history', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER contact_history_fts_insert AFTER INSERT ON contact_history BEGIN
  INSERT INTO contact_history_fts (rowid, summary) VALUES (new.id, new.summary);
END;
CREATE TRIGGER contact_history_fts_delete AFTER DELETE ON contact_history BEGIN
  INSERT INTO contact_history_fts (contact_history_fts, rowid, summary)
    VALUES ('delete', old.id, old.summary);
END;
CREATE TRIGGER contact_history_fts_update AFTER UPDATE OF summary ON contact_history BEGIN
  INSERT INTO contact_history_fts (contact_history_fts, rowid, summary)
    VALUES ('delete', old.id, old.summary);
  INSERT INTO contact_history_fts (rowid, summary) VALUES (new.id, new.summary);
END;
)sql";

// Version 6: the HTTP API lists IM sessions newest first (PRODUCT §6); the admin's list of all
// of them walks this index instead of sorting the table.
constexpr const char* kV6 = R"sql(
CREATE INDEX im_sessions_started ON im_sessions (started_at_ms, id);
)sql";

constexpr std::array kMigrations{
    Migration{1, "bindings and stored messages", kV1},
    Migration{2, "IM sessions and transcripts", kV2},
    Migration{3, "presence publications", kV3},
    Migration{4, "queued sessions and their offers", kV4},
    Migration{5, "transcript search, contacts and their history", kV5},
    Migration{6, "sessions listed by start", kV6},
};

Result<int> user_version(Connection& db) {
  auto stmt = db.prepare("PRAGMA user_version", "read schema version");
  if (!stmt) return stmt.error();
  auto row = stmt->step("read schema version");
  if (!row) return row.error();
  return static_cast<int>(stmt->column_int(0));
}

Result<void> apply(Connection& db, const Migration& m) {
  auto what = fmt::format("migration {} ({})", m.version, m.description);
  if (auto r = db.exec("BEGIN IMMEDIATE", what); !r) return r;
  // Read again under the write lock: another process may have migrated the file meanwhile.
  auto now = user_version(db);
  Result<void> r;
  if (!now) {
    r = now.error();
  } else if (*now >= m.version) {
    return db.exec("COMMIT", what);
  } else {
    r = db.exec(m.sql, what);
  }
  // PRAGMA takes no bound parameters; the version is our own integer.
  if (r) r = db.exec(fmt::format("PRAGMA user_version = {}", m.version), what);
  if (r) r = db.exec("COMMIT", what);
  if (!r && db.in_transaction()) (void)db.exec("ROLLBACK", what);
  return r;
}

// Anything in the file already? A version-0 file with tables is someone's data too.
Result<bool> holds_data(Connection& db, int version) {
  if (version > 0) return true;
  auto stmt = db.prepare("SELECT count(*) FROM sqlite_master", "read the schema");
  if (!stmt) return stmt.error();
  auto row = stmt->step("read the schema");
  if (!row) return row.error();
  return *row && stmt->column_int(0) > 0;
}

// "<path>.v<version>-<UTC time>.bak", with ".<n>" added when a file of that name exists (two
// starts within a second).
std::string backup_name(const std::string& path, int version) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  const std::string stem = fmt::format("{}.v{}-{:%Y%m%dT%H%M%SZ}", path, version, fmt::gmtime(now));
  std::string name = stem + ".bak";
  std::error_code ec;
  for (int n = 1; std::filesystem::exists(name, ec) && n < 1000; ++n) {
    name = fmt::format("{}.{}.bak", stem, n);
  }
  return name;
}

// A consistent copy of the whole file as it is now (VACUUM INTO reads one snapshot, the WAL
// included), written beside it before a migration changes it. A copy that failed half way is
// removed, so that no partial file looks like a backup.
Result<std::string> back_up(Connection& db, int version, int latest) {
  const std::string name = backup_name(db.path(), version);
  auto stmt = db.prepare("VACUUM INTO ?", "back up");
  Result<void> copied = stmt ? stmt->bind_text(1, name).run("back up") : Result<void>(stmt.error());
  if (copied) return name;
  std::error_code ec;
  std::filesystem::remove(name, ec);
  return Error{copied.error().code,
               fmt::format("{}; cannot upgrade the store from schema version {} to {} without a "
                           "backup ({}), so the file is left as it is. Free disk space or make "
                           "its folder writable, then start again",
                           copied.error().message, version, latest, name)};
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int schema_version() { return kMigrations.back().version; }

Result<int> migrate(Connection& db, std::span<const Migration> list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    assert(list[i].version == static_cast<int>(i) + 1 && "migrations are numbered 1, 2, 3 ...");
  }
  auto current = user_version(db);
  if (!current) return current.error();
  int latest = list.empty() ? 0 : list.back().version;
  if (*current > latest) {
    return Error{StoreErrc::SchemaTooNew,
                 fmt::format("store {}: schema version {} is newer than this imswitch knows ({}): "
                             "a newer imswitch upgraded it. Run that version or a newer one; to "
                             "go back to this one, start it on the backup that upgrade took "
                             "({}.v{}-<UTC time>.bak), which lacks what was stored since. The "
                             "file is left as it is",
                             db.path(), *current, latest, db.path(), latest)};
  }
  if (*current == latest) return latest;
  auto data = holds_data(db, *current);
  if (!data) return data.error();
  // An in-memory database has no file to copy, and nothing that outlives the process.
  const bool on_disk = !db.path().empty() && db.path() != ":memory:";
  if (*data && on_disk) {
    auto backup = back_up(db, *current, latest);
    if (!backup) return backup.error();
    spdlog::info("store {}: schema version {} will be upgraded to {}; backup taken first: {}",
                 db.path(), *current, latest, *backup);
  }
  for (const auto& m : list) {
    if (m.version <= *current) continue;
    if (auto r = apply(db, m); !r) return r.error();
  }
  return latest;
}

}  // namespace ims::sw::store
