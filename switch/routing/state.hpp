#pragma once
// The records QueueRouter keeps per agent, queue and interaction. Internal to switch/routing:
// FreeIndex and WaitingLine point at them, QueueRouter owns them in node-based maps so those
// pointers stay valid until the record is erased. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switch/directory/compact.hpp"
#include "switch/routing/free_index.hpp"
#include "switch/routing/types.hpp"
#include "switch/routing/waiting_line.hpp"

namespace ims::sw::routing {

struct QueueState;

// Transparent hashing, so maps keyed by std::string are searched with a string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// An agent's place in one queue; `free` is its entry in that queue's FreeIndex while free.
struct Membership {
  QueueState* queue = nullptr;
  std::uint32_t pos = 0;  // place in the queue's member order
  std::optional<FreeIndex::Handle> free;
};

// An agent's memberships: none for most agents of a large directory, so the list is made at
// the first (8 bytes where a std::vector takes 24). Reads as a vector.
class Memberships {
 public:
  using List = std::vector<Membership>;
  bool empty() const { return !list_ || list_->empty(); }
  Membership& back() { return list_->back(); }
  const Membership& back() const { return list_->back(); }
  void push_back(const Membership& m) {
    if (!list_) list_ = std::make_unique<List>();
    list_->push_back(m);
  }
  void clear() { list_.reset(); }
  Membership* begin() { return list_ ? list_->data() : nullptr; }
  Membership* end() { return list_ ? list_->data() + list_->size() : nullptr; }
  const Membership* begin() const { return list_ ? list_->data() : nullptr; }
  const Membership* end() const { return list_ ? list_->data() + list_->size() : nullptr; }

 private:
  std::unique_ptr<List> list_;
};

// 72 bytes: a large directory has one for every agent (100,000 agents: some 13 MB with the
// map's node and key).
struct AgentState {
  std::string_view login;  // the router's map key (node-based: it stays put)
  directory::OptionalText reason;  // Not Ready's reason; none when not given
  Memberships queues;
  // Made at the agent's first offer from a queue: most agents of a large directory never get
  // one. counters() makes them; read them through counted (null: all zero).
  std::unique_ptr<AgentCounters> counted;
  std::int64_t idle_since_ms = 0;
  std::uint32_t generation = 0;  // the set_directory that last saw it
  unsigned sessions = 0;
  unsigned reservations = 0;
  unsigned capacity = 1;
  unsigned misses = 0;
  Presence presence = Presence::NotReady;
  bool reachable = false;

  AgentCounters& counters() {
    if (!counted) counted = std::make_unique<AgentCounters>();
    return *counted;
  }
  unsigned load() const { return sessions + reservations; }
  bool free() const { return presence == Presence::Ready && reachable && load() < capacity; }
};

struct InteractionState {
  std::string id;
  QueueState* queue = nullptr;  // null: connected, and its queue vanished in a reload
  std::uint64_t seq = 0;        // arrival order, router-wide
  std::int64_t arrived_ms = 0;
  std::int64_t answered_ms = 0;
  Stage stage = Stage::Waiting;
  std::string agent;  // offered to or connected with
  std::vector<std::string> skip;
};

struct QueueState {
  std::string number;
  std::vector<AgentState*> members;  // `members` first, then skill matches in directory order
  FreeIndex free;
  WaitingLine line;
  QueueCounters counters;
  std::string last_offered;  // round robin: keeps the cursor's place across a reload
  std::size_t max_waiting = 0;
  std::size_t offered_now = 0;
  std::size_t connected_now = 0;
  std::uint32_t generation = 0;
};

}  // namespace ims::sw::routing
