#include "switch/routing/waiting_line.hpp"

#include <iterator>

#include "switch/routing/state.hpp"

namespace ims::sw::routing {

std::size_t WaitingLine::insert(std::uint64_t seq, InteractionState* interaction) {
  const auto [it, added] = line_.emplace(seq, Entry{interaction, 0});
  if (!added) return 0;  // the router keeps arrival numbers unique; never overwrite a place
  ++unreported_;
  if (std::next(it) != line_.end()) moved_ = true;  // those behind it move back a place
  return static_cast<std::size_t>(std::distance(line_.begin(), it)) + 1;
}

bool WaitingLine::erase(std::uint64_t seq) {
  const auto it = line_.find(seq);
  if (it == line_.end()) return false;
  if (std::next(it) != line_.end()) moved_ = true;  // those behind it move up a place
  if (it->second.reported == 0) --unreported_;
  line_.erase(it);
  return true;
}

std::size_t WaitingLine::position(std::uint64_t seq) const {
  const auto it = line_.find(seq);
  if (it == line_.end()) return 0;
  return static_cast<std::size_t>(std::distance(line_.begin(), it)) + 1;
}

void WaitingLine::mark_reported(std::uint64_t seq, std::size_t position) {
  const auto it = line_.find(seq);
  if (it == line_.end() || position == 0) return;
  if (it->second.reported == 0) --unreported_;
  it->second.reported = position;
}

void WaitingLine::collect_changes(std::string_view queue, std::vector<PositionChange>& out) {
  if (!moved_ && unreported_ == 0) return;
  moved_ = false;
  unreported_ = 0;
  std::size_t rank = 0;
  for (auto& [seq, entry] : line_) {
    ++rank;
    if (entry.reported == rank) continue;
    entry.reported = rank;
    out.push_back(PositionChange{entry.interaction->id, std::string(queue), rank});
  }
}

}  // namespace ims::sw::routing
