#pragma once
// FreeIndex: one queue's free members, ordered the way the queue's distribution picks them, so an
// offer costs O(log n + skipped) however many members a queue has (10,000 members, half of them
// busy, is the design point). Longest idle: (idle since, login); least busy: (sessions +
// reservations, idle since, login); round robin: the member's place in the queue's member order,
// searched from just after the member offered last, wrapping.
//
// Owned by its queue's record inside QueueRouter, which keeps it current: an agent whose
// availability or key changes is erased by its handle and inserted again. Not thread-safe.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "switch/directory/directory.hpp"

namespace ims::sw::routing {

struct AgentState;

class FreeIndex {
  struct Entry {
    std::int64_t first = 0;
    std::int64_t second = 0;
    std::string_view login;  // points into the AgentState, which outlives the entry
    AgentState* agent = nullptr;
    bool operator<(const Entry& o) const {
      if (first != o.first) return first < o.first;
      if (second != o.second) return second < o.second;
      return login < o.login;
    }
  };

 public:
  using Handle = std::set<Entry>::const_iterator;

  explicit FreeIndex(directory::Distribution d = directory::Distribution::LongestIdle)
      : distribution_(d) {}

  // `member_pos`: the agent's place in the queue's member order; `load`: sessions + reservations.
  Handle insert(AgentState* agent, std::string_view login, std::uint32_t member_pos,
                std::int64_t idle_since_ms, unsigned load);
  void erase(Handle h) { free_.erase(h); }
  void clear() { free_.clear(); }

  // The member the distribution picks, passing over the logins in `skip`; null when none is free.
  AgentState* select(const std::vector<std::string>& skip) const;
  // Round robin: the next search starts after this member (the one just offered).
  void note_offered(std::uint32_t member_pos) { next_ = member_pos + 1; }
  void set_cursor(std::uint32_t next_pos) { next_ = next_pos; }

  std::size_t size() const { return free_.size(); }
  directory::Distribution distribution() const { return distribution_; }

 private:
  directory::Distribution distribution_;
  std::set<Entry> free_;
  std::uint32_t next_ = 0;  // round robin: the first member position to try
};

}  // namespace ims::sw::routing
