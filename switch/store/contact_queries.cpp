// Contacts and their history (PRODUCT §5): the SQL behind upsert_contacts, add_contact_history,
// get_contact, search_contacts and contact_history.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "switch/store/errors.hpp"
#include "switch/store/fts_query.hpp"
#include "switch/store/search_queries.hpp"

namespace ims::sw::store::queries {
namespace {

constexpr std::size_t kMaxContactIdBytes = 256;
// With words, this many of a contact's newest entries and sessions are looked into at most.
constexpr std::int64_t kMaxHistoryScan = 5000;

const std::string kIsJsonObject =
    "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' ELSE 0 END";
const std::string kUpsertContact =
    "INSERT INTO contacts (id, name, email, phone, company, notes, attributes, created_at_ms, "
    "updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET "
    "name = ?2, email = ?3, phone = ?4, company = ?5, notes = ?6, attributes = ?7, "
    "updated_at_ms = ?9";
const std::string kContactExists = "SELECT 1 FROM contacts WHERE id = ?1";
const std::string kInsertHistory =
    "INSERT INTO contact_history (contact_id, at_ms, channel, summary, session_id) "
    "VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''))";
const std::string kContactColumns =
    "SELECT id, name, email, phone, company, notes, attributes, created_at_ms, updated_at_ms "
    "FROM contacts ";
const std::string kGetContact = kContactColumns + "WHERE id = ?1";
const std::string kSearchContacts =
    kContactColumns +
    "WHERE name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\' "
    "ORDER BY name, id LIMIT ?2";
const std::string kHistoryEntries =
    "SELECT h.id, h.at_ms, h.channel, h.summary, COALESCE(h.session_id, ''), "
    "COALESCE(s.initiator, ''), COALESCE(s.target, '') FROM contact_history h "
    "LEFT JOIN im_sessions s ON s.id = h.session_id WHERE h.contact_id = ?1 AND h.at_ms <= ?2 "
    "ORDER BY h.at_ms DESC, h.id DESC LIMIT ?3";
// The contact's sessions that none of its entries names (those come with their entry).
const std::string kHistorySessions =
    "SELECT s.id, s.started_at_ms, s.initiator, s.target FROM im_sessions s "
    "WHERE s.contact_id = ?1 AND s.started_at_ms <= ?2 AND s.id NOT IN (SELECT session_id FROM "
    "contact_history WHERE contact_id = ?1 AND session_id IS NOT NULL) "
    "ORDER BY s.started_at_ms DESC, s.rowid DESC LIMIT ?3";
const std::string kSummaryMatch =
    "SELECT snippet(contact_history_fts, 0, char(2), char(3), '\xe2\x80\xa6', 16) "
    "FROM contact_history_fts WHERE contact_history_fts MATCH ?1 AND rowid = ?2";
// The session's newest matching message: its messages drive, each looked up in the index.
const std::string kSessionMatch =
    "SELECT snippet(im_transcript_fts, 0, char(2), char(3), '\xe2\x80\xa6', 16) "
    "FROM im_transcript t CROSS JOIN im_transcript_fts f ON f.rowid = t.id "
    "WHERE t.session_id = ?1 AND im_transcript_fts MATCH ?2 ORDER BY t.id DESC LIMIT 1";

Contact read_contact(const Statement& stmt) {
  Contact c;
  c.id = stmt.column_text(0);
  c.name = stmt.column_text(1);
  c.email = stmt.column_text(2);
  c.phone = stmt.column_text(3);
  c.company = stmt.column_text(4);
  c.notes = stmt.column_text(5);
  c.attributes = stmt.column_text(6);
  c.created_at_ms = stmt.column_int(7);
  c.updated_at_ms = stmt.column_int(8);
  return c;
}

Result<bool> exists(Connection& db, const std::string& sql, std::string_view value,
                    std::string_view what) {
  auto stmt = db.prepare(sql, what);
  if (!stmt) return stmt.error();
  stmt->bind_text(1, value);
  auto row = stmt->step(what);
  if (!row) return row.error();
  return *row && stmt->column_int(0) != 0;
}

// The snippet of the first row `sql` gives for (?1, ?2), or none.
Result<std::optional<std::string>> first_snippet(Connection& db, const std::string& sql,
                                                 std::string_view a, std::string_view b) {
  auto stmt = db.prepare(sql, "contact history");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, a).bind_text(2, b);
  auto row = stmt->step("contact history");
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(0));
}

Result<std::optional<std::string>> summary_snippet(Connection& db, const std::string& match,
                                                   std::int64_t entry_id) {
  auto stmt = db.prepare(kSummaryMatch, "contact history");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, match).bind_int(2, entry_id);
  auto row = stmt->step("contact history");
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(0));
}

// LIKE's wildcards and its escape character, taken literally.
std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace

Result<void> upsert_contacts(Connection& db, const std::vector<Contact>& contacts) {
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    const Contact& c = contacts[i];
    auto bad = [&](std::string_view why) {
      return Error{StoreErrc::Invalid,
                   fmt::format("contact {} (id '{}'): {}", i + 1, c.id, why)};
    };
    if (c.id.empty()) return bad("empty id");
    if (c.id.size() > kMaxContactIdBytes)
      return bad(fmt::format("id longer than {} bytes", kMaxContactIdBytes));
    const std::string_view attributes =
        c.attributes.empty() ? std::string_view("{}") : std::string_view(c.attributes);
    auto object = exists(db, kIsJsonObject, attributes, "upsert contacts");
    if (!object) return object.error();
    if (!*object) return bad("attributes: not a JSON object");
    auto stmt = db.prepare(kUpsertContact, "upsert contacts");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, c.id)
        .bind_text(2, c.name)
        .bind_text(3, c.email)
        .bind_text(4, c.phone)
        .bind_text(5, c.company)
        .bind_text(6, c.notes)
        .bind_text(7, attributes)
        .bind_int(8, c.created_at_ms)
        .bind_int(9, c.updated_at_ms);
    if (auto r = stmt->run("upsert contacts"); !r)
      return Error{r.error().code, fmt::format("contact {} (id '{}'): {}", i + 1, c.id,
                                               r.error().message)};
  }
  return {};
}

Result<void> add_contact_history(Connection& db, const std::vector<ContactHistoryEntry>& entries) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ContactHistoryEntry& e = entries[i];
    auto known = exists(db, kContactExists, e.contact_id, "add contact history");
    if (!known) return known.error();
    if (!*known)
      return Error{StoreErrc::NotFound, fmt::format("history entry {}: no contact '{}'", i + 1,
                                                    e.contact_id)};
    auto stmt = db.prepare(kInsertHistory, "add contact history");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, e.contact_id)
        .bind_int(2, e.at_ms)
        .bind_text(3, channel_name(e.channel))
        .bind_text(4, e.summary)
        .bind_text(5, e.session_id);
    if (auto r = stmt->run("add contact history"); !r) return r;
  }
  return {};
}

Result<Contact> get_contact(Connection& db, const std::string& id) {
  auto stmt = db.prepare(kGetContact, "read contact");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, id);
  auto row = stmt->step("read contact");
  if (!row) return row.error();
  if (!*row) return Error{StoreErrc::NotFound, "no contact '" + id + "'"};
  return read_contact(*stmt);
}

Result<std::vector<Contact>> search_contacts(Connection& db, const std::string& text,
                                             std::size_t limit) {
  std::vector<Contact> out;
  if (text.empty()) return out;
  if (text.size() > kMaxSearchBytes)
    return Error{StoreErrc::Invalid,
                 fmt::format("contact search: {} bytes, more than {}", text.size(),
                             kMaxSearchBytes)};
  const std::string pattern = like_pattern(text);
  auto stmt = db.prepare(kSearchContacts, "search contacts");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, pattern).bind_int(2, static_cast<std::int64_t>(clamp_limit(limit)));
  for (;;) {
    auto row = stmt->step("search contacts");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_contact(*stmt));
  }
  return out;
}

Result<std::vector<ContactHistoryItem>> contact_history(Connection& db,
                                                        const ContactHistoryQuery& q) {
  auto words = fts::split_words(q.words);
  if (!words) return words.error();
  // Whitespace alone asks for everything; punctuation alone can match nothing.
  const bool searching = q.words.find_first_not_of(" \t\r\n") != std::string::npos;
  std::vector<ContactHistoryItem> items;
  if (searching && words->empty()) return items;  // words, but none that can match
  const std::string match = fts::match_all(*words, fts::ends_in_word(q.words));
  const std::size_t limit = clamp_limit(q.limit);
  const std::int64_t until = q.until_ms.value_or(std::numeric_limits<std::int64_t>::max());
  const std::int64_t scan = searching ? kMaxHistoryScan : static_cast<std::int64_t>(limit);

  // Each list newest first; with words, an item stays when its text matches, up to `limit`.
  std::vector<ContactHistoryItem> entries;
  {
    auto stmt = db.prepare(kHistoryEntries, "contact history");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, q.contact_id).bind_int(2, until).bind_int(3, scan);
    for (;;) {
      auto row = stmt->step("contact history");
      if (!row) return row.error();
      if (!*row) break;
      ContactHistoryItem it;
      it.entry_id = stmt->column_int(0);
      it.at_ms = stmt->column_int(1);
      // The schema's CHECK admits only channel_name's words.
      it.channel = channel_named(stmt->column_text(2)).value_or(ContactChannel::Voice);
      it.summary = stmt->column_text(3);
      it.session_id = stmt->column_text(4);
      it.initiator = stmt->column_text(5);
      it.target = stmt->column_text(6);
      entries.push_back(std::move(it));
    }
  }
  std::vector<ContactHistoryItem> sessions;
  {
    auto stmt = db.prepare(kHistorySessions, "contact history");
    if (!stmt) return stmt.error();
    stmt->bind_text(1, q.contact_id).bind_int(2, until).bind_int(3, scan);
    for (;;) {
      auto row = stmt->step("contact history");
      if (!row) return row.error();
      if (!*row) break;
      ContactHistoryItem it;
      it.channel = ContactChannel::Im;
      it.session_id = stmt->column_text(0);
      it.at_ms = stmt->column_int(1);
      it.initiator = stmt->column_text(2);
      it.target = stmt->column_text(3);
      sessions.push_back(std::move(it));
    }
  }
  // Up to `limit` of each list (with words, of those whose text matches): enough to keep the
  // newest `limit` of the two together.
  for (auto* list : {&entries, &sessions}) {
    std::size_t taken = 0;
    for (auto& it : *list) {
      if (taken == limit) break;
      if (searching) {
        std::optional<std::string> snippet;
        if (it.entry_id != 0) {
          auto s = summary_snippet(db, match, it.entry_id);
          if (!s) return s.error();
          snippet = std::move(*s);
        }
        if (!snippet && !it.session_id.empty()) {
          auto s = first_snippet(db, kSessionMatch, it.session_id, match);
          if (!s) return s.error();
          snippet = std::move(*s);
        }
        if (!snippet) continue;
        it.snippet = std::move(*snippet);
      }
      items.push_back(std::move(it));
      ++taken;
    }
  }
  // Newest first; at the same moment an entry before a session, entries newest id first.
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    if (a.at_ms != b.at_ms) return a.at_ms > b.at_ms;
    return a.entry_id > b.entry_id;
  });
  if (items.size() > limit) items.resize(limit);
  return items;
}

}  // namespace ims::sw::store::queries

namespace ims::sw::store {

std::string_view channel_name(ContactChannel c) {
  switch (c) {
    case ContactChannel::Voice: return "voice";
    case ContactChannel::Email: return "email";
    case ContactChannel::Chat: return "chat";
    case ContactChannel::Workitem: return "workitem";
    case ContactChannel::Im: return "im";
  }
  return "voice";
}

std::optional<ContactChannel> channel_named(std::string_view name) {
  for (auto c : {ContactChannel::Voice, ContactChannel::Email, ContactChannel::Chat,
                 ContactChannel::Workitem, ContactChannel::Im}) {
    if (channel_name(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace ims::sw::store
