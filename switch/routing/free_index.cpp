#include "switch/routing/free_index.hpp"

#include <algorithm>
#include <limits>

namespace ims::sw::routing {

namespace {

bool skipped(const std::vector<std::string>& skip, std::string_view login) {
  return std::find(skip.begin(), skip.end(), login) != skip.end();
}

}  // namespace

FreeIndex::Handle FreeIndex::insert(AgentState* agent, std::string_view login,
                                    std::uint32_t member_pos, std::int64_t idle_since_ms,
                                    unsigned load) {
  Entry e{0, 0, login, agent};
  switch (distribution_) {
    case directory::Distribution::LongestIdle: e.first = idle_since_ms; break;
    case directory::Distribution::LeastBusy:
      e.first = load;
      e.second = idle_since_ms;
      break;
    case directory::Distribution::RoundRobin: e.first = member_pos; break;
  }
  return free_.insert(e).first;
}

AgentState* FreeIndex::select(const std::vector<std::string>& skip) const {
  auto pick = [&](Handle from, Handle to) -> AgentState* {
    for (Handle it = from; it != to; ++it) {
      if (!skipped(skip, it->login)) return it->agent;
    }
    return nullptr;
  };
  if (distribution_ != directory::Distribution::RoundRobin) return pick(free_.begin(), free_.end());
  // Members after the cursor first, then wrap round to the start of the member order.
  const Handle after = free_.lower_bound(
      Entry{next_, std::numeric_limits<std::int64_t>::min(), std::string_view{}, nullptr});
  if (AgentState* a = pick(after, free_.end())) return a;
  return pick(free_.begin(), after);
}

}  // namespace ims::sw::routing
