#pragma once
// `imswitch --transcripts N`: the last N IM sessions of a store file and their messages, as
// text for people, read while the switch may be running (SQLite WAL lets a reader in).

#include <cstddef>
#include <ostream>
#include <string>

#include "common/util/result.hpp"

namespace ims::sw::app {

// Prints newest first: a header line per session (id, parties, start and end in UTC, how it
// ended), then one line per message ("[09:01:56.702Z] #2 bob: fine, thanks"). Fails when the
// file does not exist or is not an imswitch store.
Result<void> print_transcripts(const std::string& store_path, std::size_t limit,
                               std::ostream& out);

}  // namespace ims::sw::app
