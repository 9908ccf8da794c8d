#pragma once
// The SQL behind the HTTP API's reads and the contact writes (search.hpp), as plain functions
// over a Connection, like queries.hpp: they run inside the caller's transaction.

#include <cstddef>
#include <string>
#include <vector>

#include "common/util/result.hpp"
#include "switch/store/records.hpp"
#include "switch/store/search.hpp"
#include "switch/store/sqlite_connection.hpp"

namespace ims::sw::store::queries {

// A caller's limit, within 1 .. kMaxSearchLimit.
std::size_t clamp_limit(std::size_t limit);

[[nodiscard]] Result<TranscriptPage> search_transcripts(Connection& db, const TranscriptQuery& q);
[[nodiscard]] Result<SessionPage> list_sessions(Connection& db, const SessionQuery& q);

[[nodiscard]] Result<void> upsert_contacts(Connection& db, const std::vector<Contact>& contacts);
[[nodiscard]] Result<void> add_contact_history(Connection& db,
                                               const std::vector<ContactHistoryEntry>& entries);
[[nodiscard]] Result<Contact> get_contact(Connection& db, const std::string& id);
[[nodiscard]] Result<std::vector<Contact>> search_contacts(Connection& db, const std::string& text,
                                                           std::size_t limit);
[[nodiscard]] Result<std::vector<ContactHistoryItem>> contact_history(
    Connection& db, const ContactHistoryQuery& q);

}  // namespace ims::sw::store::queries
