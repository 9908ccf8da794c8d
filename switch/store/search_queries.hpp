#pragma once
// The SQL behind the HTTP API's reads (search.hpp), as plain functions
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

}  // namespace ims::sw::store::queries
