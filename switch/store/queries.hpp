#pragma once
// The SQL behind each Store operation, as plain functions over a Connection. They run inside the
// caller's transaction and never begin or commit one. Statements are prepared once and cached.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"
#include "switch/store/records.hpp"
#include "switch/store/sqlite_connection.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::store::queries {

[[nodiscard]] Result<std::vector<Binding>> load_bindings(Connection& db);
[[nodiscard]] Result<void> put_binding(Connection& db, const Binding& b);
[[nodiscard]] Result<void> remove_binding(Connection& db, const std::string& aor,
                                          const std::string& contact);
[[nodiscard]] Result<void> remove_bindings(Connection& db, const std::string& aor);

[[nodiscard]] Result<std::int64_t> insert_message(Connection& db, const StoredMessage& m);
[[nodiscard]] Result<std::size_t> count_messages(Connection& db, const std::string& recipient);
[[nodiscard]] Result<std::vector<StoredMessage>> pending_messages(Connection& db,
                                                                  const std::string& recipient,
                                                                  std::size_t limit);
[[nodiscard]] Result<void> delete_message(Connection& db, std::int64_t id);
// NotFound when there is no message `id` (delivered or expired meanwhile).
[[nodiscard]] Result<void> readdress_message(Connection& db, std::int64_t id,
                                             const std::string& recipient);
[[nodiscard]] Result<ExpiredCounts> expire(Connection& db, std::int64_t now_ms);

[[nodiscard]] Result<void> insert_session(Connection& db, const SessionRecord& s);
[[nodiscard]] Result<void> end_session(Connection& db, const std::string& id,
                                       std::int64_t ended_at_ms, const std::string& ended_by,
                                       const std::string& end_reason);
[[nodiscard]] Result<void> insert_transcript_entry(Connection& db, const TranscriptEntry& e);
[[nodiscard]] Result<void> answer_session(Connection& db, const std::string& id,
                                          const std::string& agent);
[[nodiscard]] Result<void> insert_offer(Connection& db, const OfferRecord& o);
[[nodiscard]] Result<std::size_t> end_live_sessions(Connection& db, std::int64_t now_ms,
                                                    const std::string& reason);
[[nodiscard]] Result<Transcript> load_transcript(Connection& db, const std::string& id);
// The im_sessions columns read_session() reads, in its order: "SELECT " + kSessionColumns + ...
inline constexpr std::string_view kSessionColumns =
    "id, initiator, target, state, started_at_ms, ended_at_ms, ended_by, end_reason, "
    "initiator_call_id, target_call_id, queue, COALESCE(contact_id, '') AS contact_id";
SessionRecord read_session(const Statement& stmt);
// The ids of the `limit` most recently started sessions, newest first.
[[nodiscard]] Result<std::vector<std::string>> recent_sessions(Connection& db, std::size_t limit);

[[nodiscard]] Result<std::vector<Publication>> load_publications(Connection& db);
// Deletes (p.login, replaces) first when replaces is not empty.
[[nodiscard]] Result<void> put_publication(Connection& db, const Publication& p,
                                           const std::string& replaces);
[[nodiscard]] Result<void> remove_publication(Connection& db, const std::string& login,
                                              const std::string& etag);

}  // namespace ims::sw::store::queries
