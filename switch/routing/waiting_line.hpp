#pragma once
// WaitingLine: the interactions waiting in one queue, in arrival order (a router-wide sequence
// number), with the position each was last told so that only real changes produce a 182.
// An interaction put back after a decline or a no-answer returns to its own arrival place, not
// the end. Positions are 1-based ranks; computing one walks the line, which max_waiting bounds.
//
// Owned by its queue's record inside QueueRouter. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "switch/routing/types.hpp"

namespace ims::sw::routing {

struct InteractionState;

class WaitingLine {
 public:
  struct Entry {
    InteractionState* interaction = nullptr;
    std::size_t reported = 0;  // position last reported to the caller; 0: none yet
  };
  using Map = std::map<std::uint64_t, Entry>;

  // Puts the interaction at its arrival place and returns its position; nothing is reported yet.
  // 0 and no change when `seq` is in line already.
  std::size_t insert(std::uint64_t seq, InteractionState* interaction);
  // False when it was not in line.
  bool erase(std::uint64_t seq);
  bool contains(std::uint64_t seq) const { return line_.count(seq) != 0; }
  // 1-based position, 0 when not in line.
  std::size_t position(std::uint64_t seq) const;
  // The caller has been told this position already (request() answers it directly).
  void mark_reported(std::uint64_t seq, std::size_t position);
  // Appends a change for every interaction whose position differs from the one last reported,
  // and records the new one. Cheap when nobody moved and nobody is unreported.
  void collect_changes(std::string_view queue, std::vector<PositionChange>& out);

  std::size_t size() const { return line_.size(); }
  bool empty() const { return line_.empty(); }
  const Map& entries() const { return line_; }

 private:
  Map line_;
  bool moved_ = false;          // someone came or went ahead of others since collect_changes
  std::size_t unreported_ = 0;  // entries whose reported position is still 0
};

}  // namespace ims::sw::routing
