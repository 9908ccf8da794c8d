#include "client/transcript.hpp"

#include <algorithm>

namespace ims::client {

bool Transcript::add(TranscriptEntry entry) {
  auto at =
      std::lower_bound(entries_.begin(), entries_.end(), entry.seq,
                       [](const TranscriptEntry& e, std::uint64_t seq) { return e.seq < seq; });
  if (at != entries_.end() && at->seq == entry.seq) return false;
  entries_.insert(at, std::move(entry));
  return true;
}

}  // namespace ims::client
